"""Outreach decisions in the audit log, in the same transaction as the decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveyapp.extensions import db
from surveyapp.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who decided: a staff member (and from where), or nobody (a scheduled job, or a
    recipient opting out, whose address is not kept)."""

    user_id: int | None = None
    ip: str = ""


SYSTEM = Actor()


def note(action: str, target: str, actor: Actor, **details: Any) -> None:
    """Add an audit event to the caller's write transaction (committed with it)."""
    db.session.add(
        AuditEvent(
            action=action,
            target=target,
            user_id=actor.user_id,
            ip=actor.ip[:45],
            details=details or None,
        )
    )
