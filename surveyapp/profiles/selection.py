"""Which questions and which responses a needs-profile figure reads.

``load_catalog`` lists the questions of one campaign's version (or of every
version, newest first) with their domains, measures and choices;
``selection_for`` adds the scope, campaign and role as conditions, both on
the responses (submitted only) and on the count tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql.elements import ColumnElement

from surveyapp.extensions import db
from surveyapp.models import (
    MEASURES,
    ROLES,
    Campaign,
    Choice,
    Country,
    Domain,
    Municipality,
    Page,
    Question,
    Response,
    counts_in_profiles,
)
from surveyapp.profiles.results import Scope, UnknownScope
from surveyapp.questionnaires.question_types import codes

SCORED_TYPES = codes(summary="scores")


@dataclass
class ProfileQuestion:
    """A question as the profiles read it: its domain, measure and choice list."""

    id: int
    name: str
    type: str
    domain: str | None
    measure: str | None
    choice_list_id: int | None
    #: On its version's first page (the page with the lowest position).
    first_page: bool = False

    @property
    def scored(self) -> tuple[str, str] | None:
        """(domain, measure) of a scale question whose scores count towards a domain's
        mean need or capacity; None for any other question."""
        if self.type not in SCORED_TYPES or self.domain is None or self.measure not in MEASURES:
            return None
        return self.domain, self.measure


@dataclass
class Catalog:
    """The questions a profile reads: one campaign's version, or every version."""

    #: By id; several versions may share a name, and figures are kept by name.
    questions: dict[int, ProfileQuestion]
    #: Question names in questionnaire order (newest version first decides).
    order: list[str]
    #: Domain codes by position, and their ids.
    domains: dict[str, int]
    #: Choice values of each question name, in the list's order.
    choices: dict[str, list[str]]

    def ids(self, *types: str) -> list[int]:
        return [q.id for q in self.questions.values() if q.type in types]

    def names(self, *types: str) -> list[str]:
        typed = {q.name for q in self.questions.values() if q.type in types}
        return [name for name in self.order if name in typed]

    def scored_domains(self) -> list[str]:
        used = {q.domain for q in self.questions.values() if q.scored}
        return [code for code in self.domains if code in used]


def load_catalog(campaign_id: int | None) -> Catalog:
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
    first_pages = select(Page.version_id, func.min(Page.position).label("position")).group_by(
        Page.version_id
    )
    if version_id is not None:
        first_pages = first_pages.where(Page.version_id == version_id)
    first_page = {version: position for version, position in db.session.execute(first_pages)}
    query = query.add_columns(Page.position)
    questions: dict[int, ProfileQuestion] = {}
    order: dict[str, None] = {}
    for question, domain, page_position in db.session.execute(query):
        questions[question.id] = ProfileQuestion(
            question.id,
            question.name,
            question.type,
            domain,
            question.measure,
            question.choice_list_id,
            first_page.get(question.version_id) == page_position,
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
    return Catalog(
        questions, list(order), domains, {name: list(values) for name, values in choices.items()}
    )


# --- which responses count ---------------------------------------------------------


#: Conditions on a table with campaign_id, municipality_id and role columns.
Conditions = Callable[[Any], list[ColumnElement]]


@dataclass
class Selection:
    """The questions and the responses a figure reads."""

    catalog: Catalog
    #: Conditions on Response: the submitted responses of the scope.
    filters: list[ColumnElement]
    #: The same scope as conditions on a count table (ProfileCount, ProfileDomainCount).
    counted: Conditions
    #: For the region and a country: the same scope as conditions on
    #: ``ProfileCountryCount`` (the counts added up per country); None for a municipality.
    rolled: Conditions | None = None


def selection_for(
    scope: Scope,
    campaign_id: int | None,
    role: str | None = None,
    catalog: Catalog | None = None,
    leave_out_self_registered: bool = False,
) -> Selection:
    conditions = _conditions(scope, campaign_id, role, leave_out_self_registered)
    return Selection(
        catalog or load_catalog(campaign_id),
        # Held (and rejected) open-link responses are not in the count tables either.
        [Response.status == "submitted", counts_in_profiles(), *conditions(Response)],
        conditions,
        _country_conditions(scope, campaign_id, role, leave_out_self_registered),
    )


def _country_conditions(
    scope: Scope, campaign_id: int | None, role: str | None, leave_out_self_registered: bool
) -> Conditions | None:
    """Conditions on a table with campaign_id, country_id and role: None for a municipality."""
    if scope.kind == "municipality":
        return None
    country_id = None
    if scope.kind == "country":
        country_id = db.session.scalar(select(Country.id).where(Country.code == scope.code))

    def conditions(table: Any) -> list[ColumnElement]:
        result: list[ColumnElement] = []
        if campaign_id is not None:
            result.append(table.campaign_id == campaign_id)
        if leave_out_self_registered:
            result.append(table.self_registered.is_(False))
        if role is not None:
            result.append(table.role == role)
        if country_id is not None:
            result.append(table.country_id == country_id)
        return result

    return conditions


def _conditions(
    scope: Scope,
    campaign_id: int | None,
    role: str | None,
    leave_out_self_registered: bool = False,
) -> Conditions:
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
