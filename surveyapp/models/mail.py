from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utcnow

#: ``OutboundMail.status``: waiting to be sent (or retried), being sent by a worker
#: that claimed it, handed to the SMTP server, refused for good (5xx, or too many
#: temporary failures), bounced later (a delivery status notification), or withdrawn
#: by staff before it was sent.
MAIL_QUEUED = "queued"
MAIL_SENDING = "sending"
MAIL_SENT = "sent"
MAIL_FAILED = "failed"
MAIL_BOUNCED = "bounced"
MAIL_CANCELLED = "cancelled"
MAIL_STATUSES = (MAIL_QUEUED, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_BOUNCED, MAIL_CANCELLED)

#: ``MailSuppression.reason``: an address the app never writes to again.
SUPPRESSED_BOUNCED = "bounced"
SUPPRESSED_OPTED_OUT = "opted_out"


class OutboundMail(db.Model):
    """One mail to one recipient: written in the same transaction as the decision to
    send it, and sent by a worker once due. The database is the source of truth; the
    job queue only says "look now"."""

    __tablename__ = "outbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What it is: "invitation", "reminder", "password_reset", ...
    kind: Mapped[str] = mapped_column(String(32), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), index=True)
    #: The outreach contact it is addressed to (no foreign key: mails outlive contacts).
    contact_id: Mapped[int | None] = mapped_column(index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    #: The language the mail is written in (Content-Language).
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(400))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    #: One-click opt-out address (List-Unsubscribe, RFC 8058); None: not a bulk mail.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    #: Message-ID, fixed when the mail is queued so that every attempt carries the same.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=MAIL_QUEUED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    #: Not before this time (a scheduled send, or the next retry after a failure).
    send_after: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Which worker claimed it, and until when the claim holds (then it may be retried).
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    #: When a worker last tried to hand it to the SMTP server (the rate limit counts these).
    attempted_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class MailSuppression(db.Model):
    """An address the app does not write to: it bounced, or its owner opted out."""

    __tablename__ = "mail_suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased e-mail address.
    address: Mapped[str] = mapped_column(String(320), unique=True)
    reason: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The SMTP reply or DSN status that caused it, for staff.
    detail: Mapped[str | None] = mapped_column(Text)
