"""Audit events of delivery (sent, failed, bounced, not sent), written in the same
transaction as the change of the mail's status, so the log and the outbox agree."""

from __future__ import annotations

from typing import Any

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, OutboundMail


def note(
    action: str, mail: OutboundMail | None, user_id: int | None = None, **details: Any
) -> None:
    """Add one event to the current write transaction (no request user: the workers)."""
    if mail is not None:
        details = {
            "kind": mail.kind,
            "to": mail.to_address,
            "message_id": mail.message_id,
            **({"campaign": mail.campaign_id} if mail.campaign_id else {}),
            **details,
        }
    db.session.add(
        AuditEvent(
            action=action,
            target=f"mail:{mail.id}" if mail is not None else str(details.get("to", ""))[:120],
            user_id=user_id,
            details=details or None,
        )
    )
