"""The engagement log: what the hub did with each municipality, added, changed,
marked done and deleted one by one (a whole file: ``engagement_import``).

Fields come in as people gave them (``EngagementFields``: codes and a date) and are
checked all at once, so a form can show every problem beside its field.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import (
    ENGAGEMENT_KINDS,
    ENGAGEMENT_STATUSES,
    Country,
    Domain,
    Engagement,
    Municipality,
)
from surveyapp.models.base import utcnow
from surveyapp.profiles.labels import domain_labels

MAX_NOTE_LENGTH = 4000
#: Partner municipalities one engagement may name.
MAX_PARTNERS = 60
#: Dates outside these years are typing mistakes.
FIRST_YEAR, LAST_YEAR = 2000, 2100
PER_PAGE = 100


@dataclass
class EngagementFields:
    """An engagement as given: municipality, domain and partner codes, a date."""

    municipality: str = ""
    kind: str = ""
    held_on: date | None = None
    status: str = "planned"
    domains: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    note: str = ""


class EngagementRefused(ValueError):
    """``problems`` maps a field to what is wrong with it: "required", "unknown",
    "too_long", "out_of_range", "done_in_future" (done on a day still to come),
    "self" (a municipality as its own partner) or "too_many"."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class _Resolved:
    town: Municipality
    domains: list[Domain]
    partners: list[Municipality]
    note: str


