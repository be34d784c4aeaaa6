"""Claiming due mails for a worker, and giving claims back.

A claim sets ``status=sending``, ``claimed_by`` and ``claimed_until``: on PostgreSQL the
rows are chosen with ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers never wait for or
take the same rows), on SQLite the write transaction's lock serialises claims. A worker
renews its claim while its batch goes on; a mail whose worker died is claimed again once
``claimed_until`` has passed.

Due mails that must not go out any more are cancelled here, each with an audit event:
those to an address suppressed meanwhile (a bounce, an opt-out), and invitations or
reminders whose recipient has answered since they were queued.

The rate limit (``MAIL_RATE_PER_MINUTE``, all workers together) is a sliding window over
the outbox itself: a claim takes no more than the limit minus the mails attempted in the
last 60 seconds and those claimed and not yet attempted. On PostgreSQL those claims are
serialised by an advisory transaction lock, on SQLite by the write lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, func, or_, select, text, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail import audit
from surveyapp.models.base import utcnow
from surveyapp.models.mail import (
    MAIL_CANCELLED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MailSuppression,
    OutboundMail,
)
from surveyapp.models.outreach import MAIL_KINDS
from surveyapp.models.response import Response

#: PostgreSQL advisory lock that serialises rate-limited claims (any constant of ours).
_RATE_LOCK = 0x5375_6D61  # "Suma"
#: The rate limit's window.
WINDOW = timedelta(seconds=60)


def config_int(name: str) -> int:
    return int(current_app.config.get(name) or 0)


def due(now: datetime):
    return or_(
        and_(OutboundMail.status == MAIL_QUEUED, OutboundMail.send_after <= now),
        and_(OutboundMail.status == MAIL_SENDING, OutboundMail.claimed_until < now),
    )


def allowance(now: datetime, rate: int) -> int:
    """How many more mails the rate limit lets all workers start now."""
    used = db.session.scalar(
        select(func.count(OutboundMail.id)).where(
            or_(
                OutboundMail.attempted_at > now - WINDOW,
                and_(OutboundMail.status == MAIL_SENDING, OutboundMail.claimed_until >= now),
            )
        )
    )
    return max(0, rate - int(used or 0))


@write_transaction()
def claim_batch(worker: str, size: int, now: datetime | None = None) -> tuple[list[int], int]:
    """Claim up to ``size`` due mails for ``worker``; returns (claimed ids, cancelled count).

    Due mails whose address was suppressed meanwhile (a bounce, an opt-out) are not
    claimed but cancelled, with an audit event.
    """
    now = now or utcnow()
    session = db.session
    rate = config_int("MAIL_RATE_PER_MINUTE")
    postgres = session.get_bind().dialect.name == "postgresql"
    if rate:
        if postgres:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _RATE_LOCK})
        size = min(size, allowance(now, rate))
    if size <= 0:
        return [], 0
    rows = session.execute(
        select(OutboundMail.id, OutboundMail.to_address)
        .where(due(now))
        .order_by(OutboundMail.send_after, OutboundMail.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return [], 0
    suppressed = set(
        session.scalars(
            select(MailSuppression.address).where(
                MailSuppression.address.in_({row.to_address.strip().lower() for row in rows})
            )
        )
    )
    cancelled = [row.id for row in rows if row.to_address.strip().lower() in suppressed]
    # An invitation or reminder queued before its recipient answered is not sent: the
    # response was submitted after the mail was planned (a reminder goes only to
    # people who have not answered).
    answered = set(
        session.scalars(
            select(OutboundMail.id)
            .join(Response, Response.invitation_id == OutboundMail.invitation_id)
            .where(
                OutboundMail.id.in_([row.id for row in rows]),
                OutboundMail.kind.in_(MAIL_KINDS),
                Response.status == "submitted",
            )
        )
    ) - set(cancelled)
    claimed = [row.id for row in rows if row.id not in cancelled and row.id not in answered]
    if cancelled:
        for mail in session.scalars(select(OutboundMail).where(OutboundMail.id.in_(cancelled))):
            mail.status, mail.claimed_by, mail.claimed_until = MAIL_CANCELLED, None, None
            mail.last_error = "the address is suppressed (bounced or opted out)"
            audit.note("mail_not_sent", mail, reason="suppressed")
    if answered:
        for mail in session.scalars(select(OutboundMail).where(OutboundMail.id.in_(answered))):
            mail.status, mail.claimed_by, mail.claimed_until = MAIL_CANCELLED, None, None
            mail.last_error = "the recipient has answered"
            audit.note("mail_not_needed", mail, reason="answered")
        cancelled += sorted(answered)
    if claimed:
        session.execute(
            update(OutboundMail)
            .where(OutboundMail.id.in_(claimed))
            .values(
                status=MAIL_SENDING,
                claimed_by=worker,
                claimed_until=now + timedelta(seconds=config_int("MAIL_CLAIM_SECONDS") or 120),
                attempts=OutboundMail.attempts + 1,
            )
        )
    session.commit()
    return claimed, len(cancelled)


@write_transaction()
def renew_claim(worker: str, ids: list[int], until: datetime) -> int:
    result = db.session.execute(
        update(OutboundMail)
        .where(
            OutboundMail.id.in_(ids),
            OutboundMail.claimed_by == worker,
            OutboundMail.status == MAIL_SENDING,
        )
        .values(claimed_until=until)
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@write_transaction()
def release(worker: str, ids: list[int]) -> None:
    """Give back mails claimed but not tried (an error in this worker): due again at once."""
    db.session.execute(
        update(OutboundMail)
        .where(
            OutboundMail.id.in_(ids),
            OutboundMail.claimed_by == worker,
            OutboundMail.status == MAIL_SENDING,
        )
        .values(
            status=MAIL_QUEUED,
            claimed_by=None,
            claimed_until=None,
            attempts=OutboundMail.attempts - 1,
        )
    )
    db.session.commit()
