"""One page of a campaign's responses, filtered, with the export's columns: what the
read-only API serves (``surveyapp.api_access``).

The columns, cells and labels are the export's (``exports``, ``export_columns``):
an analyst gets the same table from the API as from the export page. Only responses
that count are listed (not held for review, rejected, or marked as a test or
invalid), as in the export; ``status`` chooses submitted (the default) or
in-progress ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select

from surveyapp.campaigns.roles import role_name_in
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import ROLES, Campaign, Country, Municipality, Response, counts_in_profiles
from surveyapp.questionnaires.texts import load_texts
from surveyapp.responses.answer_cells import RESPONSE_COLUMNS, AnswerCells, utc
from surveyapp.responses.export_columns import plan_columns

#: The statuses a response can be listed under.
STATUSES = ("submitted", "in_progress")
#: Most responses on one page.
MAX_PER_PAGE = 500


class UnknownFilter(LookupError):
    """A filter names a country, municipality or campaign that does not exist."""


@dataclass(frozen=True)
class ResponseQuery:
    """Which responses, and how: ``labels`` is a language code, or None for codes.
    ``since``/``until`` are days (UTC), inclusive, of submission (of the start for
    in-progress responses)."""

    campaign_id: int
    country: str | None = None
    municipality: str | None = None
    role: str | None = None
    status: str = "submitted"
    since: date | None = None
    until: date | None = None
    labels: str | None = None
    page: int = 1
    per_page: int = 100


@dataclass
class ResponsePage:
    header: list[str]
    rows: list[list[object]]
    total: int
    page: int
    pages: int
    #: Indexes of the columns that hold dates or times (the rest: numbers, text, None).
    time_columns: list[int]


@dataclass(frozen=True)
class Freshness:
    """What changes whenever a page of the query could: the count of the responses it
    selects, the latest change to any of them, and the highest id."""

    total: int
    last_change: datetime | None
    last_id: int

    def tag(self) -> str:
        stamp = self.last_change.isoformat() if self.last_change else "-"
        return f"{self.total}:{stamp}:{self.last_id}"


def conditions(query: ResponseQuery) -> list[ColumnElement[bool]]:
    """The query's filters as conditions on Response; raises UnknownFilter."""
    if query.status not in STATUSES:
        raise ValueError(f"unknown status {query.status!r}")
    if query.role is not None and query.role not in ROLES:
        raise ValueError(f"unknown role {query.role!r}")
    found = db.session.scalar(select(Campaign.id).where(Campaign.id == query.campaign_id))
    if found is None:
        raise UnknownFilter("campaign")
    result: list[ColumnElement[bool]] = [
        Response.campaign_id == query.campaign_id,
        Response.status == query.status,
        counts_in_profiles(),
    ]
    if query.municipality:
        town = db.session.scalar(
            select(Municipality.id).where(Municipality.code == query.municipality)
        )
        if town is None:
            raise UnknownFilter("municipality")
        result.append(Response.municipality_id == town)
    if query.country:
        country = db.session.scalar(select(Country.id).where(Country.code == query.country))
        if country is None:
            raise UnknownFilter("country")
        towns = select(Municipality.id).where(Municipality.country_id == country)
        result.append(Response.municipality_id.in_(towns.scalar_subquery()))
    if query.role:
        result.append(Response.role == query.role)
    moment = Response.submitted_at if query.status == "submitted" else Response.started_at
    if query.since:
        result.append(moment >= datetime.combine(query.since, time.min))
    if query.until:
        result.append(moment < datetime.combine(query.until + timedelta(days=1), time.min))
    return result


def freshness(query: ResponseQuery) -> Freshness:
    """One aggregate query: enough to tell a client that nothing changed."""
    total, last_change, last_id = db.session.execute(
        select(func.count(Response.id), func.max(Response.updated_at), func.max(Response.id)).where(
            *conditions(query)
        )
    ).one()
    return Freshness(total or 0, last_change, last_id or 0)


def response_page(query: ResponseQuery, total: int | None = None) -> ResponsePage:
    """The header and the rows of one page, in id order (``total``: when already counted)."""
    where = conditions(query)
    if total is None:
        total = db.session.scalar(select(func.count(Response.id)).where(*where)) or 0
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    pages = max(1, -(-total // per_page))
    campaign = db.session.get(Campaign, query.campaign_id)
    plan = plan_columns(campaign.version_id)
    texts = load_texts(campaign.version_id, query.labels) if query.labels else None
    cells_of = AnswerCells(plan, texts)
    batch = db.session.execute(
        select(*RESPONSE_COLUMNS)
        .where(*where)
        .order_by(Response.id)
        .limit(per_page)
        .offset((query.page - 1) * per_page)
    ).all()
    rows: list[list[object]] = []
    if batch:
        places = _places(
            {response.municipality_id for response in batch}, query.labels or SOURCE_LANGUAGE
        )
        roles = {role: role_name_in(query.labels, role) for role in ROLES} if query.labels else {}
        cells = cells_of.of_batch([response.id for response in batch])
        empty: list[object] = [None] * cells_of.width
        for response in batch:
            country, code, name = places[response.municipality_id]
            rows.append(
                [
                    response.id,
                    response.submission_id,
                    country,
                    code,
                    name,
                    roles.get(response.role, response.role),
                    response.language,
                    utc(response.started_at),
                    utc(response.submitted_at),
                    1 if response.self_registered else 0,
                    *cells.get(response.id, empty),
                ]
            )
    fixed = len(plan.header) - cells_of.width
    times = [fixed - 3, fixed - 2]  # started_at, submitted_at
    times += [fixed + i for i, kind in enumerate(plan.types) if kind in ("date", "today")]
    return ResponsePage(list(plan.header), rows, total, query.page, pages, times)


def _places(ids: set[int], lang: str) -> dict[int, tuple[str, str, str]]:
    towns = db.session.execute(
        select(Municipality, Country.code)
        .join(Country, Municipality.country_id == Country.id)
        .where(Municipality.id.in_(ids))
    )
    return {town.id: (country, town.code, town.name(lang)) for town, country in towns}
