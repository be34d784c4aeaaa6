"""Helpers for the outreach tests: contacts, the demo campaign, mails marked as
delivered or bounced (delivery itself is the mail package's, tested there)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress
from surveyapp.models import Campaign, Contact, OutboundMail
from surveyapp.models.base import utcnow
from surveyapp.models.mail import MAIL_BOUNCED, MAIL_SENT
from surveyapp.outreach.audit import Actor
from surveyapp.outreach.contacts import ContactFields, add_contact

PUBLIC_URL = "https://survey.example.org"
STAFF = Actor(None, "127.0.0.1")


def with_public_url(app):
    """The test app with PUBLIC_URL set (links in mails written outside a request)."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    return app


def demo_campaign() -> Campaign:
    return db.session.scalar(select(Campaign).order_by(Campaign.id))


def make_contact(
    email: str,
    municipality: str = "mk-cair",
    role: str = "mayor",
    language: str = "mk",
    name: str = "Ана Петровска",
) -> Contact:
    return add_contact(ContactFields(municipality, name, role, email, language), STAFF)


def mails(**where) -> list[OutboundMail]:
    query = select(OutboundMail).order_by(OutboundMail.id)
    for name, value in where.items():
        query = query.where(getattr(OutboundMail, name) == value)
    return list(db.session.scalars(query))


@write_transaction()
def deliver(mail_ids: list[int] | None = None, at: datetime | None = None) -> None:
    """Mark queued mails as handed to the SMTP server (as a worker would)."""
    for mail in mails():
        if mail.status == "queued" and (mail_ids is None or mail.id in mail_ids):
            mail.status, mail.sent_at, mail.attempts = MAIL_SENT, at or utcnow(), 1
    db.session.commit()


@write_transaction()
def bounce(address: str) -> None:
    """A mail to ``address`` bounced after delivery, and the address is suppressed."""
    for mail in mails(to_address=address):
        mail.status = MAIL_BOUNCED
    suppress(address, "bounced", "550 5.1.1 no such user")
    db.session.commit()
