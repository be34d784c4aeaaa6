"""The API's data as plain values (dicts and lists for JSON, rows for CSV), read with
the domain packages' own functions: the same figures and the same suppression as the
pages.

Times are ISO 8601 in UTC (``Z``); codes are the app's stable codes (countries,
municipalities, roles, domains, question and choice names).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import (
    Campaign,
    Country,
    Domain,
    Municipality,
    Question,
    QuestionnaireVersion,
    Response,
)
from surveyapp.profiles import report as profile_report
from surveyapp.profiles.results import DomainRow, Scope
from surveyapp.questionnaires.texts import load_texts, offered_languages, translated_languages
from surveyapp.questionnaires.versions import load_version


def iso(moment: datetime | None) -> str | None:
    """A stored time (naive UTC) as ISO 8601 with its zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- campaigns -----------------------------------------------------------------------


def campaigns(include_archived: bool = False) -> list[dict]:
    """Every campaign (archived ones on request), newest first."""
    query = (
        select(Campaign)
        .options(joinedload(Campaign.version).joinedload(QuestionnaireVersion.questionnaire))
        .order_by(Campaign.id.desc())
    )
    if not include_archived:
        query = query.where(Campaign.archived_at.is_(None))
    return [_campaign(c) for c in db.session.scalars(query)]


def _campaign(campaign: Campaign) -> dict:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "questionnaire": campaign.version.questionnaire.name,
        "questionnaire_version_id": campaign.version_id,
        "opens_at": iso(campaign.opens_at),
        "closes_at": iso(campaign.closes_at),
        "is_open": campaign.is_open(),
        "archived": campaign.archived_at is not None,
        "languages": campaign.languages or offered_languages(campaign.version_id),
    }


CAMPAIGN_COLUMNS = [
    "id",
    "name",
    "questionnaire",
    "questionnaire_version_id",
    "opens_at",
    "closes_at",
    "is_open",
    "archived",
    "languages",
]


# --- places --------------------------------------------------------------------------


def municipalities(country: str | None = None) -> list[dict]:
    """Every municipality (of one country), with its name in each language."""
    query = (
        select(Municipality, Country.code)
        .join(Country, Municipality.country_id == Country.id)
        .order_by(Country.position, Municipality.code)
    )
    if country:
        query = query.where(Country.code == country)
    return [
        {
            "code": town.code,
            "country": country_code,
            "entity": town.entity,
            "name_latn": town.name_latn,
            "name_cyrl": town.name_cyrl,
            "name_sq": town.name_sq,
            "names": {lang: town.name(lang) for lang in LANGUAGES},
        }
        for town, country_code in db.session.execute(query)
    ]


MUNICIPALITY_COLUMNS = ["code", "country", "entity", "name_latn", "name_cyrl", "name_sq"]


def country_codes() -> list[str]:
    return list(db.session.scalars(select(Country.code).order_by(Country.position)))


# --- questionnaires ------------------------------------------------------------------


def questionnaire_versions() -> list[dict]:
    """Every questionnaire version, newest first, with the languages it is translated into."""
    versions = db.session.scalars(
        select(QuestionnaireVersion)
        .options(joinedload(QuestionnaireVersion.questionnaire))
        .order_by(QuestionnaireVersion.id.desc())
    )
    return [_version_summary(v) for v in versions]


def _version_summary(version: QuestionnaireVersion) -> dict:
    return {
        "id": version.id,
        "questionnaire": version.questionnaire.name,
        "number": version.number,
        "status": version.status,
        "published_at": iso(version.published_at),
        "languages": translated_languages(version.id),
        "offered_languages": offered_languages(version.id, version.withdrawn_languages),
    }


QUESTIONNAIRE_COLUMNS = ["id", "questionnaire", "number", "status", "published_at", "languages"]


def questionnaire_version(version_id: int, langs: list[str] | None = None) -> dict | None:
    """A version's pages, questions and choices with their texts in each language (in
    ``langs``, or every language it is translated into); None when there is none."""
    version = load_version(version_id)
    if version is None:
        return None
    summary = _version_summary(version)
    langs = [code for code in (langs or summary["languages"]) if code in LANGUAGES]
    texts = {code: load_texts(version.id, code) for code in langs}
    pages: list[dict] = []
    for page in version.pages:
        questions = []
        for question in page.questions:
            item: dict = {
                "name": question.name,
                "type": question.type,
                "required": question.required,
                "domain": None,
                "measure": question.measure,
                "label": {code: t.label(question) for code, t in texts.items()},
                "hint": {code: t.hint(question) for code, t in texts.items()},
                "choices": [],
            }
            if question.choice_list:
                list_name = question.choice_list.name
                item["choices"] = [
                    {
                        "value": choice.value,
                        "score": choice.score,
                        "label": {
                            code: t.choice_label(list_name, choice.value)
                            for code, t in texts.items()
                        },
                    }
                    for choice in question.choice_list.distinct_choices
                ]
            questions.append(item)
        pages.append(
            {
                "name": page.name,
                "title": {code: t.page_title(page) for code, t in texts.items()},
                "questions": questions,
            }
        )
    domains = _question_domains(version.id)
    for item in pages:
        for question in item["questions"]:
            question["domain"] = domains.get(question["name"])
    return {
        **summary,
        "title": {code: t.title() for code, t in texts.items()},
        "pages": pages,
    }


def _question_domains(version_id: int) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(Question.name, Domain.code)
            .join(Domain, Question.domain_id == Domain.id)
            .where(Question.version_id == version_id)
        ).all()
    )


