"""Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238) from an
authenticator app. A code is accepted within one 30-second step either side of
the server's clock, and only once."""

from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy import or_, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import User

ISSUER = "surveyapp"
#: Steps either side of now that still accept a code (clock drift, typing time).
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads (typed or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean(code: str) -> str:
    return "".join((code or "").split())


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code is ``code``, within the valid window, else None."""
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(datetime.now())
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


@write_transaction()
def confirm_enrolment(user: User, secret: str, code: str) -> bool:
    """Turn two-factor sign-in on for ``user`` if ``code`` comes from ``secret``."""
    step = _matching_step(secret, code)
    if step is None:
        return False
    user.totp_secret, user.totp_last_step = secret, step
    db.session.commit()
    return True


@write_transaction()
def verify(user: User, code: str) -> bool:
    """True once per code: the step is recorded with a conditional UPDATE, so the
    same code sent twice (even at the same moment) opens one session."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    accepted = (
        db.session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .returning(User.id)
        ).first()
        is not None
    )
    db.session.commit()
    if accepted:
        user.totp_last_step = step
    return bool(accepted)


@write_transaction()
def turn_off(user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
    db.session.commit()
