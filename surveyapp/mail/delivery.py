"""Delivering the outbox: workers claim due mails in batches, send them over one SMTP
connection (or to .eml files), and record each outcome as it happens.

The database is the source of truth. ``queue_mail`` writes a row; when that transaction
commits, ``deliver_due`` is queued (``after_commit`` below), and a periodic sweep queues
it every minute too, so a crash between the commit and the queueing loses nothing.

Claims, the cancellations at claim time and the rate limit are in ``claims``.
Each outcome is committed on its own, so a worker killed in
the middle of a batch can have sent at most the one mail it was handing over when it died
without recording it (see the README, "Outgoing mail").
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app
from huey import crontab
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.core.database import listen_once, write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import enqueue, job, periodic_job, schedule
from surveyapp.mail import audit
from surveyapp.mail.claims import WINDOW, claim_batch, config_int, due, release, renew_claim
from surveyapp.mail.message import BadAddress, build_message, parse_sender
from surveyapp.mail.outbox import suppress
from surveyapp.mail.transport import PERMANENT, SENT, Outcome, transport_for
from surveyapp.models.base import utcnow
from surveyapp.models.mail import (
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
    SUPPRESSED_BOUNCED,
    OutboundMail,
)

log = logging.getLogger(__name__)

#: ``session.info`` key: the earliest send time of the mails queued in this transaction.
QUEUED_KEY = "surveyapp.mail.queued"
#: A worker scheduling a wake-up looks this far ahead; the sweep covers the rest.
LOOKAHEAD = timedelta(seconds=65)


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    #: When this worker found nothing it may claim now: when something will be due.
    next_due: datetime | None = None
    outcomes: list[tuple[int, str]] = field(default_factory=list)


def worker_name() -> str:
    """Who claims: host, process, thread and a random part (new for every batch)."""
    thread = threading.get_ident() % 100000
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{thread}:{secrets.token_hex(3)}"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: MAIL_RETRY_SECONDS, doubled after every attempt, capped."""
    base = config_int("MAIL_RETRY_SECONDS") or 60
    cap = config_int("MAIL_RETRY_MAX_SECONDS") or 6 * 3600
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@write_transaction()
def record_outcome(mail_id: int, worker: str, outcome: Outcome, now: datetime | None = None) -> str:
    """Record what happened to one claimed mail, with its audit event; returns the status.

    Only while the claim is still ``worker``'s: a mail another worker has claimed since
    (this one was too slow) is left to that worker.
    """
    now = now or utcnow()
    mail = db.session.scalar(
        select(OutboundMail).where(
            OutboundMail.id == mail_id,
            OutboundMail.claimed_by == worker,
            OutboundMail.status == MAIL_SENDING,
        )
    )
    if mail is None:
        log.warning(
            "mail %s: the claim of %s was lost before its outcome was recorded", mail_id, worker
        )
        db.session.commit()
        return "lost"
    mail.claimed_by, mail.claimed_until, mail.attempted_at = None, None, now
    if outcome.kind == SENT:
        mail.status, mail.sent_at, mail.last_error = MAIL_SENT, now, None
        audit.note("mail_sent", mail)
    elif outcome.kind == PERMANENT or mail.attempts >= (config_int("MAIL_MAX_ATTEMPTS") or 1):
        mail.status, mail.last_error = MAIL_FAILED, outcome.detail
        if outcome.recipient_refused:
            suppress(mail.to_address, SUPPRESSED_BOUNCED, outcome.detail)
        audit.note(
            "mail_failed",
            mail,
            reply=outcome.detail,
            attempts=mail.attempts,
            bounced=outcome.recipient_refused,
        )
    else:
        mail.status, mail.last_error = MAIL_QUEUED, outcome.detail
        mail.send_after = now + retry_delay(mail.attempts)
    status = mail.status
    db.session.commit()
    return status


