from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.geo import Municipality
from surveyapp.models.questionnaire import QuestionnaireVersion

#: Respondent roles, in the order forms list them.
ROLES = ("mayor", "deputy_mayor", "councillor", "municipal_staff")

#: Open-link registrations allowed per municipality and role in a new campaign.
#: A municipality has one mayor; Kosovo's have a deputy mayor and a deputy mayor for
#: communities, Albania's and Montenegro's larger ones several deputies; councils have
#: 9 to 110 members and staff are many, but a needs assessment hears a handful of each.
DEFAULT_OPEN_LINK_CAPS = {"mayor": 1, "deputy_mayor": 3, "councillor": 15, "municipal_staff": 15}


class Campaign(db.Model):
    """A round of data collection with one questionnaire version."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    opens_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: open until someone closes it.
    closes_at: Mapped[datetime | None]
    #: Token of the campaign's open link (anyone may answer); None: invitations only.
    open_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Open-link registrations allowed per municipality and role ({role: cap}); a role
    #: that is missing or 0: no cap. None: no cap at all.
    open_link_caps: Mapped[dict[str, int] | None] = mapped_column(JSON)
    #: Open-link responses wait for staff to accept them before they count.
    review_open_link: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when staff archive the campaign: hidden from lists unless asked for.
    archived_at: Mapped[datetime | None]
    #: Language codes offered to respondents (a subset of the version's); None: all.
    languages: Mapped[list[str] | None] = mapped_column(JSON)
    #: Smallest group a report may show for this campaign; None: the app's default.
    min_group_size: Mapped[int | None]
    #: Days after closing until ``flask retention apply`` deletes the individual
    #: responses (the count tables stay); None: keep them.
    retention_days: Mapped[int | None]
    #: When the retention run deleted the campaign's personal data; None: not yet.
    personal_data_deleted_at: Mapped[datetime | None]
    #: Outreach: reminders go out by themselves (``outreach.reminders.due_reminders``).
    reminders_automatic: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Outreach: at least this many days between two mails to the same person.
    reminder_interval_days: Mapped[int] = mapped_column(default=7, server_default="7")
    #: Outreach: at most this many reminders per person.
    reminder_limit: Mapped[int] = mapped_column(default=2, server_default="2")

    version: Mapped[QuestionnaireVersion] = relationship()

    def is_open(self, now: datetime | None = None) -> bool:
        return is_open(self.opens_at, self.closes_at, now)

    def personal_data_deleted_on(self) -> datetime | None:
        """When the retention period ends (None: no period, or the campaign never closes)."""
        if self.retention_days is None or self.closes_at is None:
            return None
        return self.closes_at + timedelta(days=self.retention_days)

    def open_link_cap(self, role: str) -> int | None:
        """Open-link registrations allowed per municipality for ``role``; None: no cap."""
        return (self.open_link_caps or {}).get(role) or None


def is_open(opens_at: datetime, closes_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a campaign open from ``opens_at`` until ``closes_at`` takes answers ``now``."""
    now = now or utcnow()
    return opens_at <= now and (closes_at is None or now < closes_at)


class Invitation(db.Model):
    """A personal link to answer a campaign for one municipality and role."""

    #: One link per outreach contact and campaign (links without a contact: any number).
    __table_args__ = (
        UniqueConstraint("campaign_id", "contact_id", name="uq_invitation_campaign_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unguessable, URL-safe; the link is /r/<token>.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    #: One of ROLES.
    role: Mapped[str] = mapped_column(String(32))
    #: Preferred language code, or None to negotiate.
    language: Mapped[str | None] = mapped_column(String(10))
    #: The outreach contact the link was made for (and mailed to); None: anyone's.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    #: True when the respondent created it through the campaign's open link.
    self_registered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the answers given through this link were deleted; None: never.
    erased_at: Mapped[datetime | None]
    #: How: "withdrawn" (by the respondent before submitting: the link starts anew)
    #: or "deleted" (by staff after submitting: the link takes no more answers).
    erasure: Mapped[str | None] = mapped_column(String(16))

    campaign: Mapped[Campaign] = relationship()
    municipality: Mapped[Municipality] = relationship()
