"""Deleting a response and everything attached to it: a respondent's withdrawal
before submitting, a deletion request after it, and staff's decisions.

Every function here writes in one ``write_transaction`` and records what staff
did in the audit log, never the answers themselves. Nothing here knows about HTTP.

Data that later features attach to a response (uploads, say) register an eraser
with ``erases_attached_data``; every deletion here and in ``retention`` runs them
in the same transaction, before the response's rows go.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import selectinload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    AnswerSelection,
    AuditEvent,
    Campaign,
    Invitation,
    Municipality,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.models.erasure import (
    REQUEST_DECLINED,
    REQUEST_DONE,
    REQUEST_PENDING,
    DeletionRequest,
)
from surveyapp.profiles import count_tables

#: How an invitation's answers were erased (``Invitation.erasure``).
WITHDRAWN = "withdrawn"
DELETED = "deleted"

#: Called as ``eraser(connection, response_ids)`` inside the deleting transaction.
AttachedDataEraser = Callable[[Connection, list[int]], None]
_ERASERS: list[AttachedDataEraser] = []


def erases_attached_data(eraser: AttachedDataEraser) -> AttachedDataEraser:
    """Register a function that deletes what a feature attaches to responses (rows,
    files). It runs whenever responses are deleted, before their rows go; a file
    store should delete its files after the commit or tolerate a rollback."""
    _ERASERS.append(eraser)
    return eraser


def delete_response_rows(
    conn: Connection, response_ids: list[int], *, keep_responses: bool = False
) -> None:
    """Delete responses with their attached data, answers and selections (with
    ``keep_responses``, all but the response rows). No commit; the count tables are
    the caller's concern."""
    if not response_ids:
        return
    for eraser in _ERASERS:
        eraser(conn, response_ids)
    answers = select(Answer.id).where(Answer.response_id.in_(response_ids))
    conn.execute(delete(AnswerSelection).where(AnswerSelection.answer_id.in_(answers)))
    conn.execute(delete(Answer).where(Answer.response_id.in_(response_ids)))
    if not keep_responses:
        conn.execute(delete(Response).where(Response.id.in_(response_ids)))


def _locked(response_id: int) -> Response | None:
    return db.session.scalar(select(Response).where(Response.id == response_id).with_for_update())


def _mark_invitation(invitation_id: int, how: str, now: datetime) -> None:
    db.session.execute(
        update(Invitation).where(Invitation.id == invitation_id).values(erased_at=now, erasure=how)
    )


@write_transaction()
def withdraw(response_id: int) -> bool:
    """Delete a response still in progress, at its respondent's wish.

    Returns False, deleting nothing, when it was submitted meanwhile (or is gone).
    The invitation is kept and marked withdrawn: its link starts anew. Nothing
    aggregate changes (responses in progress are not counted).
    """
    response = _locked(response_id)
    if response is None or response.status != "in_progress":
        return False
    invitation_id = response.invitation_id
    db.session.expunge(response)
    delete_response_rows(db.session.connection(), [response_id])
    _mark_invitation(invitation_id, WITHDRAWN, utcnow())
    return True


def erasure_of(invitation_id: int) -> str | None:
    """How the answers given through an invitation were erased (``WITHDRAWN``,
    ``DELETED``), None if never."""
    return db.session.scalar(select(Invitation.erasure).where(Invitation.id == invitation_id))


def request_for(response_id: int) -> DeletionRequest | None:
    """The latest deletion request about a response, if any."""
    return db.session.scalar(
        select(DeletionRequest)
        .where(DeletionRequest.response_id == response_id)
        .order_by(DeletionRequest.id.desc())
        .limit(1)
    )


@write_transaction()
def request_deletion(response_id: int) -> DeletionRequest | None:
    """Record a respondent's request to delete their submitted answers (nothing is
    deleted yet: staff decide). A second request while one is pending returns that
    one. None when the response is not submitted."""
    response = _locked(response_id)
    if response is None or response.status != "submitted":
        return None
    pending = request_for(response_id)
    if pending is not None and pending.status == REQUEST_PENDING:
        return pending
    request = DeletionRequest(
        response_id=response.id,
        campaign_id=response.campaign_id,
        municipality_id=response.municipality_id,
        role=response.role,
        language=response.language,
    )
    db.session.add(request)
    db.session.flush()
    # No address: the respondent's IP is personal data we do not need.
    db.session.add(
        AuditEvent(
            action="deletion_requested",
            target=f"response:{response.id}",
            details={"campaign": response.campaign_id, "request": request.id},
        )
    )
    return request


_WITH_NAMES = (
    selectinload(DeletionRequest.campaign),
    selectinload(DeletionRequest.municipality),
    selectinload(DeletionRequest.decided_by),
)


def pending_requests() -> list[DeletionRequest]:
    return list(
        db.session.scalars(
            select(DeletionRequest)
            .options(*_WITH_NAMES)
            .where(DeletionRequest.status == REQUEST_PENDING)
            .order_by(DeletionRequest.requested_at, DeletionRequest.id)
        )
    )


