"""Needs profiles: what municipalities say they need, and can do, per domain.

Plain arguments in, plain dataclasses out; no request, no session, no
commit. Only submitted responses count. Figures are read from counts
aggregated at submit time; Python only adds up the few grouped rows that
come back (at most roles x questions x choices) and never sees an answer row.

How the figures are computed
----------------------------

Every figure but free text comes from two count tables that
``surveyapp.profiles.count_tables`` keeps up to date when a response is submitted
(and can rebuild from the answers: ``flask --app surveyapp profiles
rebuild``), keyed by campaign, municipality and role, so a scope is a filter
on those columns and sums over municipalities and roles are exact:

* ``ProfileCount``: submitted responses per (question, choice), with the
  choice's score, for scale questions (``_scale_counts``); scale
  distributions are these counts, and a domain's mean need or capacity is
  sum(score x count) / sum(count) over its scored answers ("don't know" has
  no score and is left out). For multiple-choice questions, one row per
  ticked value and one (``choice`` == ``ANSWERED``) for the responses that
  answered the question (``_choice_shares``).
* ``ProfileDomainCount``: respondents of a domain, i.e. submitted responses
  with at least one scored answer in it (``_domain_respondents``).

Respondents per role are counted on the responses (``ix_response_status``);
free text is read from the answers, newest first and limited per question.

Without a role filter the domain figures are the sums over roles, so the
role breakdown costs nothing extra, and a role-filtered profile is one
column of it, with the breakdown's suppression applied (``needs_profile``).

Speed: the count tables grow with municipalities x roles x choices, not
with answers: about 100,000 rows at 5,000 responses, and at most some
700,000 (489 municipalities) however many respond. The region groups all of
them; ``ix_profile_count_rollup`` covers that GROUP BY in its order, so
SQLite reads the index without sorting (6x faster than a table scan). At
100,000 submitted responses (3.5 million answer rows) on two cores
(bench/profiles.py): regional profile 0.44 s on SQLite (was 6.6 s grouping
answers) and 0.35-0.40 s on PostgreSQL (was 2.0 s). The next step, if the region
must get faster still, is rows per country as well as per municipality.

Privacy: ``role_breakdown`` hides role groups smaller than ``min_group`` and
applies complementary suppression; see its docstring for the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.sql.elements import ColumnElement

from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Answer,
    Campaign,
    Choice,
    Country,
    Domain,
    Invitation,
    Municipality,
    Page,
    ProfileCount,
    ProfileDomainCount,
    Question,
    Response,
    counts_in_profiles,
)
from surveyapp.models.count_tables import ANSWERED

#: Reports never show a role group with fewer respondents than this.
MIN_GROUP = 5
SCOPE_KINDS = ("region", "country", "municipality")
TEXT_TYPES = ("short_text", "long_text")


class UnknownScope(LookupError):
    """No country or municipality with that code."""


@dataclass(frozen=True)
class Scope:
    """What a profile covers: the region, a country ("MK") or a municipality ("mk-cair")."""

    kind: Literal["region", "country", "municipality"] = "region"
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in SCOPE_KINDS:
            raise ValueError(f"unknown scope kind {self.kind!r}")
        if (self.kind == "region") != (self.code is None):
            raise ValueError("the region has no code; a country or municipality needs one")

    @classmethod
    def region(cls) -> Scope:
        return cls("region")

    @classmethod
    def country(cls, code: str) -> Scope:
        return cls("country", code)

    @classmethod
    def municipality(cls, code: str) -> Scope:
        return cls("municipality", code)


@dataclass
class DomainRow:
    """One domain of a profile. Means are over scored answers ("don't know" left out)."""

    domain_code: str
    #: Responses with at least one scored answer in the domain; None when suppressed.
    respondents: int | None
    mean_need: float | None
    mean_capacity: float | None
    #: need - capacity; None when either is missing.
    gap: float | None
    #: True when privacy rules hide the figures (role-filtered profiles only).
    suppressed: bool = False


@dataclass
class ComparisonRow:
    domain_code: str
    municipality: DomainRow
    country: DomainRow
    region: DomainRow


@dataclass
class Comparison:
    municipality_code: str
    country_code: str
    #: Ranked by the municipality's gap, largest first.
    rows: list[ComparisonRow]


@dataclass
class ChoiceCount:
    value: str
    count: int
    #: count / respondents who answered the question; None when nobody did.
    share: float | None


@dataclass
class ChoiceShares:
    """A multiple-choice question: shares add up to more than 1."""

    question_name: str
    respondents: int
    choices: list[ChoiceCount]


@dataclass
class ScaleDistribution:
    question_name: str
    domain_code: str | None
    measure: str | None
    respondents: int
    #: Every choice of the scale in order, "don't know" included.
    choices: list[ChoiceCount]


@dataclass
class FreeTextAnswer:
    question_name: str
    text: str
    language: str
    municipality_code: str
    submitted_at: datetime | None


@dataclass
class FreeTextGroup:
    question_name: str
    #: All answers to the question in the scope; ``answers`` holds the newest.
    total: int
    answers: list[FreeTextAnswer]


@dataclass
class RoleCell:
    role: str
    #: "shown", "suppressed" (too few respondents, or hidden so that another
    #: cell cannot be worked out) or "empty" (nobody of that role answered).
    status: Literal["shown", "suppressed", "empty"]
    respondents: int | None = None
    mean_need: float | None = None
    mean_capacity: float | None = None


@dataclass
class RoleRow:
    domain_code: str
    #: All respondents of the domain in the scope (the sum of the role groups).
    respondents: int
    cells: list[RoleCell]


@dataclass
class NeedsProfile:
    """Everything a needs-profile page shows, privacy rules applied."""

    scope: Scope
    campaign_id: int | None
    role: str | None
    min_group: int
    #: Submitted responses in the scope (of the role); None when suppressed.
    respondents: int | None
    domains: list[DomainRow]
    role_breakdown: list[RoleRow]
    choice_shares: list[ChoiceShares]
    scale_distributions: list[ScaleDistribution]
    #: For staff only: never put these in an aggregate chart.
    free_text: list[FreeTextGroup]
    #: True when a role filter hides the choice shares and distributions.
    details_suppressed: bool = False
    #: Of ``respondents``, those who came through the open link (0 when left out).
    open_link_respondents: int = 0
    #: True when the open-link responses are left out of the figures.
    self_registered_left_out: bool = False


@dataclass
class RateRow:
    #: Country code, municipality code, or None for the whole campaign.
    code: str | None
    invited: int
    started: int
    submitted: int
    #: started / invited and submitted / invited; None without invitations.
    start_rate: float | None
    response_rate: float | None
    country_code: str | None = None


@dataclass
class CampaignOverview:
    campaign_id: int
    total: RateRow
    countries: list[RateRow]
    municipalities: list[RateRow]
    #: Codes of invited municipalities with no submitted response yet.
    silent_municipalities: list[str] = field(default_factory=list)


# --- the questions of a profile ---------------------------------------------------


@dataclass
class _Question:
    id: int
    name: str
    type: str
    domain: str | None
    measure: str | None
    choice_list_id: int | None


@dataclass
class _Catalog:
    """The questions a profile reads: one campaign's version, or every version."""

    #: By id; several versions may share a name, and figures are kept by name.
    questions: dict[int, _Question]
    #: Question names in questionnaire order (newest version first decides).
    order: list[str]
    #: Domain codes by position, and their ids.
    domains: dict[str, int]
    #: Choice values of each question name, in the list's order.
    choices: dict[str, list[str]]

    def ids(self, *types: str, scored: bool = False) -> list[int]:
        return [
            q.id
            for q in self.questions.values()
            if q.type in types and (not scored or (q.domain and q.measure))
        ]

    def names(self, *types: str) -> list[str]:
        typed = {q.name for q in self.questions.values() if q.type in types}
        return [name for name in self.order if name in typed]

    def scored_domains(self) -> list[str]:
        used = {q.domain for q in self.questions.values() if q.type == "scale" and q.measure}
        return [code for code in self.domains if code in used]


