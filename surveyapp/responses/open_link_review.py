"""Staff review of open-link responses, for campaigns that hold them until accepted.

A held response (``review`` "pending") is in no profile, export or count table;
accepting adds it to the count tables, rejecting an accepted one takes it out
again (the campaign's counts are rebuilt). Either decision can be reversed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Municipality, Response
from surveyapp.models.response import REVIEW_ACCEPTED, REVIEW_PENDING, REVIEW_REJECTED
from surveyapp.profiles import count_rebuild, count_tables

DECISIONS = (REVIEW_ACCEPTED, REVIEW_REJECTED)


@dataclass(frozen=True)
class QueuedResponse:
    response_id: int
    municipality_code: str
    role: str
    language: str
    started_at: datetime
    submitted_at: datetime | None
    #: in_progress or submitted
    status: str
    #: pending, accepted or rejected
    review: str


def queue(campaign_id: int) -> list[QueuedResponse]:
    """The campaign's reviewed open-link responses: waiting ones first, then newest first."""
    rows = db.session.execute(
        select(
            Response.id,
            Municipality.code,
            Response.role,
            Response.language,
            Response.started_at,
            Response.submitted_at,
            Response.status,
            Response.review,
        )
        .join(Municipality, Municipality.id == Response.municipality_id)
        .where(Response.campaign_id == campaign_id, Response.review.is_not(None))
        .order_by(case((Response.review == REVIEW_PENDING, 0), else_=1), Response.id.desc())
    )
    return [QueuedResponse(*row) for row in rows]


def waiting(campaign_id: int) -> int:
    """How many open-link responses wait for a decision."""
    return db.session.scalar(
        select(func.count()).where(
            Response.campaign_id == campaign_id, Response.review == REVIEW_PENDING
        )
    )


def decide(campaign_id: int, response_id: int, decision: str) -> bool:
    """Accept or reject a reviewed response; False when it was already so (or is not one).

    Commits. A submitted response enters the counts when accepted and leaves them
    when an accepted one is rejected.
    """
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    with write_transaction():
        row = db.session.execute(
            select(Response.review, Response.status)
            .where(Response.id == response_id, Response.campaign_id == campaign_id)
            .with_for_update()
        ).one_or_none()
        if row is None or row.review is None or row.review == decision:
            db.session.rollback()
            return False
        db.session.execute(
            update(Response).where(Response.id == response_id).values(review=decision)
        )
        if row.status == "submitted":
            if decision == REVIEW_ACCEPTED:
                count_tables.add_response(response_id)
            elif row.review == REVIEW_ACCEPTED:
                count_rebuild.rebuild(campaign_id)
        db.session.commit()
    return True
