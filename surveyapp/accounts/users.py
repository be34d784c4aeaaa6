"""Staff accounts: create, authenticate (with slow-down after failures), manage."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from surveyapp.accounts import login_throttle
from surveyapp.accounts.permissions import PERMISSIONS
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import STAFF_ROLES, User
from surveyapp.models.base import utcnow

MIN_PASSWORD_LENGTH = 12
#: Longer passwords are cut here before zxcvbn, whose matching slows down with length
#: (it refuses, with a ValueError, to judge more than this by default).
ZXCVBN_MAX_LENGTH = 72
#: zxcvbn's score (0-4) a password must reach: 3 is "safely unguessable" (about 10^8
#: guesses or more, given the user's own name and e-mail as likely guesses).
MIN_PASSWORD_SCORE = 3


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


def _personal_words(email: str, name: str) -> list[str]:
    """The user's e-mail and name, whole and in pieces, as zxcvbn's user inputs."""
    email, name = email.lower(), (name or "").lower()
    pieces = [email, name, *re.split(r"[^\w]+", email), *re.split(r"[^\w]+", name)]
    return [piece for piece in dict.fromkeys(pieces) if piece]


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """None if the password is acceptable, else a code: "too_short" or "common".

    "common": zxcvbn scores it below MIN_PASSWORD_SCORE (common passwords, words,
    keyboard runs, dates ...), or it contains a piece of the user's name or e-mail.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "too_short"
    words = _personal_words(email, name)
    folded = password.lower()
    if any(len(word) > 3 and word in folded for word in words):
        return "common"
    # Imported here: its dictionaries hold about 13 MB, which a worker (exports, mail)
    # that never judges a password should not carry.
    from zxcvbn import zxcvbn

    judged = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words, max_length=ZXCVBN_MAX_LENGTH)
    if judged["score"] < MIN_PASSWORD_SCORE:
        return "common"
    return None


@write_transaction()
def create_user(email: str, password: str, role: str, name: str = "") -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("bad_email")
    if role not in STAFF_ROLES:
        raise AccountError("bad_role")
    if problem := password_problem(password, email, name):
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
    #: "ok", "invalid", "throttled" (this e-mail address waits) or "address_throttled"
    #: (this client address waits)
    outcome: str
    retry_after: timedelta | None = None


def authenticate(email: str, password: str, address: str = "") -> LoginResult:
    """Check a password, within the limits per client address and per e-mail address.

    Known and unknown e-mail addresses go through the same steps (the same limits,
    one password hash checked) and get the same outcomes. An attempt is counted
    before the password is checked, so parallel attempts cannot exceed the limit;
    a success clears the account's count.
    """
    email = normalise_email(email)
    if wait := login_throttle.address_wait(address):
        return LoginResult(None, "address_throttled", wait)
    if wait := login_throttle.account_wait(email):
        return LoginResult(None, "throttled", wait)
    user = db.session.scalar(select(User).where(User.email == email))
    # End the read transaction before the slow hash: on SQLite a transaction that read
    # first and writes later cannot wait for another writer (it fails at once).
    db.session.commit()
    password_hash = user.password_hash if user is not None else _dummy_hash()
    correct = check_password_hash(password_hash, password)
    if user is None or not user.active or not correct:
        if user is not None:
            _record_failure(user, login_throttle.account_spent_until(email))
        return LoginResult(None, "invalid")
    login_throttle.clear_account(email)
    _record_success(user)
    return LoginResult(user, "ok")


@write_transaction()
def _record_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    db.session.commit()


@write_transaction()
def _record_failure(user: User, wait: timedelta | None) -> None:
    """Keep the count on the account too (for admins), in one atomic UPDATE."""
    values: dict = {"failed_logins": User.failed_logins + 1}
    if wait is not None:
        values["locked_until"] = utcnow() + wait
    db.session.execute(update(User).where(User.id == user.id).values(**values))
    db.session.commit()
    db.session.refresh(user)


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's, for a signed-in user confirming who they are.

    Counted against the account's sign-in limits like a sign-in.
    """
    if login_throttle.account_wait(user.email):
        return False
    if check_password_hash(user.password_hash, password):
        login_throttle.clear_account(user.email)
        return True
    return False


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
    """Set a new password and end every session of the user (the caller signs in again)."""
    if problem := password_problem(password, user.email, user.name):
        raise AccountError(problem)
    user.password_hash = generate_password_hash(password)
    user.session_token = secrets.token_hex(16)  # ends every other session
    db.session.commit()


@write_transaction()
def end_sessions(user: User) -> None:
    """Sign out everywhere: every copy of every session cookie of the user stops working."""
    user.session_token = secrets.token_hex(16)
    db.session.commit()


@write_transaction()
def update_user(user: User, *, role: str, active: bool) -> None:
    """Change role or active flag; an admin cannot demote or lock out the last admin
    (the last active account that may manage accounts)."""
    if role not in STAFF_ROLES:
        raise AccountError("bad_role")
    managers = PERMISSIONS["manage_accounts"]
    if user.role in managers and (role not in managers or not active):
        admins = db.session.scalar(
            select(func.count()).select_from(User).where(User.role.in_(managers), User.active)
        )
        if admins <= 1:
            raise AccountError("last_admin")
    user.role, user.active = role, active
    if not active:
        user.session_token = secrets.token_hex(16)
    db.session.commit()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