def questionnaire_rows(detail: dict) -> list[list[object]]:
    """A version as a table: one row per question and choice, a label column per language."""
    langs = list(detail["title"])
    header: list[object] = ["page", "question", "type", "domain", "measure", "choice", "score"]
    header += [f"label_{code}" for code in langs]
    rows: list[list[object]] = [header]
    for page in detail["pages"]:
        for q in page["questions"]:
            base = [page["name"], q["name"], q["type"], q["domain"], q["measure"]]
            rows.append([*base, None, None, *(q["label"][code] for code in langs)])
            for choice in q["choices"]:
                labels = (choice["label"][code] for code in langs)
                rows.append([*base, choice["value"], choice["score"], *labels])
    return rows


# --- needs profiles ------------------------------------------------------------------


def profile(
    campaign: Campaign,
    scope: Scope,
    role: str | None,
    lang: str,
    leave_out_self_registered: bool = False,
) -> dict:
    """The needs profile the page shows for the same campaign, area, role and choice of
    open-link responses, built by the page's own ``build_report``: every group the page
    hides is hidden here (``suppressed``, no figures). Free text, which is individual
    answers, is left out (the responses are in the responses resource)."""
    report = profile_report.build_report(
        campaign, scope, role, lang, leave_out_self_registered=leave_out_self_registered
    )
    p = report.profile
    domain_label = report.domain_labels
    result: dict = {
        "campaign_id": campaign.id,
        "area": scope.code,
        "area_kind": scope.kind,
        "area_name": report.scope_name,
        "role": role,
        "min_group": p.min_group,
        "suppressed": p.details_suppressed,
        "respondents": p.respondents,
        "open_link_respondents": None if p.details_suppressed else p.open_link_respondents,
        "self_registered_left_out": p.self_registered_left_out,
        "leave_out_refused": report.leave_out_refused,
        "domains": [_domain(row, domain_label) for row in p.domains],
        "comparison": None,
        "role_breakdown": [],
        "choice_shares": [],
        "scale_distributions": [],
    }
    if report.comparison:
        result["comparison"] = {
            "country": report.comparison.country_code,
            "rows": [
                {
                    "domain": row.domain_code,
                    "municipality": _domain(row.municipality, domain_label),
                    "country": _domain(row.country, domain_label),
                    "region": _domain(row.region, domain_label),
                }
                for row in report.comparison.rows
            ],
        }
    if p.details_suppressed:
        return result
    if role is None:  # as on the page: the breakdown is of the profile of every role
        result["role_breakdown"] = [
            {
                "domain": row.domain_code,
                "respondents": row.respondents,
                "cells": [
                    {
                        "role": cell.role,
                        "status": cell.status,
                        "respondents": cell.respondents,
                        "mean_need": cell.mean_need,
                        "mean_capacity": cell.mean_capacity,
                    }
                    for cell in row.cells
                ],
            }
            for row in p.role_breakdown
        ]
    labels = report.choice_labels
    result["choice_shares"] = [
        {
            "question": shares.question_name,
            "label": report.question_labels.get(shares.question_name, shares.question_name),
            "respondents": shares.respondents,
            "choices": [
                {
                    "value": c.value,
                    "label": labels.get((shares.question_name, c.value), c.value),
                    "count": c.count,
                    "share": c.share,
                }
                for c in shares.choices
            ],
        }
        for shares in p.choice_shares
    ]
    result["scale_distributions"] = [
        {
            "question": dist.question_name,
            "label": report.question_labels.get(dist.question_name, dist.question_name),
            "domain": dist.domain_code,
            "measure": dist.measure,
            "respondents": dist.respondents,
            "choices": [
                {
                    "value": c.value,
                    "label": labels.get((dist.question_name, c.value), c.value),
                    "count": c.count,
                    "share": c.share,
                }
                for c in dist.choices
            ],
        }
        for dist in p.scale_distributions
    ]
    return result


def _domain(row: DomainRow, labels: dict[str, str]) -> dict:
    return {
        "domain": row.domain_code,
        "label": labels.get(row.domain_code, row.domain_code),
        "suppressed": row.suppressed,
        "respondents": row.respondents,
        "mean_need": row.mean_need,
        "mean_capacity": row.mean_capacity,
        "gap": row.gap,
    }


def profile_rows(data: dict) -> list[list[object]]:
    """The profile's domain table as CSV rows (a hidden group: empty figures)."""
    header: list[object] = [
        "domain",
        "label",
        "suppressed",
        "respondents",
        "mean_need",
        "mean_capacity",
        "gap",
    ]
    rows: list[list[object]] = [header]
    for d in data["domains"]:
        rows.append(
            [d[name] for name in ("domain", "label")]
            + [1 if d["suppressed"] else 0]
            + [d[name] for name in ("respondents", "mean_need", "mean_capacity", "gap")]
        )
    return rows


def profile_fingerprint(campaign: Campaign) -> str:
    """What changes whenever the campaign's profile could: its responses (count, latest
    change, highest id), its smallest group and its questionnaire's texts."""
    total, last_change, last_id = db.session.execute(
        select(func.count(Response.id), func.max(Response.updated_at), func.max(Response.id)).where(
            Response.campaign_id == campaign.id
        )
    ).one()
    revision = db.session.scalar(
        select(QuestionnaireVersion.revision).where(QuestionnaireVersion.id == campaign.version_id)
    )
    stamp = last_change.isoformat() if last_change else "-"
    return f"{total}:{stamp}:{last_id}:{campaign.min_group_size}:{revision}"
