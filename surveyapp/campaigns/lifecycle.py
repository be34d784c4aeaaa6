"""Campaigns: a round of data collection with one questionnaire version."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.safeguards import languages_without_privacy_notice
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, QuestionnaireVersion
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.texts import Texts, load_texts


class CampaignError(ValueError):
    """Why a campaign cannot be made: ``code`` is "no_version", "dates" or "no_privacy"
    (``languages``: those offered without a privacy notice)."""

    def __init__(self, code: str, languages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.languages = languages or []


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
    open_link_caps: dict[str, int] | None = None,
    review_open_link: bool = False,
) -> Campaign:
    """A new campaign; with an open link, ``open_link_caps`` limits the registrations per
    municipality and role (a role at 0 or missing: no cap) and ``review_open_link`` holds
    open-link responses until staff accept them."""
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None or version.status != "published":
        raise CampaignError("no_version")
    if unnoticed := languages_without_privacy_notice(version.id):
        raise CampaignError("no_privacy", unnoticed)
    opens_at = opens_at or utcnow()
    if closes_at is not None and closes_at <= opens_at:
        raise CampaignError("dates")
    campaign = Campaign(
        name=name.strip(),
        version=version,
        opens_at=opens_at,
        closes_at=closes_at,
        open_token=secrets.token_urlsafe(12) if open_link else None,
        open_link_caps={r: c for r, c in (open_link_caps or {}).items() if c} or None,
        review_open_link=review_open_link,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


@write_transaction()
def close_campaign(campaign: Campaign) -> None:
    """Stop accepting answers now; submitted responses stay."""
    campaign.closes_at = utcnow()
    db.session.commit()


def open_campaigns_for_home(lang: str) -> list[tuple[Campaign, Texts]]:
    """Campaigns open now that anyone may answer (they have an open link), with
    their questionnaire's texts in ``lang``, for the home page."""
    now = utcnow()
    return [
        (campaign, load_texts(campaign.version_id, lang))
        for campaign in db.session.scalars(
            select(Campaign).where(Campaign.open_token.is_not(None)).order_by(Campaign.id)
        )
        if campaign.is_open(now)
    ]
