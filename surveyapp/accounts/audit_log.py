"""The audit log of staff actions, which admins can read."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
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


def recent(limit: int = 200, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).options(joinedload(AuditEvent.user)).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query.limit(limit)))
