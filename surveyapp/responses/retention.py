"""Retention: a campaign's personal data is deleted a set number of days after it
closes (``Campaign.retention_days``; None keeps it).

Deleted: every answer and selection (free text included), drafts, attached
data, responses that do not count (in progress, rejected), every link token
(replaced by one nobody knows; the link says the answers were deleted) and the
contact each link was made for, the campaign's mails (names, addresses, links), and
the times of each response (set to the closing date). Kept: the count tables, and of
each counted response only its campaign, municipality, role, status and language,
since the profiles' respondent counts, their small-group rule and peer learning's
languages read those rows: the needs profiles stay exactly the same. The audit
log stays; deletion requests stay without municipality, role and language.
Run daily: ``flask --app surveyapp retention apply`` (README, "Retention").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Invitation, Response, counts_in_profiles
from surveyapp.models.base import utcnow
from surveyapp.models.erasure import REQUEST_DONE, REQUEST_PENDING, DeletionRequest
from surveyapp.models.mail import OutboundMail
from surveyapp.responses.erasure import DELETED, delete_response_rows


@dataclass
class Due:
    """A campaign whose retention period is over, and what its run deletes."""

    campaign_id: int
    name: str
    due_since: datetime
    responses: int
    invitations: int


def due_campaigns(now: datetime | None = None) -> list[Due]:
    """Campaigns past their retention period whose personal data is not yet deleted."""
    now = now or utcnow()
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.retention_days.is_not(None),
            Campaign.closes_at.is_not(None),
            Campaign.personal_data_deleted_at.is_(None),
        )
        .order_by(Campaign.id)
    )
    due = []
    for campaign in campaigns:
        ends = campaign.personal_data_deleted_on()
        if ends is not None and ends <= now:
            due.append(Due(campaign.id, campaign.name, ends, *_sizes(campaign.id)))
    return due


def _sizes(campaign_id: int) -> tuple[int, int]:
    responses = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign_id)
    )
    invitations = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == campaign_id)
    )
    return responses, invitations


def apply(now: datetime | None = None, dry_run: bool = False) -> list[Due]:
    """Delete the personal data of every campaign that is due (each in its own
    transaction); with ``dry_run``, only say which."""
    due = due_campaigns(now)
    if not dry_run:
        for item in due:
            erase_personal_data(item.campaign_id)
    return due


@write_transaction()
def erase_personal_data(campaign_id: int, user_id: int | None = None) -> None:
    """Delete a campaign's personal data; keep its counts (see the module's docstring)."""
    now = utcnow()
    closed = db.session.scalar(
        select(Campaign.closes_at).where(Campaign.id == campaign_id).with_for_update()
    )
    responses, invitations = _sizes(campaign_id)
    conn = db.session.connection()
    of_campaign = Response.campaign_id == campaign_id
    # Responses that count lose everything but what the count tables hold anyway.
    counted = list(conn.scalars(select(Response.id).where(of_campaign, *_COUNTED)))
    others = list(conn.scalars(select(Response.id).where(of_campaign, Response.id.not_in(counted))))
    delete_response_rows(conn, others)
    delete_response_rows(conn, counted, keep_responses=True)
    stamp = closed or now
    conn.execute(
        update(Response)
        .where(Response.id.in_(counted))
        .values(
            draft=None,
            consented_at=stamp,
            started_at=stamp,
            updated_at=stamp,
            submitted_at=stamp,
        )
    )
    # Links: every token replaced by a fresh one nobody knows, and marked deleted.
    ids = list(conn.scalars(select(Invitation.id).where(Invitation.campaign_id == campaign_id)))
    if ids:
        conn.execute(
            update(Invitation)
            .where(Invitation.id == bindparam("invitation_id"))
            .values(
                token=bindparam("new_token"),
                erased_at=now,
                erasure=DELETED,
                language=None,
                contact_id=None,
            ),
            [{"invitation_id": i, "new_token": new_token()} for i in ids],
        )
    # The campaign's mails: each held a person's name, address and link.
    conn.execute(delete(OutboundMail).where(OutboundMail.campaign_id == campaign_id))
    conn.execute(
        update(DeletionRequest)
        .where(
            DeletionRequest.campaign_id == campaign_id,
            DeletionRequest.status == REQUEST_PENDING,
        )
        .values(status=REQUEST_DONE, decided_at=now, reason="retention")
    )
    conn.execute(
        update(DeletionRequest)
        .where(DeletionRequest.campaign_id == campaign_id)
        .values(municipality_id=None, role="", language="")
    )
    conn.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(personal_data_deleted_at=now, open_token=None)
    )
    db.session.add(
        AuditEvent(
            action="retention_applied",
            target=f"campaign:{campaign_id}",
            user_id=user_id,
            details={"responses": responses, "invitations": invitations},
        )
    )


#: A response that counts in the profiles (their respondent counts read it).
_COUNTED = (Response.status == "submitted", counts_in_profiles())
