"""Personal access tokens for the read-only API: made by a staff member for their own
account, shown once, kept as a hash, with a scope and an expiry, revocable.

The secret is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 is
enough to keep it: a slow password hash (scrypt) is there to make guessing a
*low-entropy* password costly, and nobody can guess 256 random bits, however fast
the hash. A fast hash also lets every API request find its token with one indexed
lookup, where a salted hash would have to be tried against every token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import API_SCOPES, ApiToken, AuditEvent, User
from surveyapp.models.base import utcnow

#: Every secret starts with this, so a leaked one is easy to recognise (secret scanners).
SECRET_PREFIX = "sva_"  # nosec B105: a prefix, not a secret
#: The lifetimes a token may be given, in days; the longest is a year.
LIFETIMES = (30, 90, 180, 365)
DEFAULT_LIFETIME = 90
#: Characters of the secret kept in clear to tell tokens apart (after SECRET_PREFIX).
SHOWN_CHARACTERS = 6
MAX_NAME_LENGTH = 80


class TokenError(ValueError):
    """A token could not be made: ``code`` says why (for a message in the user's language)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is shown to its owner this once and kept nowhere."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@write_transaction()
def create_token(user: User, name: str, scope: str, lifetime_days: int) -> NewToken:
    """Make a token for ``user``; raises TokenError ("name", "scope", "lifetime")."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise TokenError("name")
    if scope not in API_SCOPES:
        raise TokenError("scope")
    if lifetime_days not in LIFETIMES:
        raise TokenError("lifetime")
    random_part = secrets.token_urlsafe(32)
    secret = SECRET_PREFIX + random_part
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_secret(secret),
        prefix=SECRET_PREFIX + random_part[:SHOWN_CHARACTERS],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    db.session.add(token)
    db.session.commit()
    return NewToken(token, secret)


def tokens_of(user_id: int) -> list[ApiToken]:
    """A staff member's tokens, newest first (revoked and expired ones too)."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        )
    )


def status(token: ApiToken, now: datetime | None = None) -> str:
    """ "active", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


@write_transaction()
def revoke(user_id: int, token_id: int) -> ApiToken | None:
    """Revoke one of ``user_id``'s own tokens (already revoked: unchanged); None when
    the token is not theirs."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.commit()
    return token


#: Why a request's token was refused.
REFUSALS = ("missing", "unknown", "expired", "revoked", "inactive")


class TokenRefused(PermissionError):
    def __init__(self, reason: str, token: ApiToken | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token = token


def bearer_secret(authorization: str | None) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header; None without one."""
    kind, _, secret = (authorization or "").strip().partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def authenticate(secret: str | None, now: datetime | None = None) -> ApiToken:
    """The active token whose secret this is, with its owner loaded; raises TokenRefused
    (missing, unknown, expired, revoked, or its owner's account is switched off)."""
    if not secret:
        raise TokenRefused("missing")
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        raise TokenRefused("unknown")
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_secret(secret))
        .options(joinedload(ApiToken.user))
    )
    if token is None:
        raise TokenRefused("unknown")
    state = status(token, now)
    if state != "active":
        raise TokenRefused(state, token)
    if not token.user.active:
        raise TokenRefused("inactive", token)
    return token


@write_transaction()
def record_use(token: ApiToken, ip: str, path: str, query: str, outcome: str) -> None:
    """One audit entry per API request made with ``token`` (refused ones too), and the
    token's last use; one transaction."""
    now = utcnow()
    details: dict[str, object] = {"token": token.id, "path": path[:200], "outcome": outcome}
    if query:
        details["query"] = query[:500]
    db.session.add(
        AuditEvent(
            at=now,
            action="api_request",
            target=f"api_token:{token.id}",
            user_id=token.user_id,
            ip=ip[:45],
            details=details,
        )
    )
    if outcome == "ok":
        db.session.execute(
            ApiToken.__table__.update()
            .where(ApiToken.id == token.id)
            .values(last_used_at=now, last_used_ip=ip[:45])
        )
    db.session.commit()
