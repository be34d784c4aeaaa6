"""Outreach: the people the hub writes to, and the texts it writes to them per campaign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.geo import Municipality

#: ``MailTemplate.kind``: the first mail of a campaign, and the ones that follow it.
MAIL_INVITATION = "invitation"
MAIL_REMINDER = "reminder"
MAIL_KINDS = (MAIL_INVITATION, MAIL_REMINDER)


class Contact(db.Model):
    """A person at a municipality whom the hub writes to.

    Whether they opted out or their address bounced is not stored here: the
    address's ``MailSuppression`` row says so, for every mail the app sends.
    """

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: One of ``ROLES`` (the respondent roles).
    role: Mapped[str] = mapped_column(String(32))
    #: Lower-cased (``mail.outbox.normalise_address``); one contact per address.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    #: The language mails are written in (a code of the language registry).
    language: Mapped[str] = mapped_column(String(10))
    #: Unguessable; the one-click opt-out link is /u/<token>. Never shown to staff.
    opt_out_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()


class MailTemplate(db.Model):
    """A campaign's own text of a mail (invitation or reminder) in one language.

    A campaign without rows uses the built-in texts. Serbian Latin has no rows: it is
    the Serbian Cyrillic text, transliterated.
    """

    __tablename__ = "mail_template"
    __table_args__ = (UniqueConstraint("campaign_id", "kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    #: One of ``MAIL_KINDS``.
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(400))
    #: Plain text with placeholders such as {recipient_name}; paragraphs separated by
    #: a blank line. The HTML version is made from it.
    body: Mapped[str] = mapped_column(Text)
    #: Hash of the English subject and body this text was written from (for English,
    #: its own): a translation whose hash differs was made from an older English text.
    source_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
