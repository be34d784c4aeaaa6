"""What the staff home page shows: what needs attention now.

Open campaigns with their response rates, languages of published questionnaires
whose translation is missing or out of date, and the latest staff actions with
the people and things they concern named (not numbered).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.overview import RateRow, campaign_overview
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import AuditEvent, Campaign, QuestionnaireVersion, User
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


@dataclass
class Activity:
    at: datetime
    action: str
    #: The staff member's name (or e-mail address); "" for none (a failed sign-in).
    who: str
    #: "campaign", "version", "user", "response" ... and its name for people.
    kind: str
    name: str
    #: The campaign or version to link to, when there is one.
    link_id: int | None


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


def recent_activity(limit: int = 10) -> list[Activity]:
    """The latest audit entries, newest first, with users and objects by name."""
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .options(joinedload(AuditEvent.user))
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
    wanted: dict[str, set[int]] = {}
    for event in events:
        kind, _, number = event.target.partition(":")
        if number.isdigit():
            wanted.setdefault(kind, set()).add(int(number))
    names = _names(wanted)
    rows = []
    for event in events:
        kind, _, number = event.target.partition(":")
        ident = int(number) if number.isdigit() else None
        name = names.get((kind, ident), "") if ident is not None else event.target
        who = (event.user.name or event.user.email) if event.user else ""
        linkable = kind in ("campaign", "version") and (kind, ident) in names
        rows.append(Activity(event.at, event.action, who, kind, name, ident if linkable else None))
    return rows


def _names(wanted: dict[str, set[int]]) -> dict[tuple[str, int | None], str]:
    """Names of the campaigns, versions and users the events concern (one query each)."""
    names: dict[tuple[str, int | None], str] = {}
    if wanted.get("campaign"):
        for id_, name in db.session.execute(
            select(Campaign.id, Campaign.name).where(Campaign.id.in_(wanted["campaign"]))
        ):
            names["campaign", id_] = name
    if wanted.get("version"):
        for version in db.session.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.id.in_(wanted["version"]))
            .options(joinedload(QuestionnaireVersion.questionnaire))
        ):
            names["version", version.id] = f"{version.questionnaire.name} v{version.number}"
    if wanted.get("user"):
        for id_, name, email in db.session.execute(
            select(User.id, User.name, User.email).where(User.id.in_(wanted["user"]))
        ):
            names["user", id_] = name or email
    return names
