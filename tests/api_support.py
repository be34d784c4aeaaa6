"""Tokens for the API tests: a staff member of a role, and a token of theirs in a state."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from surveyapp.accounts import users
from surveyapp.api_access import tokens
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import ApiToken, Campaign, User
from surveyapp.models.base import utcnow
from tests.conftest import PASSWORD


def make_token(
    app,
    role: str = "analyst",
    scope: str = "responses",
    state: str = "active",
    email: str | None = None,
) -> str:
    """A token's secret; ``state``: active, expired or revoked."""
    email = email or f"{role}-{scope}-{state}@example.org"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = users.create_user(email, PASSWORD, role, name=role.title())
        made = tokens.create_token(user, f"{scope} {state}", scope, 30)
        if state != "active":
            with write_transaction():
                token = db.session.get(ApiToken, made.token.id)
                if state == "expired":
                    token.expires_at = utcnow() - timedelta(seconds=1)
                else:
                    token.revoked_at = utcnow()
        return made.secret


def bearer(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))
