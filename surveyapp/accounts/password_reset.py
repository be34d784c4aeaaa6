"""Staff who forgot their password: a mail with a link that works once, for an hour.

Only a hash of the link's token is stored. Asking gives the same answer for known and
unknown addresses (the view shows one message; the mail goes out from a worker, so the
request takes as long either way, give or take one insert). Setting the new password
uses the same policy as everywhere, uses the link up, and ends every session of the
account; two-factor sign-in, where it is on, still asks for its code.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext, ngettext
from markupsafe import Markup
from sqlalchemy import select, update

from surveyapp.accounts import login_throttle
from surveyapp.accounts.users import (
    AccountError,
    find_user,
    normalise_email,
    password_problem,
    set_password,
)
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import queue_mail
from surveyapp.models import PasswordResetToken, User
from surveyapp.models.base import utcnow

MAIL_KIND = "password_reset"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ResetRequest:
    #: "sent" (a mail is queued), "unknown" (no active account: nothing sent),
    #: "throttled" (this address asked too often: nothing sent, same answer),
    #: "address_throttled" (this client asked too often: told to wait).
    outcome: str
    user_id: int | None = None
    retry_after: timedelta | None = None


def request_reset(
    email: str, address: str, language: str, link_for: Callable[[str], str]
) -> ResetRequest:
    """Queue a reset mail for the account of ``email``, if there is an active one.

    ``link_for(token)`` makes the absolute link the mail carries. The mail is written in
    ``language`` (the page's, which is the current request's catalog).
    """
    email = normalise_email(email)
    if wait := login_throttle.reset_address_wait(address):
        return ResetRequest("address_throttled", retry_after=wait)
    if login_throttle.reset_account_wait(email):
        return ResetRequest("throttled")
    user = find_user(email)
    db.session.commit()  # end the read before the write transaction
    if user is None or not user.active:
        return ResetRequest("unknown")
    _issue(user, language, link_for)
    return ResetRequest("sent", user_id=user.id)


@write_transaction()
def _issue(user: User, language: str, link_for: Callable[[str], str]) -> None:
    now = utcnow()
    max_age = int(current_app.config.get("PASSWORD_RESET_MAX_AGE") or 3600)
    # a new link replaces any earlier one
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=max_age),
        )
    )
    subject, text, html = reset_mail(user, link_for(token), max(1, max_age // 60))
    queue_mail(
        kind=MAIL_KIND,
        to_address=user.email,
        to_name=user.name or "",
        language=language,
        subject=subject,
        text_body=text,
        html_body=html,
    )
    db.session.commit()


def reset_mail(user: User, link: str, minutes: int) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the reset mail, in the current language."""
    subject = gettext("Your link to set a new password")
    greeting = gettext("Hello %(name)s,", name=user.name) if user.name else gettext("Hello,")
    asked = gettext(
        "Someone, probably you, asked to set a new password for the staff account "
        "%(email)s. Open this link to choose a new password:",
        email=user.email,
    )
    expiry = ngettext(
        "The link works once, within %(num)d minute.",
        "The link works once, within %(num)d minutes.",
        minutes,
    )
    ignore = gettext(
        "If you did not ask for this, you can ignore this mail: your password stays as it is."
    )
    text = f"{greeting}\n\n{asked}\n\n{link}\n\n{expiry} {ignore}\n"
    # the catalog's words are ours; every value is escaped
    html = Markup(
        "<p>{greeting}</p>\n<p>{asked}</p>\n"
        '<p style="word-break: break-all"><a href="{link}">{link}</a></p>\n'
        "<p>{expiry} {ignore}</p>\n"
    ).format(greeting=greeting, asked=asked, link=link, expiry=expiry, ignore=ignore)
    return subject, text, str(html)


def valid_token(token: str) -> PasswordResetToken | None:
    """The unused, unexpired token row of an active account, or None."""
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    user = db.session.get(User, row.user_id)
    return row if user is not None and user.active else None


@write_transaction()
def complete_reset(token: str, password: str) -> User:
    """Set the new password and use the link up; raises AccountError ("reset_invalid",
    or the password policy's code, in which case the link still works)."""
    row = valid_token(token)
    if row is None:
        raise AccountError("reset_invalid")
    user = db.session.get(User, row.user_id)
    if user is None:
        raise AccountError("reset_invalid")
    if problem := password_problem(password, user.email, user.name):
        raise AccountError(problem)
    used = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError("reset_invalid")  # used by a request a moment ago
    user.failed_logins, user.locked_until = 0, None
    set_password(user, password)  # commits; new session token: every session ends
    login_throttle.clear_account(user.email)
    return user