def clean_note(note: str) -> str:
    """The note with its lines kept, other control characters and edge spaces dropped."""
    text = normalise_text(note or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def date_problem(day: date | None, status: str, today: date | None = None) -> str | None:
    if day is None:
        return "required"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return "out_of_range"
    if status == "done" and day > (today or utcnow().date()):
        return "done_in_future"
    return None


def _resolve(fields: EngagementFields) -> _Resolved:
    problems: dict[str, str] = {}
    town = None
    if not fields.municipality:
        problems["municipality"] = "required"
    else:
        town = db.session.scalar(
            select(Municipality).where(Municipality.code == fields.municipality)
        )
        if town is None:
            problems["municipality"] = "unknown"
    if not fields.kind:
        problems["kind"] = "required"
    elif fields.kind not in ENGAGEMENT_KINDS:
        problems["kind"] = "unknown"
    if fields.status not in ENGAGEMENT_STATUSES:
        problems["status"] = "unknown"
    elif problem := date_problem(fields.held_on, fields.status):
        problems["held_on"] = problem
    wanted_domains = list(dict.fromkeys(fields.domains))
    domains = list(db.session.scalars(select(Domain).where(Domain.code.in_(wanted_domains))))
    if len(domains) != len(wanted_domains):
        problems["domains"] = "unknown"
    wanted_partners = list(dict.fromkeys(fields.partners))
    partners = list(
        db.session.scalars(select(Municipality).where(Municipality.code.in_(wanted_partners)))
    )
    if len(wanted_partners) > MAX_PARTNERS:
        problems["partners"] = "too_many"
    elif len(partners) != len(wanted_partners):
        problems["partners"] = "unknown"
    elif fields.municipality in wanted_partners:
        problems["partners"] = "self"
    note = clean_note(fields.note)
    if len(note) > MAX_NOTE_LENGTH:
        problems["note"] = "too_long"
    if problems or town is None:
        raise EngagementRefused(problems)
    return _Resolved(town, sorted(domains, key=lambda d: (d.position, d.id)), partners, note)


def _apply(engagement: Engagement, fields: EngagementFields, resolved: _Resolved) -> None:
    engagement.municipality = resolved.town
    engagement.kind = fields.kind
    engagement.held_on = fields.held_on  # type: ignore[assignment]
    engagement.status = fields.status
    engagement.domains = resolved.domains
    engagement.partners = resolved.partners
    engagement.note = resolved.note


def _state(engagement: Engagement) -> tuple:
    return (
        engagement.municipality_id,
        engagement.kind,
        engagement.held_on,
        engagement.status,
        tuple(sorted(d.id for d in engagement.domains)),
        tuple(sorted(m.id for m in engagement.partners)),
        engagement.note,
    )


@write_transaction()
def add_engagement(fields: EngagementFields, recorded_by_id: int | None) -> Engagement:
    """Record an engagement. Raises EngagementRefused (nothing stored) when a field is wrong."""
    resolved = _resolve(fields)
    engagement = Engagement(recorded_by_id=recorded_by_id)
    _apply(engagement, fields, resolved)
    db.session.add(engagement)
    db.session.commit()
    return engagement


@write_transaction()
def update_engagement(engagement_id: int, fields: EngagementFields) -> bool:
    """Change an engagement; whether anything changed. Raises EngagementRefused, and
    LookupError for an engagement that no longer exists."""
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        raise LookupError(engagement_id)
    resolved = _resolve(fields)
    before = _state(engagement)
    _apply(engagement, fields, resolved)
    db.session.flush()
    changed = _state(engagement) != before
    db.session.commit()
    return changed


@write_transaction()
def mark_done(engagement_id: int) -> bool:
    """Mark a planned engagement done; False when it was done already.

    A planned day still to come becomes today: it took place earlier than planned.
    """
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        raise LookupError(engagement_id)
    if engagement.status == "done":
        return False
    engagement.status = "done"
    engagement.held_on = min(engagement.held_on, utcnow().date())
    db.session.commit()
    return True


@write_transaction()
def delete_engagement(engagement_id: int) -> None:
    engagement = db.session.get(Engagement, engagement_id)
    if engagement is None:
        raise LookupError(engagement_id)
    db.session.delete(engagement)
    db.session.commit()


def engagement_with_details(engagement_id: int) -> Engagement | None:
    return db.session.scalar(
        select(Engagement).where(Engagement.id == engagement_id).options(*_details())
    )


def _details():
    return (
        selectinload(Engagement.municipality).selectinload(Municipality.country),
        selectinload(Engagement.domains),
        selectinload(Engagement.partners),
        selectinload(Engagement.recorded_by),
    )


def domain_choices(lang: str) -> list[tuple[str, str]]:
    """(code, label in ``lang``) of every needs-profile domain, in the domains' order."""
    labels = domain_labels(lang)
    order = db.session.scalars(select(Domain.code).order_by(Domain.position, Domain.id))
    return [(code, labels.get(code, code)) for code in order]


# --- the log -----------------------------------------------------------------------


@dataclass
class EngagementFilter:
    country: str | None = None
    municipality: str | None = None
    kind: str | None = None
    status: str | None = None
    domain: str | None = None
    page: int = 1

    def args(self, page: int | None = None) -> dict[str, str | int]:
        """The query string that asks for this filter (and ``page``)."""
        chosen = {
            "country": self.country,
            "area": self.municipality,
            "kind": self.kind,
            "status": self.status,
            "domain": self.domain,
        }
        result: dict[str, str | int] = {k: v for k, v in chosen.items() if v}
        if page and page > 1:
            result["page"] = page
        return result


def parse_filter(args: Mapping[str, str]) -> EngagementFilter:
    """The log's filter from a query string; values that cannot be right are dropped."""
    chosen = EngagementFilter()
    country = (args.get("country") or "").strip()
    if len(country) == 2 and country.isalpha():
        chosen.country = country.upper()
    area = (args.get("area") or "").strip()[:64]
    chosen.municipality = area or None
    kind = args.get("kind") or ""
    chosen.kind = kind if kind in ENGAGEMENT_KINDS else None
    status = args.get("status") or ""
    chosen.status = status if status in ENGAGEMENT_STATUSES else None
    chosen.domain = (args.get("domain") or "").strip()[:40] or None
    page = (args.get("page") or "1").strip()
    chosen.page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    return chosen


@dataclass
class EngagementPage:
    rows: list[Engagement]
    total: int
    page: int
    pages: int
    chosen: EngagementFilter
    planned: int = 0


def list_engagements(chosen: EngagementFilter) -> EngagementPage:
    """One page of the log, newest day first (planned ones to come at the top)."""
    query = (
        select(Engagement)
        .join(Municipality, Engagement.municipality_id == Municipality.id)
        .join(Country, Municipality.country_id == Country.id)
    )
    if chosen.country:
        query = query.where(Country.code == chosen.country)
    if chosen.municipality:
        query = query.where(Municipality.code == chosen.municipality)
    if chosen.kind:
        query = query.where(Engagement.kind == chosen.kind)
    if chosen.status:
        query = query.where(Engagement.status == chosen.status)
    if chosen.domain:
        query = query.where(Engagement.domains.any(Domain.code == chosen.domain))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(chosen.page, pages)
    rows = list(
        db.session.scalars(
            query.options(*_details())
            .order_by(Engagement.held_on.desc(), Municipality.code, Engagement.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    planned = (
        db.session.scalar(
            select(func.count()).select_from(query.where(Engagement.status == "planned").subquery())
        )
        or 0
    )
    return EngagementPage(rows, total, page, pages, chosen, planned)


def engagements_of(municipality_id: int) -> list[Engagement]:
    """Every engagement of a municipality, oldest day first."""
    return list(
        db.session.scalars(
            select(Engagement)
            .where(Engagement.municipality_id == municipality_id)
            .options(*_details())
            .order_by(Engagement.held_on, Engagement.id)
        )
    )
