from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.extensions import db
from surveyapp.models.base import utcnow

#: Staff roles, from most to least powerful.
STAFF_ROLES = ("admin", "analyst", "translator")


class User(db.Model):
    """A member of the hub's staff. Respondents have no account."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the login name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: Werkzeug's salted hash (scrypt).
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of STAFF_ROLES.
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    #: Preferred interface language (our code), or None to negotiate.
    language: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Failed logins since the last success; logins are refused until locked_until.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    #: Changes when the password changes, so old sessions end (Flask-Login's id).
    session_token: Mapped[str] = mapped_column(String(64), default="")
    #: Base32 secret of the authenticator app (TOTP), once enrolment is confirmed.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The 30-second step of the last code accepted: a code is good once.
    totp_last_step: Mapped[int | None]

    # Flask-Login's user protocol, without importing Flask-Login into models.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class PasswordResetToken(db.Model):
    """A "forgot password" link sent to a staff member: good once, until it expires."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    #: SHA-256 of the token in the link (hex); the token itself is only in the mail.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Set when the link was used, or when a newer link replaced it.
    used_at: Mapped[datetime | None]
