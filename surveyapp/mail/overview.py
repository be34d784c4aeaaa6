"""What the staff's "Outgoing mail" page shows: the outbox by status, the mails that
need a look (failed, bounced, waiting to be tried again) with what went wrong in the
page's language (``problems.explain``), and suppressed addresses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.mail.outbox import normalise_address
from surveyapp.mail.problems import Problem, explain
from surveyapp.models.base import utcnow
from surveyapp.models.mail import (
    MAIL_BOUNCED,
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_STATUSES,
    MailSuppression,
    OutboundMail,
)


@dataclass(frozen=True)
class Overview:
    counts: dict[str, int]
    #: Queued mails already due (a worker should be sending them now).
    due_now: int
    problems: list[OutboundMail]
    #: Mail id -> what went wrong with it, for the problems that have an explanation.
    explained: dict[int, Problem]
    suppressions: list[MailSuppression]
    suppressed_total: int


def overview(limit: int = 100) -> Overview:
    counts = dict.fromkeys(MAIL_STATUSES, 0)
    for status, count in db.session.execute(
        select(OutboundMail.status, func.count()).group_by(OutboundMail.status)
    ):
        counts[status] = count
    due_now = db.session.scalar(
        select(func.count())
        .select_from(OutboundMail)
        .where(OutboundMail.status == MAIL_QUEUED, OutboundMail.send_after <= utcnow())
    )
    problems = list(
        db.session.scalars(
            select(OutboundMail)
            .where(
                (OutboundMail.status.in_((MAIL_FAILED, MAIL_BOUNCED)))
                | ((OutboundMail.status == MAIL_QUEUED) & (OutboundMail.attempts > 0))
            )
            .order_by(OutboundMail.id.desc())
            .limit(limit)
        )
    )
    addresses = {normalise_address(mail.to_address) for mail in problems}
    suppressed = set(
        db.session.scalars(
            select(MailSuppression.address).where(MailSuppression.address.in_(addresses))
        )
    )
    explained = {
        mail.id: problem
        for mail in problems
        if (
            problem := explain(
                mail.status, mail.last_error, normalise_address(mail.to_address) in suppressed
            )
        )
        is not None
    }
    suppressions = list(
        db.session.scalars(select(MailSuppression).order_by(MailSuppression.id.desc()).limit(limit))
    )
    total = db.session.scalar(select(func.count()).select_from(MailSuppression))
    return Overview(counts, int(due_now or 0), problems, explained, suppressions, int(total or 0))