def _catalog(campaign_id: int | None) -> _Catalog:
    version_id = None
    if campaign_id is not None:
        version_id = db.session.scalar(
            select(Campaign.version_id).where(Campaign.id == campaign_id)
        )
        if version_id is None:
            raise LookupError(f"no campaign {campaign_id}")
    query = (
        select(Question, Domain.code)
        .join(Page, Question.page_id == Page.id)
        .outerjoin(Domain, Question.domain_id == Domain.id)
        .order_by(Question.version_id.desc(), Page.position, Question.position)
    )
    if version_id is not None:
        query = query.where(Question.version_id == version_id)
    questions: dict[int, _Question] = {}
    order: dict[str, None] = {}
    for question, domain in db.session.execute(query):
        questions[question.id] = _Question(
            question.id,
            question.name,
            question.type,
            domain,
            question.measure,
            question.choice_list_id,
        )
        order.setdefault(question.name)
    domains = {
        code: domain_id
        for code, domain_id in db.session.execute(
            select(Domain.code, Domain.id).order_by(Domain.position)
        )
    }

    choices: dict[str, dict[str, None]] = defaultdict(dict)
    list_names = defaultdict(set)
    for q in questions.values():
        if q.choice_list_id:
            list_names[q.choice_list_id].add(q.name)
    if list_names:
        rows = db.session.execute(
            select(Choice.choice_list_id, Choice.value)
            .where(Choice.choice_list_id.in_(list_names))
            .order_by(Choice.choice_list_id.desc(), Choice.position)
        )
        for list_id, value in rows:
            for name in list_names[list_id]:
                choices[name].setdefault(value)
    return _Catalog(
        questions, list(order), domains, {name: list(values) for name, values in choices.items()}
    )


