"""Free-text answers of a needs profile: a page at a time, filtered, within disclosure control.

What may be listed
------------------
* Nothing when the profile's group (area and role) is hidden, nor when the
  group a filter narrows it to is (a country or a municipality of the area,
  a role), nor when every municipality's group in it is (one mayor per
  municipality, say): the page says which (``FreeTextPage.hidden``).
* Otherwise only the answers of municipalities whose own group (with the
  role asked for) is shown. A hidden municipality's answers are listed
  nowhere: not under its name, and not without it in a larger area either,
  where a filter by country, or the difference of two areas, would narrow
  them down to that municipality. Its other answers still count in the
  larger area's figures, as the disclosure rule allows.

So every list is the union of the lists of some shown municipality groups,
and two lists differ by answers of shown groups only. With all roles, a
municipality's list holds the answers of all its roles without saying whose;
what the all-roles list has beyond the shown roles' lists belongs to hidden
roles, at least two of them with at least the minimum of respondents
together (rule 2 of ``surveyapp.profiles.disclosure``), as for every figure.

Filters: question; domain (of the question, offered where text questions
carry one); country (in the region's profile); municipality (in the region's
or a country's); role (when the profile is of all roles). A value that does
not fit the profile is left out and named in ``TextFilter.ignored``.

Paging: ``PER_PAGE`` answers a page, questions in questionnaire order and
the newest answers first within a question; the counts per question come
from the count table kept at submit (``ProfileCount``), the page from LIMIT
and OFFSET.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from surveyapp.extensions import db
from surveyapp.models import ROLES, Answer, Country, Municipality, ProfileCount, Response
from surveyapp.models.count_tables import ANSWERED
from surveyapp.profiles.disclosure import Disclosure
from surveyapp.profiles.question_figures import TEXT_TYPES
from surveyapp.profiles.results import FreeTextAnswer, Scope
from surveyapp.profiles.selection import Catalog, load_catalog, selection_for

#: Answers on one page.
PER_PAGE = 20
#: Query arguments of the filters are these names with this prefix (``text_country``):
#: the profile's own ``area`` and ``role`` stay apart.
ARG_PREFIX = "text_"
FILTERS = ("question", "domain", "country", "municipality", "role")
_MAX_PAGE = 1_000_000
_MAX_VALUE = 64


@dataclass
class TextFilter:
    """What the reader asked for; empty fields filter nothing."""

    question: str | None = None
    domain: str | None = None
    country: str | None = None
    municipality: str | None = None
    role: str | None = None
    page: int = 1
    #: The filters given that did not fit the profile and were left out.
    ignored: list[str] = field(default_factory=list)

    def args(self, page: int | None = None) -> dict[str, str]:
        """The query arguments that ask for this filter (and ``page``, if given)."""
        result = {ARG_PREFIX + name: value for name in FILTERS if (value := getattr(self, name))}
        if page is not None and page > 1:
            result[ARG_PREFIX + "page"] = str(page)
        return result


def parse_text_filter(args: Mapping[str, str]) -> TextFilter:
    """The filter in query arguments (``text_question=...``, ``text_page=2``).

    Checks the form only: a value too long to be a code is left out (and named
    in ``ignored``); a page that is not a positive number is the first. Whether
    the values fit the profile, ``free_text_page`` decides.
    """
    chosen = TextFilter()
    for name in FILTERS:
        value = (args.get(ARG_PREFIX + name) or "").strip()
        if len(value) > _MAX_VALUE or "\x00" in value:
            chosen.ignored.append(name)
        elif value:
            setattr(chosen, name, value)
    page = (args.get(ARG_PREFIX + "page") or "").strip()
    if page:
        if page.isdigit() and 0 < int(page) <= _MAX_PAGE:
            chosen.page = int(page)
        else:
            chosen.ignored.append("page")
    return chosen


@dataclass
class TextChoices:
    """What the filters offer."""

    #: Text questions (of the domain chosen) and their answers under the other filters.
    questions: list[tuple[str, int]]
    #: Domains that text questions carry, in domain order; empty when none does.
    domains: list[str]
    #: Countries to choose from (the region's profile only), in display order.
    countries: list[str]
    #: Municipalities to choose from (the region's or a country's profile, within
    #: the country chosen): those whose answers may be listed, by country (in
    #: display order), then by name.
    municipalities: dict[str, list[str]]
    #: Whether a role can be chosen (the profile is of all roles).
    roles: bool

    def offers(self, municipality: str | None) -> bool:
        """Whether ``municipality`` is among the municipalities to choose from."""
        return any(municipality in codes for codes in self.municipalities.values())


@dataclass
class FreeTextPage:
    chosen: TextFilter
    #: This page's answers.
    answers: list[FreeTextAnswer]
    #: All answers the filters select.
    total: int
    page: int
    pages: int
    per_page: int
    choices: TextChoices
    #: Why nothing is listed: "group" (the profile's group is hidden), "filter"
    #: (the group the filters narrow it to is) or "towns" (that group has
    #: respondents, but every municipality's group in it is hidden); None otherwise.
    hidden: Literal["group", "filter", "towns"] | None = None

    @property
    def first(self) -> int:
        """Position of the page's first answer, from 1 (0 when there are none)."""
        return (self.page - 1) * self.per_page + 1 if self.answers else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.per_page + len(self.answers)


