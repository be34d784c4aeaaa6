"""The demo campaign a fresh install gets, so that there is something to answer."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    Campaign,
    QuestionnaireVersion,
)


@write_transaction()
def ensure_demo_campaign(version: QuestionnaireVersion) -> Campaign:
    """A campaign with an open link, so a fresh install has something to answer."""
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    if campaign is None:
        campaign = Campaign(
            name="City needs and priorities (demo)",
            version=version,
            open_token=secrets.token_urlsafe(12),
        )
        db.session.add(campaign)
        db.session.commit()
    return campaign
