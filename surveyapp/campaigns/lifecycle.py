"""Campaigns: a round of data collection with one questionnaire version."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, QuestionnaireVersion
from surveyapp.models.base import utcnow


class CampaignError(ValueError):
    """Why a campaign cannot be made: ``code`` is "no_version" or "dates"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def all_campaigns() -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .options(joinedload(Campaign.version).joinedload(QuestionnaireVersion.questionnaire))
            .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
        )
    )


def published_versions() -> list[QuestionnaireVersion]:
    return list(
        db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.status == "published")
            .options(joinedload(QuestionnaireVersion.questionnaire))
            .order_by(QuestionnaireVersion.id)
        )
    )


@write_transaction()
def create_campaign(
    name: str,
    version_id: int,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    open_link: bool = False,
) -> Campaign:
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None or version.status != "published":
        raise CampaignError("no_version")
    opens_at = opens_at or utcnow()
    if closes_at is not None and closes_at <= opens_at:
        raise CampaignError("dates")
    campaign = Campaign(
        name=name.strip(),
        version=version,
        opens_at=opens_at,
        closes_at=closes_at,
        open_token=secrets.token_urlsafe(12) if open_link else None,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


@write_transaction()
def close_campaign(campaign: Campaign) -> None:
    """Stop accepting answers now; submitted responses stay."""
    campaign.closes_at = utcnow()
    db.session.commit()