def decided_requests(limit: int = 50) -> list[DeletionRequest]:
    return list(
        db.session.scalars(
            select(DeletionRequest)
            .options(*_WITH_NAMES)
            .where(DeletionRequest.status != REQUEST_PENDING)
            .order_by(DeletionRequest.decided_at.desc(), DeletionRequest.id.desc())
            .limit(limit)
        )
    )


def find_by_submission_id(submission_id: str) -> Response | None:
    """A response by the submission id staff read in an export (any campaign)."""
    submission_id = (submission_id or "").strip().lower()
    if not submission_id or len(submission_id) > 36:
        return None
    return db.session.scalar(
        select(Response).where(Response.submission_id == submission_id).limit(1)
    )


@dataclass
class ResponseSummary:
    """What staff see of a response before deleting it (no answers)."""

    response_id: int
    submission_id: str
    campaign_name: str
    municipality_code: str
    role: str
    language: str
    status: str
    started_at: datetime
    submitted_at: datetime | None
    pending_request: DeletionRequest | None


def response_summary(response_id: int) -> ResponseSummary | None:
    row = db.session.execute(
        select(
            Response.id,
            Response.submission_id,
            Campaign.name,
            Municipality.code,
            Response.role,
            Response.language,
            Response.status,
            Response.started_at,
            Response.submitted_at,
        )
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(Municipality, Municipality.id == Response.municipality_id)
        .where(Response.id == response_id)
    ).one_or_none()
    if row is None:
        return None
    request = request_for(response_id)
    pending = request if request is not None and request.status == REQUEST_PENDING else None
    return ResponseSummary(*row, pending_request=pending)


@dataclass
class Deleted:
    """What a staff deletion removed, for the flash message and the audit."""

    response_id: int
    campaign_id: int
    was_submitted: bool


@write_transaction()
def delete_response(response_id: int, user_id: int | None, ip: str = "") -> Deleted | None:
    """Delete a response (any status) with its answers, selections and attached data,
    taking a submitted one out of the count tables in the same transaction.

    Pending deletion requests about it become done. The invitation is kept (the
    response rates still show the municipality was invited) but its link takes no
    more answers. The audit keeps who, when, which response and campaign: no answers.
    None when there is no such response.
    """
    response = _locked(response_id)
    if response is None:
        return None
    now = utcnow()
    gone = Deleted(response.id, response.campaign_id, response.status == "submitted")
    invitation_id = response.invitation_id
    db.session.expunge(response)
    conn = db.session.connection()
    count_tables.remove_response(response_id, conn)
    delete_response_rows(conn, [response_id])
    _mark_invitation(invitation_id, DELETED, now)
    requests = db.session.scalars(
        select(DeletionRequest.id).where(
            DeletionRequest.response_id == response_id,
            DeletionRequest.status == REQUEST_PENDING,
        )
    ).all()
    db.session.execute(
        update(DeletionRequest)
        .where(DeletionRequest.id.in_(requests))
        .values(status=REQUEST_DONE, decided_at=now, decided_by_id=user_id)
    )
    db.session.add(
        AuditEvent(
            action="response_deleted",
            target=f"response:{response_id}",
            user_id=user_id,
            ip=ip[:45],
            details={
                "campaign": gone.campaign_id,
                "submitted": gone.was_submitted,
                "requests": list(requests),
            },
        )
    )
    return gone


@write_transaction()
def decline_request(request_id: int, user_id: int | None, reason: str, ip: str = "") -> bool:
    """Keep the response a pending request is about; ``reason`` is shown to the
    respondent. False when the request is not pending (decided meanwhile, unknown)."""
    request = db.session.scalar(
        select(DeletionRequest).where(DeletionRequest.id == request_id).with_for_update()
    )
    if request is None or request.status != REQUEST_PENDING:
        return False
    request.status = REQUEST_DECLINED
    request.decided_at = utcnow()
    request.decided_by_id = user_id
    request.reason = reason.strip()
    db.session.add(
        AuditEvent(
            action="deletion_declined",
            target=f"response:{request.response_id}",
            user_id=user_id,
            ip=ip[:45],
            details={"campaign": request.campaign_id, "request": request.id},
        )
    )
    return True


def test_response_ids(campaign_id: int) -> list[int]:
    """The campaign's responses that staff marked as a test."""
    return list(
        db.session.scalars(
            select(Response.id)
            .where(Response.campaign_id == campaign_id, Response.marked == "test")
            .order_by(Response.id)
        )
    )


@write_transaction()
def delete_test_responses(campaign_id: int, user_id: int | None, ip: str = "") -> int:
    """Delete every response of the campaign marked as a test, in one transaction (each
    as ``delete_response`` does: answers, count tables, its own audit entry), and record
    the bulk deletion; returns how many were deleted."""
    ids = test_response_ids(campaign_id)
    for response_id in ids:
        delete_response(response_id, user_id, ip)
    if ids:
        db.session.add(
            AuditEvent(
                action="test_responses_deleted",
                target=f"campaign:{campaign_id}",
                user_id=user_id,
                ip=ip[:45],
                details={"count": len(ids)},
            )
        )
    return len(ids)
