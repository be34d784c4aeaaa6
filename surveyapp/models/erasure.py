from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.campaign import Campaign
from surveyapp.models.geo import Municipality
from surveyapp.models.user import User

#: ``DeletionRequest.status``: waiting for staff, the response deleted, or kept.
REQUEST_PENDING = "pending"
REQUEST_DONE = "done"
REQUEST_DECLINED = "declined"


class DeletionRequest(db.Model):
    """A respondent's request, after submitting, that their answers be deleted.

    It outlives the response it names (no foreign key to it): once done, it is the
    record that the answers were deleted, and it holds none of them.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The response asked about (deleted once the request is done).
    response_id: Mapped[int] = mapped_column(index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    #: Copied from the response, for staff to see what they decide about.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    role: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(10), default="")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: pending, done or declined.
    status: Mapped[str] = mapped_column(String(16), default=REQUEST_PENDING, index=True)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    #: Why staff declined (shown to the respondent), or how it was done.
    reason: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship()
    municipality: Mapped[Municipality | None] = relationship()
    decided_by: Mapped[User | None] = relationship()
