from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.user import User


class AuditEvent(db.Model):
    """Something a staff member did: signing in, exporting, editing, publishing ..."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: None for events without a signed-in user (e.g. a failed sign-in).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    #: What happened, e.g. "login", "login_failed", "export", "translation_import".
    action: Mapped[str] = mapped_column(String(40), index=True)
    #: What it happened to, e.g. "campaign:3", "user:7".
    target: Mapped[str] = mapped_column(String(120), default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str] = mapped_column(String(45), default="")

    user: Mapped[User | None] = relationship()