def listable_towns(disclosure: Disclosure, role: str | None) -> list[str]:
    """Codes of the municipalities whose answers may be listed: their group with ``role``
    (None: all roles) is shown."""
    return sorted(
        code
        for kind, code, cell_role in disclosure.sizes
        if kind == "municipality"
        and cell_role == role
        and code
        and disclosure.shown(Scope.municipality(code), role)
    )


def listable_condition(
    disclosure: Disclosure, role: str | None, table: Any = Response
) -> ColumnElement[bool]:
    """A condition on Response (or a count table): its municipality's group with ``role``
    is shown."""
    towns = select(Municipality.id).where(Municipality.code.in_(listable_towns(disclosure, role)))
    return table.municipality_id.in_(towns.scalar_subquery())


def free_text_page(
    scope: Scope,
    campaign_id: int | None,
    role: str | None,
    chosen: TextFilter,
    disclosure: Disclosure,
    *,
    catalog: Catalog | None = None,
    leave_out_self_registered: bool = False,
    per_page: int = PER_PAGE,
) -> FreeTextPage:
    """One page of the free-text answers of a profile (``scope`` and ``role``) under
    the filters ``chosen``, with what the filters can offer.

    ``disclosure`` is the campaign's decision for the view asked for (with or
    without open-link responses, as ``leave_out_self_registered``). A page past
    the last shows the last.
    """
    catalog = catalog or load_catalog(campaign_id)
    chosen = replace(chosen, ignored=list(chosen.ignored))
    towns = _towns(disclosure, role or (chosen.role if chosen.role in ROLES else None))
    _check(chosen, scope, role, catalog, towns)
    who = role or chosen.role
    names = _names(catalog, chosen.domain)
    order = _country_order()
    offered: dict[str, list[str]] = {}
    if scope.kind != "municipality":
        for code, (country, _id) in towns.items():
            if _inside(code, country, scope) and chosen.country in (None, country):
                offered.setdefault(country, []).append(code)
    choices = TextChoices(
        questions=[(name, 0) for name in names],
        domains=_domains(catalog),
        countries=sorted({c for c, _i in towns.values()}, key=order)
        if scope.kind == "region"
        else [],
        municipalities={country: offered[country] for country in sorted(offered, key=order)},
        roles=role is None,
    )
    result = FreeTextPage(chosen, [], 0, 1, 1, per_page, choices)
    area = _area(scope, chosen)
    if disclosure.status(scope, role) == "suppressed":
        result.hidden = "group"
        return result
    if disclosure.status(area, who) == "suppressed" or disclosure.status(scope, who) == (
        "suppressed"
    ):
        result.hidden = "filter"
        return result

    ids = [town_id for code, (country, town_id) in towns.items() if _inside(code, country, area)]
    if not ids and disclosure.size(area, who):
        # Said from the group sizes alone: nothing about the answers themselves.
        result.hidden = "towns"
        return result
    selection = selection_for(
        scope,
        campaign_id,
        who,
        catalog=catalog,
        leave_out_self_registered=leave_out_self_registered,
    )
    question_ids = {q.id: q.name for q in catalog.questions.values() if q.name in names}
    conditions = [
        *selection.filters,
        Response.municipality_id.in_(ids),
        Answer.question_id.in_(question_ids),
        Answer.text.is_not(None),
        Answer.text != "",
    ]
    per_question: dict[str, int] = dict.fromkeys(names, 0)
    c = ProfileCount
    # Counted at submit (``count_tables``): the same answers as ``conditions`` select.
    for question_id, count in db.session.execute(
        select(c.question_id, func.sum(c.responses))
        .where(
            *selection.counted(c),
            c.municipality_id.in_(ids),
            c.question_id.in_(question_ids),
            c.choice == ANSWERED,
        )
        .group_by(c.question_id)
    ):
        per_question[question_ids[question_id]] += int(count)
    choices.questions = list(per_question.items())
    wanted = [n for n in names if chosen.question in (None, n)]
    result.total = sum(per_question[n] for n in wanted)
    result.pages = max(1, -(-result.total // per_page))
    result.page = min(chosen.page, result.pages)
    if not result.total:
        return result
    # One query per question on the page, newest responses first: read from the
    # responses' index (``ix_response_campaign_submitted``) and stopped at the page's
    # end, so a page costs the same however many answers there are.
    skip = (result.page - 1) * per_page
    rows = []
    for name in wanted:
        if len(rows) >= per_page:
            break
        if skip >= per_question[name]:
            skip -= per_question[name]
            continue
        ids_of_name = [q for q, n in question_ids.items() if n == name]
        rows += db.session.execute(
            select(
                Answer.question_id,
                Answer.text,
                Response.language,
                Municipality.code,
                Response.submitted_at,
            )
            .select_from(Response)
            .join(Answer, Answer.response_id == Response.id)
            .join(Municipality, Response.municipality_id == Municipality.id)
            .where(*conditions)
            .where(Answer.question_id.in_(ids_of_name))
            .order_by(Response.submitted_at.desc(), Response.id.desc())
            .limit(per_page - len(rows))
            .offset(skip)
        ).all()
        skip = 0
    result.answers = [
        FreeTextAnswer(question_ids[qid], text, language, town, submitted)
        for qid, text, language, town, submitted in rows
    ]
    return result


def _towns(disclosure: Disclosure, role: str | None) -> dict[str, tuple[str, int]]:
    """Listable municipalities: code -> (country code, id), by code."""
    codes = listable_towns(disclosure, role)
    if not codes:
        return {}
    rows = db.session.execute(
        select(Municipality.code, Country.code, Municipality.id, Municipality.name_latn)
        .join(Country, Municipality.country_id == Country.id)
        .where(Municipality.code.in_(codes))
    )
    # By code: pages list them in the reader's alphabetical order (template filter
    # codes_by_name, languages.collation).
    ordered = sorted(rows, key=lambda row: row[0])
    return {code: (country, town_id) for code, country, town_id, _name in ordered}


def _country_order() -> Callable[[str], tuple[int, str]]:
    order = {
        code: i
        for i, code in enumerate(
            db.session.scalars(select(Country.code).order_by(Country.position))
        )
    }
    return lambda code: (order.get(code, len(order)), code)


def _inside(town: str, country: str, area: Scope) -> bool:
    if area.kind == "municipality":
        return town == area.code
    return area.kind == "region" or country == area.code


def _area(scope: Scope, chosen: TextFilter) -> Scope:
    """The narrowest area the profile and the filters ask for."""
    if chosen.municipality:
        return Scope.municipality(chosen.municipality)
    if chosen.country:
        return Scope.country(chosen.country)
    return scope


def _names(catalog: Catalog, domain: str | None) -> list[str]:
    """Text questions (of ``domain``), in questionnaire order."""
    chosen = {
        q.name
        for q in catalog.questions.values()
        if q.type in TEXT_TYPES and domain in (None, q.domain)
    }
    return [name for name in catalog.order if name in chosen]


def _domains(catalog: Catalog) -> list[str]:
    used = {q.domain for q in catalog.questions.values() if q.type in TEXT_TYPES and q.domain}
    return [code for code in catalog.domains if code in used]


def _check(
    chosen: TextFilter,
    scope: Scope,
    role: str | None,
    catalog: Catalog,
    towns: Mapping[str, tuple[str, int]],
) -> None:
    """Leave out (and name in ``ignored``) the filters that do not fit the profile."""

    def drop(name: str) -> None:
        setattr(chosen, name, None)
        chosen.ignored.append(name)

    if chosen.domain and chosen.domain not in _domains(catalog):
        drop("domain")
    if chosen.question and chosen.question not in _names(catalog, chosen.domain):
        drop("question")
    if chosen.role and (role is not None or chosen.role not in ROLES):
        drop("role")
    countries = db.session.scalars(select(Country.code)).all()
    if chosen.country and (scope.kind != "region" or chosen.country not in countries):
        drop("country")
    if chosen.municipality:
        country = db.session.scalar(
            select(Country.code)
            .join(Municipality, Municipality.country_id == Country.id)
            .where(Municipality.code == chosen.municipality)
        )
        if (
            country is None
            or scope.kind == "municipality"
            or not _inside(chosen.municipality, country, scope)
            or chosen.country not in (None, country)
        ):
            drop("municipality")
