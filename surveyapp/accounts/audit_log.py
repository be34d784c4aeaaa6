"""The audit log of staff actions, which admins can read: recording an entry, and
reading a filtered page of them (``surveyapp.activity`` names what they concern)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import get_timezone
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import AuditEvent

#: What a failed login records when the e-mail field held something else (a password
#: typed in the wrong field must never reach the log).
NOT_AN_EMAIL = "(not an e-mail address)"
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


def typed_email(typed: str) -> str:
    """What a failed login may keep of the e-mail field: the address, or ``NOT_AN_EMAIL``."""
    typed = (typed or "").strip().lower()
    return typed if len(typed) <= 254 and _EMAIL.fullmatch(typed) else NOT_AN_EMAIL


@write_transaction()
def record(
    action: str, target: str = "", user_id: int | None = None, ip: str = "", **details: Any
) -> None:
    """Write one event in its own transaction."""
    db.session.add(
        AuditEvent(
            action=action, target=target, user_id=user_id, ip=ip[:45], details=details or None
        )
    )
    db.session.commit()


#: Entries per page of the audit log.
PER_PAGE = 50
#: ``AuditFilter.user`` for the entries of nobody signed in (failed sign-ins, respondents).
NOBODY = 0


@dataclass
class AuditFilter:
    """The audit log's filters; None means any."""

    #: A staff account's id, or ``NOBODY``.
    user: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    #: Names of the filters whose value was not understood (and so left out).
    ignored: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.user, self.action, self.since, self.until))


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def parse_filter(args: Mapping[str, str]) -> AuditFilter:
    """The filters from a query string; a value that is not understood is left out and
    its name listed in ``ignored``, so the page can say so."""
    chosen = AuditFilter()
    user = (args.get("user") or "").strip()
    if user:
        if user.isdigit() and len(user) < 10:
            chosen.user = int(user)
        else:
            chosen.ignored.append("user")
    action = (args.get("action") or "").strip()
    if action:
        if len(action) <= 40 and action.replace("_", "").isalnum() and action.isascii():
            chosen.action = action
        else:
            chosen.ignored.append("action")
    for name in ("since", "until"):
        value = (args.get(name) or "").strip()
        if value:
            try:
                setattr(chosen, name, date.fromisoformat(value))
            except ValueError:
                chosen.ignored.append(name)
    page = (args.get("page") or "1").strip()
    chosen.page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return chosen


def _conditions(chosen: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if chosen.user == NOBODY:
        conditions.append(AuditEvent.user_id.is_(None))
    elif chosen.user is not None:
        conditions.append(AuditEvent.user_id == chosen.user)
    if chosen.action:
        conditions.append(AuditEvent.action == chosen.action)
    # The days are the staff's own (``BABEL_DEFAULT_TIMEZONE``); ``at`` is stored in UTC.
    if chosen.since:
        conditions.append(AuditEvent.at >= _utc_midnight(chosen.since))
    if chosen.until:
        conditions.append(AuditEvent.at < _utc_midnight(chosen.until + timedelta(days=1)))
    return conditions


def _utc_midnight(day: date) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=get_timezone())
    return local.astimezone(UTC).replace(tzinfo=None)


def audit_page(chosen: AuditFilter, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the entries the filters select, newest first, with their users
    (two queries: the count and the page)."""
    conditions = _conditions(chosen)
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(chosen.page, pages)
    events = db.session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .options(joinedload(AuditEvent.user))
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return AuditPage(list(events), total, page, pages)


def logged_actions() -> list[str]:
    """Every action the log holds, for the action filter (one query on an index)."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))


def recent(limit: int = 10) -> list[AuditEvent]:
    """The latest entries, newest first, with their users (one query)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.user))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
