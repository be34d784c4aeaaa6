from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.user import User

#: What a token may read: "profiles" (campaigns, questionnaires, places and needs
#: profiles: aggregates only) or "responses" (that, and the individual responses).
API_SCOPES = ("profiles", "responses")


class ApiToken(db.Model):
    """A personal access token of a staff member for the read-only API.

    The secret is shown once when the token is made; only its SHA-256 is kept.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    #: What the owner called it ("Power BI, needs dashboard").
    name: Mapped[str] = mapped_column(String(80))
    #: SHA-256 of the whole secret (hex).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The secret's first characters, so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: One of API_SCOPES.
    scope: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    last_used_ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()