# --- which responses count ---------------------------------------------------------


#: Conditions on a table with campaign_id, municipality_id and role columns.
_Conditions = Callable[[Any], list[ColumnElement]]


@dataclass
class _Selection:
    """The questions and the responses a figure reads."""

    catalog: _Catalog
    #: Conditions on Response: the submitted responses of the scope.
    filters: list[ColumnElement]
    #: The same scope as conditions on a count table (ProfileCount, ProfileDomainCount).
    counted: _Conditions


def _selection(
    scope: Scope,
    campaign_id: int | None,
    role: str | None = None,
    catalog: _Catalog | None = None,
    leave_out_self_registered: bool = False,
) -> _Selection:
    conditions = _conditions(scope, campaign_id, role, leave_out_self_registered)
    return _Selection(
        catalog or _catalog(campaign_id),
        # Held (and rejected) open-link responses are not in the count tables either.
        [Response.status == "submitted", counts_in_profiles(), *conditions(Response)],
        conditions,
    )


def _conditions(
    scope: Scope,
    campaign_id: int | None,
    role: str | None,
    leave_out_self_registered: bool = False,
) -> _Conditions:
    """Conditions on the campaign, municipality and role columns of any table, for a scope."""
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    town_id = country_id = None
    if scope.kind == "municipality":
        town_id = db.session.scalar(select(Municipality.id).where(Municipality.code == scope.code))
        if town_id is None:
            raise UnknownScope(f"no municipality {scope.code!r}")
    elif scope.kind == "country":
        country_id = db.session.scalar(select(Country.id).where(Country.code == scope.code))
        if country_id is None:
            raise UnknownScope(f"no country {scope.code!r}")

    def conditions(table: Any) -> list[ColumnElement]:
        result: list[ColumnElement] = []
        if campaign_id is not None:
            result.append(table.campaign_id == campaign_id)
        if leave_out_self_registered:
            result.append(table.self_registered.is_(False))
        if role is not None:
            result.append(table.role == role)
        if town_id is not None:
            result.append(table.municipality_id == town_id)
        elif country_id is not None:
            towns = select(Municipality.id).where(Municipality.country_id == country_id)
            result.append(table.municipality_id.in_(towns.scalar_subquery()))
        return result

    return conditions


# --- scale figures per role --------------------------------------------------------


@dataclass
class _ScaleStats:
    """Grouped counts of a scope, by role. Keys are (role, domain[, measure])."""

    catalog: _Catalog
    respondents: dict[tuple[str, str], int]
    score_sums: dict[tuple[str, str, str], float]
    score_counts: dict[tuple[str, str, str], int]
    #: (role, question name) -> choice value -> answers
    choice_counts: dict[tuple[str, str], dict[str, int]]


