"""Queue a mail, and the addresses that must not get one.

A mail is a row (``OutboundMail``) written in the caller's write transaction: if the
transaction rolls back, nothing is sent; if the process dies after the commit, the
row is still due and a worker sends it. Nothing here talks to an SMTP server.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import insert, select

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.mail import MAIL_QUEUED, MailSuppression, OutboundMail


def normalise_address(address: str) -> str:
    """The form addresses are compared and suppressed in (trimmed, lower case)."""
    return address.strip().lower()


def message_id_domain() -> str:
    """The right-hand side of our Message-IDs: MAIL_MESSAGE_ID_DOMAIN, else the
    sender's domain, else "surveyapp.invalid"."""
    configured = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN")
    if configured:
        return str(configured)
    sender = str(current_app.config.get("MAIL_SENDER") or "")
    _, _, domain = sender.rstrip(">").rpartition("@")
    return domain or "surveyapp.invalid"


def _mail_row(
    *,
    kind: str,
    to_address: str,
    language: str,
    subject: str,
    text_body: str,
    to_name: str = "",
    html_body: str | None = None,
    unsubscribe_url: str | None = None,
    campaign_id: int | None = None,
    invitation_id: int | None = None,
    contact_id: int | None = None,
    created_by_id: int | None = None,
    send_after: datetime | None = None,
    domain: str | None = None,
) -> dict:
    now = utcnow()
    return {
        "kind": kind,
        "to_address": to_address.strip(),
        "to_name": to_name,
        "language": language,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "unsubscribe_url": unsubscribe_url,
        "campaign_id": campaign_id,
        "invitation_id": invitation_id,
        "contact_id": contact_id,
        "created_by_id": created_by_id,
        "message_id": make_msgid(domain=domain or message_id_domain()),
        "status": MAIL_QUEUED,
        "created_at": now,
        "send_after": send_after or now,
        "attempts": 0,
    }


def queue_mail(**fields) -> OutboundMail:
    """Record one mail to send, in the caller's write transaction (``write_transaction``).

    The fields are ``OutboundMail``'s (``kind``, ``to_address``, ``language``,
    ``subject``, ``text_body`` required). The bodies are final text: render templates
    (escaping what recipients or staff typed) before calling. Callers check
    ``suppression_of`` first when a suppressed address must be reported rather than
    silently skipped.
    """
    mail = OutboundMail(**_mail_row(**fields))
    db.session.add(mail)
    _note_queued(mail.send_after)
    return mail


def queue_mails(mails: list[dict]) -> int:
    """Record many mails at once (a campaign's invitations): each dict has the fields
    ``queue_mail`` takes. One multi-row statement in the caller's write transaction,
    without an ORM object per mail (at 2,000 mails the objects cost more than the
    rows). Returns how many were queued."""
    if not mails:
        return 0
    domain = message_id_domain()
    rows = [_mail_row(domain=domain, **fields) for fields in mails]
    db.session.execute(insert(OutboundMail), rows)
    _note_queued(min(row["send_after"] for row in rows))
    return len(rows)


def _note_queued(send_after: datetime) -> None:
    # after the commit, a worker is asked to send it (surveyapp.mail.delivery)
    from surveyapp.mail.delivery import note_queued

    note_queued(db.session(), send_after)


def suppression_of(address: str) -> MailSuppression | None:
    """Why ``address`` must not be written to (bounced, opted out), or None."""
    return db.session.scalar(
        select(MailSuppression).where(MailSuppression.address == normalise_address(address))
    )


def suppress(address: str, reason: str, detail: str | None = None) -> MailSuppression:
    """Never write to ``address`` again (in the caller's write transaction). Idempotent:
    an address already suppressed keeps its first reason."""
    existing = suppression_of(address)
    if existing is not None:
        return existing
    row = MailSuppression(address=normalise_address(address), reason=reason, detail=detail)
    db.session.add(row)
    return row
