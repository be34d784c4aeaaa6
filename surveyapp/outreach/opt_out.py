"""Opting out: one click (RFC 8058) or a confirm button, no sign-in. The address is
suppressed for every mail the app sends, and mails still waiting are cancelled."""

from __future__ import annotations

import re
from typing import cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress, suppression_of
from surveyapp.models import Contact
from surveyapp.models.mail import MAIL_CANCELLED, MAIL_QUEUED, SUPPRESSED_OPTED_OUT, OutboundMail
from surveyapp.outreach.audit import SYSTEM, note

#: Tokens are secrets.token_urlsafe(24): 32 URL-safe characters; anything else is no token.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def contact_for_token(token: str) -> Contact | None:
    if not TOKEN.fullmatch(token or ""):
        return None
    return db.session.scalar(select(Contact).where(Contact.opt_out_token == token))


def is_opted_out(contact: Contact) -> bool:
    found = suppression_of(contact.email)
    return found is not None and found.reason == SUPPRESSED_OPTED_OUT


@write_transaction()
def opt_out(token: str, how: str) -> Contact | None:
    """Suppress the address of the contact with this opt-out token (None: no such
    token). ``how`` ("one_click" or "confirmed") goes into the audit log; the
    person's network address does not. Idempotent."""
    contact = contact_for_token(token)
    if contact is None:
        return None
    already = suppression_of(contact.email)
    suppress(contact.email, SUPPRESSED_OPTED_OUT, how)
    cancelled = cast(
        CursorResult,
        db.session.execute(
            update(OutboundMail)
            .where(
                OutboundMail.to_address == contact.email,
                OutboundMail.status == MAIL_QUEUED,
            )
            .values(status=MAIL_CANCELLED)
        ),
    ).rowcount
    if already is None or cancelled:
        note(
            "outreach_opted_out",
            f"contact:{contact.id}",
            SYSTEM,
            how=how,
            mails_cancelled=cancelled,
            earlier=already.reason if already is not None else None,
        )
    db.session.commit()
    return contact