def _scale_stats(selection: _Selection) -> _ScaleStats:
    catalog, filters = selection.catalog, selection.counted
    stats = _ScaleStats(catalog, defaultdict(int), defaultdict(float), defaultdict(int), {})
    for row_role, question_id, choice, score, count in _scale_counts(catalog, filters):
        question = catalog.questions[question_id]
        count = int(count)
        counts = stats.choice_counts.setdefault((row_role, question.name), defaultdict(int))
        counts[choice] += count
        if score is not None and question.domain and question.measure:
            key = (row_role, question.domain, question.measure)
            stats.score_sums[key] += score * count
            stats.score_counts[key] += count
    for key, count in _domain_respondents(catalog, filters):
        stats.respondents[key] += count
    return stats


def _scale_counts(catalog: _Catalog, counted: _Conditions) -> Iterable[Any]:
    """(role, question id, choice, score, answers) of the scale questions."""
    scale_ids = catalog.ids("scale")
    if not scale_ids:
        return []
    c = ProfileCount
    return db.session.execute(
        select(c.role, c.question_id, c.choice, c.score, func.sum(c.responses))
        .where(*counted(c), c.question_id.in_(scale_ids))
        .group_by(c.role, c.question_id, c.choice, c.score)
    )


def _domain_respondents(
    catalog: _Catalog, counted: _Conditions
) -> Iterable[tuple[tuple[str, str], int]]:
    """((role, domain), respondents) pairs of the scored domains."""
    codes = {catalog.domains[code]: code for code in catalog.scored_domains()}
    if not codes:
        return
    c = ProfileDomainCount
    rows = db.session.execute(
        select(c.role, c.domain_id, func.sum(c.respondents))
        .where(*counted(c), c.domain_id.in_(codes))
        .group_by(c.role, c.domain_id)
    )
    for role, domain_id, count in rows:
        yield (role, codes[domain_id]), int(count)


def _domain_row(stats: _ScaleStats, domain: str, roles: Iterable[str]) -> DomainRow:
    roles = list(roles)
    respondents = sum(stats.respondents.get((r, domain), 0) for r in roles)
    means = {}
    for measure in ("need", "capacity"):
        n = sum(stats.score_counts.get((r, domain, measure), 0) for r in roles)
        total = sum(stats.score_sums.get((r, domain, measure), 0.0) for r in roles)
        means[measure] = total / n if n else None
    need, capacity = means["need"], means["capacity"]
    gap = need - capacity if need is not None and capacity is not None else None
    return DomainRow(domain, respondents, need, capacity, gap)


def _ranked(rows: list[DomainRow], order: list[str]) -> list[DomainRow]:
    """By gap, largest first; rows without a gap last; ties in domain order."""
    position = {code: i for i, code in enumerate(order)}
    return sorted(
        rows, key=lambda r: (r.gap is None, -(r.gap or 0.0), position.get(r.domain_code, 0))
    )


def _hidden_row(domain: str) -> DomainRow:
    return DomainRow(domain, None, None, None, None, suppressed=True)


# --- public API ----------------------------------------------------------------


