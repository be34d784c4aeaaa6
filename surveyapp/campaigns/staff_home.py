"""What the staff home page shows: what needs attention now.

Open campaigns with their response rates and languages of published questionnaires
whose translation is missing or out of date (the latest staff actions, in words,
come from ``surveyapp.activity``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from surveyapp.campaigns.overview import RateRow, campaign_overview
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Campaign, QuestionnaireVersion
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.texts import load_texts, translation_status


@dataclass
class OpenCampaign:
    campaign: Campaign
    title: str
    rates: RateRow


@dataclass
class LanguageToReview:
    version: QuestionnaireVersion
    title: str
    lang: str
    missing: int
    outdated: int


def open_campaigns(lang: str) -> list[OpenCampaign]:
    """Campaigns taking answers now (not archived), with their response rates."""
    now = utcnow()
    campaigns = db.session.scalars(
        select(Campaign).where(Campaign.archived_at.is_(None)).order_by(Campaign.opens_at.desc())
    )
    return [
        OpenCampaign(c, load_texts(c.version_id, lang).title(), campaign_overview(c.id).total)
        for c in campaigns
        if c.is_open(now)
    ]


def languages_to_review(lang: str) -> list[LanguageToReview]:
    """Per published version, the languages with texts missing or out of date."""
    versions = db.session.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.status == "published")
        .order_by(QuestionnaireVersion.id)
    )
    found = []
    for version in versions:
        title = load_texts(version.id, lang).title()
        for code, status in translation_status(version.id).items():
            if code != SOURCE_LANGUAGE and code in LANGUAGES and not status.complete:
                found.append(
                    LanguageToReview(version, title, code, status.missing, status.outdated)
                )
    return found