def deliver_batch(worker: str | None = None) -> BatchReport:
    """Claim one batch and send it over one connection; the report says what happened."""
    worker = worker or worker_name()
    report = BatchReport()
    size = config_int("MAIL_BATCH_SIZE") or 50
    ids, report.cancelled = claim_batch(worker, size)
    report.claimed = len(ids)
    if not ids:
        report.next_due = next_due()
        return report
    if len(ids) == size:
        _queue_delivery()  # there is probably more: let an idle worker start the next batch
    mails = {
        mail.id: mail
        for mail in db.session.scalars(select(OutboundMail).where(OutboundMail.id.in_(ids)))
    }
    db.session.commit()  # end the read: nothing is held while we talk to the server
    config = current_app.config
    sender = str(config.get("MAIL_SENDER"))
    envelope_sender = parse_sender(sender).addr_spec
    transport = transport_for(config, current_app.instance_path)
    ttl = timedelta(seconds=config_int("MAIL_CLAIM_SECONDS") or 120)
    claim_until = utcnow() + ttl
    remaining = list(ids)
    lost_in_a_row = 0
    try:
        while remaining:
            if claim_until - utcnow() < ttl / 2:
                claim_until = utcnow() + ttl
                if not renew_claim(worker, remaining, claim_until):
                    break
            mail_id = remaining.pop(0)
            mail = mails[mail_id]
            try:
                message = build_message(mail, sender)
            except BadAddress as error:
                outcome = Outcome(PERMANENT, f"not an address that mail can be sent to: {error}")
            else:
                outcome = transport.send(message, envelope_sender, mail.to_address)
            status = record_outcome(mail_id, worker, outcome)
            report.outcomes.append((mail_id, status))
            report.sent += status == MAIL_SENT
            report.failed += status == MAIL_FAILED
            report.retried += status == MAIL_QUEUED
            lost_in_a_row = lost_in_a_row + 1 if outcome.connection_lost else 0
            if lost_in_a_row >= 2:
                # the server is not there: the rest of the batch tries again later
                for other in remaining:
                    status = record_outcome(other, worker, outcome)
                    report.retried += status == MAIL_QUEUED
                    report.failed += status == MAIL_FAILED
                remaining = []
    finally:
        transport.close()
        if remaining:
            release(worker, remaining)
    return report


def next_due(now: datetime | None = None) -> datetime | None:
    """When a mail that cannot be claimed now will be: a later send time, a claim
    running out, or room again under the rate limit."""
    now = now or utcnow()
    times = [
        db.session.scalar(
            select(func.min(OutboundMail.send_after)).where(
                OutboundMail.status == MAIL_QUEUED, OutboundMail.send_after > now
            )
        ),
        db.session.scalar(
            select(func.min(OutboundMail.claimed_until)).where(
                OutboundMail.status == MAIL_SENDING, OutboundMail.claimed_until >= now
            )
        ),
    ]
    rate = config_int("MAIL_RATE_PER_MINUTE")
    if rate and db.session.scalar(select(func.count(OutboundMail.id)).where(due(now))):
        oldest = db.session.scalar(
            select(func.min(OutboundMail.attempted_at)).where(
                OutboundMail.attempted_at > now - WINDOW
            )
        )
        if oldest is not None:
            times.append(oldest + WINDOW)
    db.session.commit()
    found = [t for t in times if t is not None]
    return min(found) if found else None


@job("mail.deliver_due", on_worker_start=True)
def deliver_due() -> BatchReport:
    """Send one batch of due mails; an idle worker is asked to start the next one."""
    report = deliver_batch()
    if (
        not report.claimed
        and report.next_due is not None
        and report.next_due - utcnow() < LOOKAHEAD
    ):
        wake_at = report.next_due + timedelta(seconds=1)
        schedule(deliver_due, wake_at, once=wake_at.strftime("%Y%m%d%H%M%S"))
    if report.claimed:
        log.info(
            "mail: %d claimed, %d sent, %d to retry, %d failed",
            report.claimed,
            report.sent,
            report.retried,
            report.failed,
        )
    return report


@periodic_job(crontab(minute="*"), name="mail.sweep")
def sweep() -> None:
    """Every minute: whatever is due (a crash between a commit and its queueing, a claim
    whose worker died, a retry's time) gets a worker."""
    deliver_due()


def deliver_all(limit: int = 100_000) -> BatchReport:
    """Send everything due now, batch after batch, in this process (``flask mail send-due``)."""
    total = BatchReport()
    while total.claimed < limit:
        report = deliver_batch()
        if not report.claimed:
            break
        total.claimed += report.claimed
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
        total.cancelled += report.cancelled
    return total


# --- queueing after the commit ------------------------------------------------------------


def note_queued(session: Session, send_after: datetime) -> None:
    """Called by ``queue_mail``: after this transaction commits, queue a delivery."""
    earliest = session.info.get(QUEUED_KEY)
    if earliest is None or send_after < earliest:
        session.info[QUEUED_KEY] = send_after


def _queue_delivery(at: datetime | None = None) -> None:
    try:
        if at is None or at <= utcnow() + timedelta(seconds=1):
            enqueue(deliver_due)
        elif at - utcnow() < LOOKAHEAD:
            schedule(deliver_due, at, once=at.strftime("%Y%m%d%H%M%S"))
        # later than that: the sweep finds it
    except Exception:  # the queue is down: the periodic sweep sends it instead
        log.warning("mail: could not queue a delivery; the sweep will send it", exc_info=True)


def _after_commit(session: Session) -> None:
    earliest = session.info.pop(QUEUED_KEY, None)
    if earliest is not None:
        _queue_delivery(earliest)


def _after_rollback(session: Session) -> None:
    session.info.pop(QUEUED_KEY, None)


def init_app(app: Flask) -> None:
    # the bounce mailbox's periodic job is declared there
    from surveyapp.mail import bounces  # noqa: F401

    listen_once(Session, "after_commit", _after_commit)
    listen_once(Session, "after_rollback", _after_rollback)