def domain_profile(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[DomainRow]:
    """Per domain: respondents, mean need, mean capacity and gap, ranked by gap.

    Raw figures: a role-filtered profile here is not suppressed; pages use
    ``needs_profile``, which applies the privacy rules. Every domain with
    scored questions gets a row, with 0 respondents and no means if nobody
    answered.
    """
    stats = _scale_stats(_selection(scope, campaign_id, role))
    roles = [role] if role else ROLES
    domains = stats.catalog.scored_domains()
    return _ranked([_domain_row(stats, d, roles) for d in domains], domains)


def compare(
    municipality_code: str,
    campaign_id: int | None = None,
    role: str | None = None,
    min_group: int = MIN_GROUP,
    leave_out_self_registered: bool = False,
) -> Comparison:
    """A municipality's domain figures next to its country's and the region's.

    Rows are ranked by the municipality's gap. With a role filter, a cell
    that the role breakdown of its scope hides is suppressed here too.
    """
    country_code = db.session.scalar(
        select(Country.code)
        .join(Municipality, Municipality.country_id == Country.id)
        .where(Municipality.code == municipality_code)
    )
    if country_code is None:
        raise UnknownScope(f"no municipality {municipality_code!r}")
    leave_out = leave_out_self_registered
    scopes = [
        Scope.municipality(municipality_code),
        Scope.country(country_code),
        Scope.region(),
    ]
    catalog = _catalog(campaign_id)
    columns = [
        _profile_rows(
            _selection(scope, campaign_id, catalog=catalog, leave_out_self_registered=leave_out),
            role,
            min_group,
        )
        for scope in scopes
    ]
    domains = list(columns[0])
    rows = [ComparisonRow(d, columns[0][d], columns[1][d], columns[2][d]) for d in domains]
    ranked = _ranked([row.municipality for row in rows], domains)
    by_domain = {row.domain_code: row for row in rows}
    return Comparison(municipality_code, country_code, [by_domain[r.domain_code] for r in ranked])


def _profile_rows(selection: _Selection, role: str | None, min_group: int) -> dict[str, DomainRow]:
    stats = _scale_stats(selection)
    domains = stats.catalog.scored_domains()
    if role is None:
        return {d: _domain_row(stats, d, ROLES) for d in domains}
    hidden = {
        row.domain_code: _cell(row, role).status != "shown" for row in _role_rows(stats, min_group)
    }
    return {d: _hidden_row(d) if hidden[d] else _domain_row(stats, d, [role]) for d in domains}


def _cell(row: RoleRow, role: str) -> RoleCell:
    return next(cell for cell in row.cells if cell.role == role)


def scale_distributions(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[ScaleDistribution]:
    """For each scale question, in questionnaire order: answers per choice, "don't know" too."""
    return _distributions(_scale_stats(_selection(scope, campaign_id, role)), role)


def _distributions(stats: _ScaleStats, role: str | None) -> list[ScaleDistribution]:
    catalog = stats.catalog
    meta = {q.name: q for q in catalog.questions.values()}
    result = []
    for name in catalog.names("scale"):
        counts: dict[str, int] = defaultdict(int)
        for r in [role] if role else ROLES:
            for value, count in stats.choice_counts.get((r, name), {}).items():
                counts[value] += count
        result.append(
            ScaleDistribution(
                name,
                meta[name].domain,
                meta[name].measure,
                sum(counts.values()),
                _choice_counts(catalog.choices.get(name, []), counts),
            )
        )
    return result


def _choice_counts(values: list[str], counts: Mapping[str, int]) -> list[ChoiceCount]:
    answered = sum(counts.values()) if counts else 0
    return _shares(values, counts, answered)


def _shares(values: list[str], counts: Mapping[str, int], respondents: int) -> list[ChoiceCount]:
    extra = [v for v in counts if v not in values]  # values no longer in the list
    return [
        ChoiceCount(v, counts.get(v, 0), counts.get(v, 0) / respondents if respondents else None)
        for v in [*values, *extra]
    ]


def choice_shares(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[ChoiceShares]:
    """For each multiple-choice question: who answered it, and per choice count and share."""
    return _choice_shares(_selection(scope, campaign_id, role))


def _choice_shares(selection: _Selection) -> list[ChoiceShares]:
    catalog = selection.catalog
    ids = catalog.ids("multiple_choice")
    if not ids:
        return []
    answered: dict[str, int] = defaultdict(int)
    ticked: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    c = ProfileCount
    for question_id, value, count in db.session.execute(
        select(c.question_id, c.choice, func.sum(c.responses))
        .where(*selection.counted(c), c.question_id.in_(ids))
        .group_by(c.question_id, c.choice)
    ):
        name = catalog.questions[question_id].name
        if value == ANSWERED:
            answered[name] += int(count)
        else:
            ticked[name][value] += int(count)
    return [
        ChoiceShares(
            name,
            answered[name],
            _shares(catalog.choices.get(name, []), ticked[name], answered[name]),
        )
        for name in catalog.names("multiple_choice")
    ]


def free_text_answers(
    scope: Scope,
    campaign_id: int | None = None,
    role: str | None = None,
    question_name: str | None = None,
    limit: int | None = None,
) -> list[FreeTextAnswer]:
    """Answers to text questions, by question in questionnaire order, newest first.

    For staff only. ``limit`` caps the answers per question.
    """
    return _free_texts(_selection(scope, campaign_id, role), question_name, limit)


def _free_texts(
    selection: _Selection, question_name: str | None, limit: int | None
) -> list[FreeTextAnswer]:
    catalog, filters = selection.catalog, selection.filters
    names = [n for n in catalog.names(*TEXT_TYPES) if question_name in (None, n)]
    result = []
    for name in names:
        ids = [q.id for q in catalog.questions.values() if q.name == name]
        query = (
            select(Answer.text, Response.language, Municipality.code, Response.submitted_at)
            .join(Response, Answer.response_id == Response.id)
            .join(Municipality, Response.municipality_id == Municipality.id)
            .where(*filters, Answer.question_id.in_(ids), Answer.text.is_not(None))
            .order_by(Response.submitted_at.desc(), Answer.id.desc())
            .limit(limit)
        )
        result += [FreeTextAnswer(name, *row) for row in db.session.execute(query)]
    return result


def _free_text_groups(selection: _Selection, limit: int) -> list[FreeTextGroup]:
    catalog = selection.catalog
    ids = catalog.ids(*TEXT_TYPES)
    if not ids:
        return []
    totals: dict[str, int] = defaultdict(int)
    for question_id, count in db.session.execute(
        select(Answer.question_id, func.count())
        .join(Response, Answer.response_id == Response.id)
        .where(*selection.filters, Answer.question_id.in_(ids))
        .where(Answer.text.is_not(None))
        .group_by(Answer.question_id)
    ):
        totals[catalog.questions[question_id].name] += count
    answers = _free_texts(selection, None, limit)
    return [
        FreeTextGroup(name, totals[name], [a for a in answers if a.question_name == name])
        for name in catalog.names(*TEXT_TYPES)
    ]


def suppressed_groups(sizes: Mapping[str, int], min_group: int = MIN_GROUP) -> set[str]:
    """The groups of one table row to hide, given each group's respondents.

    1. A group with 1 to ``min_group - 1`` respondents is hidden.
    2. If that leaves exactly one hidden group, the total would give it away
       by subtraction, so the smallest group still shown is hidden too (the
       first in ``sizes`` order on a tie). If no group is left to hide, an
       empty group is hidden instead, so that readers cannot tell which of
       the two holds the respondents.

    Groups with no respondents are not hidden (they are shown as empty) unless
    rule 2 needs them.
    """
    hidden = {g for g, n in sizes.items() if 0 < n < min_group}
    if len(hidden) == 1:
        order = list(sizes)
        shown = [g for g, n in sizes.items() if g not in hidden and n >= min_group]
        empty = [g for g, n in sizes.items() if n == 0]
        if shown:
            hidden.add(min(shown, key=lambda g: (sizes[g], order.index(g))))
        elif empty:
            hidden.add(empty[0])
    return hidden


def role_breakdown(
    scope: Scope, campaign_id: int | None = None, min_group: int = MIN_GROUP
) -> list[RoleRow]:
    """Per domain and respondent role: respondents, mean need, mean capacity.

    Privacy rule (``suppressed_groups``): in each domain's row, a role group
    with fewer than ``min_group`` respondents is "suppressed" (no numbers). If
    exactly one group of a row is suppressed, the next-smallest group is
    suppressed as well, since the row total (shown elsewhere) minus the
    visible groups would reveal it; where no group is left to hide, an empty
    group is marked suppressed instead. A role with no respondents is
    "empty": no numbers, not even 0. Rows are in domain order.
    """
    return _role_rows(_scale_stats(_selection(scope, campaign_id)), min_group)


def _role_rows(stats: _ScaleStats, min_group: int) -> list[RoleRow]:
    rows = []
    for domain in stats.catalog.scored_domains():
        sizes = {role: stats.respondents.get((role, domain), 0) for role in ROLES}
        hidden = suppressed_groups(sizes, min_group)
        cells = []
        for role in ROLES:
            if role in hidden:
                cells.append(RoleCell(role, "suppressed"))
            elif sizes[role] == 0:
                cells.append(RoleCell(role, "empty"))
            else:
                figures = _domain_row(stats, domain, [role])
                cells.append(
                    RoleCell(role, "shown", sizes[role], figures.mean_need, figures.mean_capacity)
                )
        rows.append(RoleRow(domain, sum(sizes.values()), cells))
    return rows


def _respondents_by_role(selection: _Selection) -> dict[str, int]:
    rows = db.session.execute(
        select(Response.role, func.count()).where(*selection.filters).group_by(Response.role)
    )
    counts = dict.fromkeys(ROLES, 0)
    counts.update({role: count for role, count in rows})
    return counts


def needs_profile(
    scope: Scope,
    campaign_id: int | None = None,
    role: str | None = None,
    min_group: int = MIN_GROUP,
    free_text_limit: int = 50,
    leave_out_self_registered: bool = False,
) -> NeedsProfile:
    """The whole needs profile of a scope, for the review pages.

    With a role filter, a domain whose cell the role breakdown hides is
    suppressed, and so are the choice shares and distributions when the
    role's respondents in the scope would be hidden by the same rule. Free
    text (the newest ``free_text_limit`` per question) is for staff only.
    """
    leave_out = leave_out_self_registered
    everyone = _selection(scope, campaign_id, leave_out_self_registered=leave_out)
    chosen = _selection(
        scope, campaign_id, role, catalog=everyone.catalog, leave_out_self_registered=leave_out
    )
    stats = _scale_stats(everyone)
    breakdown = _role_rows(stats, min_group)
    domains = stats.catalog.scored_domains()
    by_role = _respondents_by_role(everyone)
    if role is None:
        rows = [_domain_row(stats, d, ROLES) for d in domains]
        respondents: int | None = sum(by_role.values())
        details_hidden = False
    else:
        rows = [
            _hidden_row(row.domain_code)
            if _cell(row, role).status != "shown"
            else _domain_row(stats, row.domain_code, [role])
            for row in breakdown
        ]
        details_hidden = role in suppressed_groups(by_role, min_group)
        respondents = None if details_hidden else by_role[role]
    return NeedsProfile(
        scope=scope,
        campaign_id=campaign_id,
        role=role,
        min_group=min_group,
        respondents=respondents,
        domains=_ranked(rows, domains),
        role_breakdown=breakdown,
        choice_shares=[] if details_hidden else _choice_shares(chosen),
        scale_distributions=[] if details_hidden else _distributions(stats, role),
        free_text=_free_text_groups(chosen, free_text_limit),
        details_suppressed=details_hidden,
        open_link_respondents=0 if leave_out else _open_link_respondents(chosen),
        self_registered_left_out=leave_out,
    )


def _open_link_respondents(selection: _Selection) -> int:
    return db.session.scalar(
        select(func.count()).where(*selection.filters, Response.self_registered.is_(True))
    )


def open_link_respondents(scope: Scope, campaign_id: int | None, role: str | None = None) -> int:
    """Submitted responses of the scope (and role) that came through the open link."""
    no_questions = _Catalog({}, [], {}, {})
    return _open_link_respondents(_selection(scope, campaign_id, role, catalog=no_questions))


# --- campaigns -------------------------------------------------------------------


def campaign_overview(campaign_id: int) -> CampaignOverview:
    """Invited, started and submitted per country and per municipality of a campaign.

    Started counts every response (in progress or submitted); rates are over
    invitations. Municipalities are those with at least one invitation.
    """
    if db.session.get(Campaign, campaign_id) is None:
        raise LookupError(f"no campaign {campaign_id}")

    def counted(*columns: Any) -> Any:
        return (
            select(
                *columns,
                func.count(Invitation.id),
                func.count(Response.id),
                func.count(case((Response.status == "submitted", Response.id))),
            )
            .select_from(Invitation)
            .join(Municipality, Invitation.municipality_id == Municipality.id)
            .join(Country, Municipality.country_id == Country.id)
            .outerjoin(Response, Response.invitation_id == Invitation.id)
            .where(Invitation.campaign_id == campaign_id)
        )

    countries = [
        _rate(code, *counts)
        for code, *counts in db.session.execute(
            counted(Country.code)
            .group_by(Country.id, Country.code, Country.position)
            .order_by(Country.position)
        )
    ]
    towns = [
        _rate(code, *counts, country_code=country)
        for code, country, *counts in db.session.execute(
            counted(Municipality.code, Country.code)
            .group_by(Municipality.id, Municipality.code, Country.code, Country.position)
            .order_by(Country.position, Municipality.code)
        )
    ]
    total = _rate(None, *db.session.execute(counted()).one())
    silent = [town.code for town in towns if town.submitted == 0 and town.code]
    return CampaignOverview(campaign_id, total, countries, towns, silent)


def _rate(
    code: str | None, invited: int, started: int, submitted: int, country_code: str | None = None
) -> RateRow:
    return RateRow(
        code,
        invited,
        started,
        submitted,
        started / invited if invited else None,
        submitted / invited if invited else None,
        country_code,
    )
