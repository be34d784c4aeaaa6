"""A needs profile made ready to read: labels in the reader's language, charts,
comparison with the country and the region, and the CSV of it.

The figures come from ``figures``; this module only names and arranges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from surveyapp import places
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import Campaign, Page, Question
from surveyapp.profiles import charts
from surveyapp.profiles.disclosure import Disclosure, disclosure_for
from surveyapp.profiles.figures import compare, needs_profile
from surveyapp.profiles.free_text import FreeTextPage, TextFilter, free_text_page
from surveyapp.profiles.indicators import indicator_figures, indicator_questions
from surveyapp.profiles.labels import domain_labels
from surveyapp.profiles.results import (
    Comparison,
    IndicatorFigures,
    NeedsProfile,
    Scope,
    UnknownScope,
)
from surveyapp.profiles.selection import Catalog, load_catalog, selection_for
from surveyapp.questionnaires.texts import Texts, load_texts


@dataclass
class IndicatorRow:
    """One indicator question, with a column per area compared."""

    question_name: str
    #: "shares", "quantiles" or "years" (``surveyapp.profiles.indicators``).
    summary: str
    #: One per ``ProfileReport.indicator_areas``; None where that group is hidden.
    columns: list[IndicatorFigures | None]


@dataclass
class ProfileReport:
    campaign: Campaign
    scope: Scope
    scope_name: str
    country_name: str | None
    role: str | None
    profile: NeedsProfile
    comparison: Comparison | None
    domain_labels: dict[str, str]
    question_labels: dict[str, str]
    choice_labels: dict[tuple[str, str], str]
    town_names: dict[str, str]
    need_chart: charts.BarChart
    share_charts: list[tuple[str, charts.BarChart]]
    #: Leaving out open-link responses was asked for but refused (a small group).
    leave_out_refused: bool = False
    #: The indicators (the questionnaire's first page) of the scope, and beside a
    #: municipality its country and the region (beside a country, the region).
    indicators: list[IndicatorRow] = field(default_factory=list)
    indicator_areas: list[Scope] = field(default_factory=list)
    #: The title of the page the indicators come from, in the reader's language.
    indicator_page_title: str = ""
    #: One page of the free-text answers, as the filters ask.
    free_text: FreeTextPage | None = None


def scope_from(area: str | None) -> Scope:
    """The scope an ``area`` names: "" for the region, "MK" for a country, "mk-cair"
    for a municipality. Raises UnknownScope for unknown codes."""
    if not area:
        return Scope.region()
    if "-" in area:
        if places.municipality_country(area) is None:
            raise UnknownScope(area)
        return Scope.municipality(area)
    if area not in places.country_names(SOURCE_LANGUAGE):
        raise UnknownScope(area)
    return Scope.country(area)


def build_report(
    campaign: Campaign,
    scope: Scope,
    role: str | None,
    lang: str,
    leave_out_self_registered: bool = False,
    text_filter: TextFilter | None = None,
) -> ProfileReport:
    """The profile page's figures and labels.

    Every figure follows one disclosure decision for the campaign
    (``surveyapp.profiles.disclosure``). Open-link responses are left out on
    request, unless some municipality and role has 1 to ``min_group - 1`` of
    them: two views side by side would give that small group's figures away
    by subtraction (``ProfileReport.leave_out_refused``). ``text_filter`` chooses
    the page of free-text answers (``surveyapp.profiles.free_text``).
    """
    disclosure = disclosure_for(campaign.id, leave_out_self_registered)
    refused = leave_out_self_registered and not disclosure.leave_out_allowed
    leave_out = leave_out_self_registered and not refused
    profile = needs_profile(
        scope,
        campaign.id,
        role,
        free_text_limit=0,  # the report reads its page of free text itself
        leave_out_self_registered=leave_out,
        disclosure=disclosure,
    )
    catalog = load_catalog(campaign.id)
    comparison = (
        compare(
            scope.code,
            campaign.id,
            role,
            leave_out_self_registered=leave_out,
            disclosure=disclosure,
        )
        if scope.kind == "municipality"
        else None
    )
    texts = load_texts(campaign.version_id, lang)
    domains = domain_labels(lang)
    questions = list(
        db.session.scalars(select(Question).where(Question.version_id == campaign.version_id))
    )
    question_labels = {q.name: texts.label(q) for q in questions}
    choice_labels = _choice_labels(questions, texts)
    countries = places.country_names(lang)
    towns = places.municipality_names(lang)
    country_code = (
        comparison.country_code if comparison else (scope.code if scope.kind == "country" else None)
    )
    scope_name = {
        "region": None,
        "country": countries.get(scope.code or ""),
        "municipality": towns.get(scope.code or ""),
    }[scope.kind]
    need_chart = charts.need_capacity_chart(
        [
            (domains.get(row.domain_code, row.domain_code), row.mean_need, row.mean_capacity, "")
            for row in profile.domains
            if not row.suppressed
        ]
    )
    share_charts = [
        (
            question_labels.get(shares.question_name, shares.question_name),
            charts.share_chart(
                [
                    (choice_labels.get((shares.question_name, c.value), c.value), c.share)
                    for c in sorted(shares.choices, key=lambda c: -(c.share or 0))
                ]
            ),
        )
        for shares in profile.choice_shares
        if shares.respondents
    ]
    areas = [scope]
    if scope.kind == "municipality" and comparison:
        areas += [Scope.country(comparison.country_code), Scope.region()]
    elif scope.kind == "country":
        areas.append(Scope.region())
    first_page = db.session.scalar(
        select(Page).where(Page.version_id == campaign.version_id).order_by(Page.position).limit(1)
    )
    return ProfileReport(
        campaign=campaign,
        scope=scope,
        scope_name=scope_name,
        country_name=countries.get(country_code) if country_code else None,
        role=role,
        profile=profile,
        comparison=comparison,
        domain_labels=domains,
        question_labels=question_labels,
        choice_labels=choice_labels,
        town_names=towns,
        need_chart=need_chart,
        leave_out_refused=refused,
        share_charts=share_charts,
        indicators=[]
        if profile.details_suppressed
        else _indicator_rows(areas, campaign.id, role, disclosure, leave_out, catalog),
        indicator_areas=areas,
        indicator_page_title=texts.page_title(first_page) if first_page else "",
        free_text=None
        if profile.details_suppressed
        else free_text_page(
            scope,
            campaign.id,
            role,
            text_filter or TextFilter(),
            disclosure,
            catalog=catalog,
            leave_out_self_registered=leave_out,
        ),
    )


def _indicator_rows(
    areas: list[Scope],
    campaign_id: int,
    role: str | None,
    disclosure: Disclosure,
    leave_out: bool,
    catalog: Catalog,
) -> list[IndicatorRow]:
    """The indicators of each area's group (with ``role``), None where it is hidden."""
    columns: list[dict[str, IndicatorFigures] | None] = []
    for area in areas:
        if disclosure.status(area, role) == "suppressed":
            columns.append(None)
            continue
        selection = selection_for(
            area, campaign_id, role, catalog=catalog, leave_out_self_registered=leave_out
        )
        columns.append({f.question_name: f for f in indicator_figures(selection)})
    rows = []
    for name in indicator_questions(catalog):
        cells = [column[name] if column is not None else None for column in columns]
        summary = next((c.summary for c in cells if c is not None), "")
        if summary:
            rows.append(IndicatorRow(name, summary, cells))
    return rows


