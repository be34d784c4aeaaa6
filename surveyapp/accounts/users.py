"""Staff accounts: create, authenticate (with slow-down after failures), manage."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import STAFF_ROLES, User
from surveyapp.models.base import utcnow

MIN_PASSWORD_LENGTH = 8
#: Failures allowed before the account is locked for a while.
FREE_ATTEMPTS = 5


@cache
def _dummy_hash() -> str:
    """A hash to check against when the e-mail is unknown, so timing does not tell.

    Made on first use: scrypt takes 32 MB for a moment, which would otherwise
    raise the peak memory of every process that imports this module.
    """
    return generate_password_hash(secrets.token_hex(8))


class AccountError(ValueError):
    """A request that cannot be carried out; ``code`` says why, for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str, email: str = "") -> str | None:
    """None if the password is acceptable, else a code: "too_short" or "common"."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    folded = password.lower()
    local_part = email.split("@")[0].lower()
    if folded in _common_passwords() or (len(local_part) > 2 and local_part in folded):
        return "common"
    return None


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords, from zxcvbn's frequency lists."""
    return frozenset(FREQUENCY_LISTS["passwords"])


@write_transaction()
def create_user(email: str, password: str, role: str, name: str = "") -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("bad_email")
    if role not in STAFF_ROLES:
        raise AccountError("bad_role")
    if problem := password_problem(password, email):
        raise AccountError(problem)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("exists")
    user = User(
        email=email,
        name=(name or "").strip(),
        role=role,
        password_hash=generate_password_hash(password),
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.commit()
    return user


@dataclass
class LoginResult:
    user: User | None
    #: "ok", "invalid" or "locked"
    outcome: str
    retry_after: timedelta | None = None


@write_transaction()
def authenticate(email: str, password: str) -> LoginResult:
    """Check a login. After FREE_ATTEMPTS failures the account locks, longer each time."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    now = utcnow()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return LoginResult(None, "invalid")
    if user.locked_until and user.locked_until > now:
        return LoginResult(None, "locked", user.locked_until - now)
    if not user.active or not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= FREE_ATTEMPTS:
            minutes = min(2 ** (user.failed_logins - FREE_ATTEMPTS), 60)
            user.locked_until = now + timedelta(minutes=minutes)
        db.session.commit()
        return LoginResult(None, "invalid")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    db.session.commit()
    return LoginResult(user, "ok")


def load_user(session_id: str) -> User | None:
    """The user behind a Flask-Login id ("<id>:<session token>"), if still valid."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


@write_transaction()
def set_password(user: User, password: str) -> None:
    if problem := password_problem(password, user.email):
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password)
    user.session_token = secrets.token_hex(16)  # ends every other session
    db.session.commit()


@write_transaction()
def update_user(user: User, *, role: str, active: bool) -> None:
    """Change role or active flag; an admin cannot demote or lock out the last admin."""
    if role not in STAFF_ROLES:
        raise AccountError("bad_role")
    if user.role == "admin" and (role != "admin" or not active):
        admins = db.session.scalar(
            select(func.count()).select_from(User).where(User.role == "admin", User.active)
        )
        if admins <= 1:
            raise AccountError("last_admin")
    user.role, user.active = role, active
    if not active:
        user.session_token = secrets.token_hex(16)
    db.session.commit()


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
