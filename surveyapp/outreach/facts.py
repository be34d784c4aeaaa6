"""What is known about each contact in a campaign, in one query: their invitation,
their response's status, the mails they were sent, and whether their address is
suppressed. Sending, reminding and the status table all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from surveyapp.extensions import db
from surveyapp.models import (
    Contact,
    Country,
    Invitation,
    MailSuppression,
    Municipality,
    OutboundMail,
    Response,
)
from surveyapp.models.mail import (
    MAIL_BOUNCED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
)
from surveyapp.models.outreach import MAIL_INVITATION, MAIL_REMINDER

#: Mails that count as written to someone: waiting, on their way, delivered or bounced
#: (not those that failed for good or were cancelled).
ACTIVE_MAIL = (MAIL_QUEUED, MAIL_SENDING, MAIL_SENT, MAIL_BOUNCED)
PENDING_MAIL = (MAIL_QUEUED, MAIL_SENDING)


@dataclass(frozen=True)
class Selection:
    """Which contacts: all, or those of one country and/or one role."""

    country: str | None = None
    role: str | None = None


@dataclass
class ContactFacts:
    contact: Contact
    town: Municipality
    country: Country
    #: "bounced" or "opted_out" when the address is suppressed.
    suppressed: str | None
    #: The link made for the contact in this campaign, if any.
    invitation: Invitation | None
    #: "in_progress" or "submitted", None without a response.
    response_status: str | None
    #: Invitation mails and reminders that count (see ACTIVE_MAIL).
    invitation_mails: int
    reminders: int
    #: Mails waiting or on their way.
    pending: int
    #: Mails delivered to the SMTP server, and mails that bounced.
    sent: int
    bounced: int
    last_sent_at: datetime | None
    last_reminder_at: datetime | None

    @property
    def submitted(self) -> bool:
        return self.response_status == "submitted"


def mail_counts(campaign_id: int):
    """Per invitation of the campaign: counts and times of its mails."""
    active = OutboundMail.status.in_(ACTIVE_MAIL)

    def count_of(condition):
        return func.count(case((condition, OutboundMail.id)))

    return (
        select(
            OutboundMail.invitation_id.label("invitation_id"),
            count_of(and_(OutboundMail.kind == MAIL_INVITATION, active)).label("invitations"),
            count_of(and_(OutboundMail.kind == MAIL_REMINDER, active)).label("reminders"),
            count_of(OutboundMail.status.in_(PENDING_MAIL)).label("pending"),
            count_of(OutboundMail.status == MAIL_SENT).label("sent"),
            count_of(OutboundMail.status == MAIL_BOUNCED).label("bounced"),
            func.max(case((OutboundMail.status == MAIL_SENT, OutboundMail.sent_at))).label(
                "last_sent_at"
            ),
            func.max(
                case(
                    (
                        and_(OutboundMail.kind == MAIL_REMINDER, active),
                        func.coalesce(OutboundMail.sent_at, OutboundMail.send_after),
                    )
                )
            ).label("last_reminder_at"),
        )
        .where(OutboundMail.campaign_id == campaign_id, OutboundMail.invitation_id.is_not(None))
        .group_by(OutboundMail.invitation_id)
        .subquery()
    )


def contact_facts(
    campaign_id: int, selection: Selection = Selection(), invited_only: bool = False
) -> list[ContactFacts]:
    """Every contact of the selection, by country, municipality and name."""
    mails = mail_counts(campaign_id)
    query = (
        select(
            Contact,
            Municipality,
            Country,
            MailSuppression.reason,
            Invitation,
            Response.status,
            mails.c.invitations,
            mails.c.reminders,
            mails.c.pending,
            mails.c.sent,
            mails.c.bounced,
            mails.c.last_sent_at,
            mails.c.last_reminder_at,
        )
        .join(Municipality, Contact.municipality_id == Municipality.id)
        .join(Country, Municipality.country_id == Country.id)
        .outerjoin(MailSuppression, MailSuppression.address == Contact.email)
        .outerjoin(
            Invitation,
            and_(Invitation.contact_id == Contact.id, Invitation.campaign_id == campaign_id),
        )
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .outerjoin(mails, mails.c.invitation_id == Invitation.id)
        .order_by(Country.position, Municipality.code, Contact.name, Contact.id)
    )
    if selection.country:
        query = query.where(Country.code == selection.country)
    if selection.role:
        query = query.where(Contact.role == selection.role)
    if invited_only:
        query = query.where(Invitation.id.is_not(None))
    return [
        ContactFacts(
            contact,
            town,
            country,
            reason,
            invitation,
            status,
            invitations or 0,
            reminders or 0,
            pending or 0,
            sent or 0,
            bounced or 0,
            last_sent,
            last_reminder,
        )
        for (
            contact,
            town,
            country,
            reason,
            invitation,
            status,
            invitations,
            reminders,
            pending,
            sent,
            bounced,
            last_sent,
            last_reminder,
        ) in db.session.execute(query)
    ]