def _choice_labels(questions: list[Question], texts: Texts) -> dict[tuple[str, str], str]:
    labels = {}
    for question in questions:
        if question.choice_list:
            for choice in question.choice_list.distinct_choices:
                labels[(question.name, choice.value)] = texts.choice_label(
                    question.choice_list.name, choice.value
                )
    return labels


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def profile_csv_rows(report: ProfileReport) -> list[list[str]]:
    """The domain table (with the country and region beside a municipality) as CSV rows."""
    header = ["domain", "domain_label", "respondents", "mean_need", "mean_capacity", "gap"]
    if report.comparison:
        header += ["country_need", "country_capacity", "country_gap"]
        header += ["region_need", "region_capacity", "region_gap"]
        rows = [header]
        for row in report.comparison.rows:
            mine, country, region = row.municipality, row.country, row.region
            rows.append(
                [
                    row.domain_code,
                    report.domain_labels.get(row.domain_code, row.domain_code),
                    "" if mine.respondents is None else str(mine.respondents),
                    _number(mine.mean_need),
                    _number(mine.mean_capacity),
                    _number(mine.gap),
                    _number(country.mean_need),
                    _number(country.mean_capacity),
                    _number(country.gap),
                    _number(region.mean_need),
                    _number(region.mean_capacity),
                    _number(region.gap),
                ]
            )
        return rows
    rows = [header]
    for row in report.profile.domains:
        rows.append(
            [
                row.domain_code,
                report.domain_labels.get(row.domain_code, row.domain_code),
                "" if row.respondents is None else str(row.respondents),
                _number(row.mean_need),
                _number(row.mean_capacity),
                _number(row.gap),
            ]
        )
    return rows
