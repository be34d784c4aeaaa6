"""Campaigns: a round of data collection with one questionnaire version."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.safeguards import languages_without_privacy_notice
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    AnswerSelection,
    Campaign,
    ExportFile,
    Invitation,
    MailTemplate,
    OutboundMail,
    ProfileCount,
    ProfileCountryCount,
    ProfileDomainCount,
    ProfileResponseCount,
    ProfileScoreCount,
    QuestionnaireVersion,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.models.erasure import DeletionRequest
from surveyapp.models.rounds import ItemMatch, SeriesRound
from surveyapp.models.upload import StoredFile
from surveyapp.questionnaires.texts import Texts, load_texts, offered_languages
from surveyapp.uploads import storage as upload_storage


class CampaignError(ValueError):
    """Why a campaign cannot be made or changed: ``code`` is "no_version", "dates",
    "answered" (the version cannot change once someone answered), "languages" (not
    offered by the version), "group_size", "confirm" (the typed name differs) or
    "no_privacy" (``languages``: those offered without a privacy notice)."""

    def __init__(self, code: str, languages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.languages = languages or []


#: The largest minimum group size staff may set for a campaign; the smallest is the
#: application's own minimum (``MIN_GROUP_SIZE``): a campaign may only hide more,
#: never show groups the privacy notice promises to hide.
MAX_GROUP_SIZE = 50


def smallest_group_size_allowed() -> int:
    return int(current_app.config.get("MIN_GROUP_SIZE", 5))


def all_campaigns(include_archived: bool = False) -> list[Campaign]:
    """Newest first; archived campaigns only when asked for."""
    query = (
        select(Campaign)
        .options(joinedload(Campaign.version).joinedload(QuestionnaireVersion.questionnaire))
        .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
    )
    if not include_archived:
        query = query.where(Campaign.archived_at.is_(None))
    return list(db.session.scalars(query))


def response_count(campaign_id: int) -> int:
    """Responses of a campaign, started or submitted."""
    return db.session.scalar(
        select(func.count(Response.id)).where(Response.campaign_id == campaign_id)
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
    retention_days: int | None = None,
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
        retention_days=retention_days,
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


@write_transaction()
def update_campaign(
    campaign_id: int,
    name: str,
    version_id: int,
    opens_at: datetime,
    closes_at: datetime | None,
    languages: list[str] | None,
    min_group_size: int | None,
) -> dict[str, list]:
    """Change a campaign; returns what changed ({field: [before, after]}) for the log.

    The questionnaire version changes only while nobody has answered; ``languages``
    must be offered by the version (None or all of them: every offered language).
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None or version.status != "published":
        raise CampaignError("no_version")
    if version_id != campaign.version_id and response_count(campaign_id):
        raise CampaignError("answered")
    if closes_at is not None and closes_at <= opens_at:
        raise CampaignError("dates")
    if min_group_size is not None and not (
        smallest_group_size_allowed() <= min_group_size <= MAX_GROUP_SIZE
    ):
        raise CampaignError("group_size")
    offered = offered_languages(version_id)
    if languages is not None:
        if not languages or not set(languages) <= set(offered):
            raise CampaignError("languages")
        languages = [code for code in offered if code in languages]
        if languages == offered:
            languages = None
    _check_privacy_notice(version_id, languages)
    after = {
        "name": name.strip(),
        "version_id": version_id,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "languages": languages,
        "min_group_size": min_group_size,
    }
    changes = {}
    for key, value in after.items():
        before = getattr(campaign, key)
        if before != value:
            changes[key] = [_loggable(before), _loggable(value)]
            setattr(campaign, key, value)
    db.session.commit()
    return changes


def _loggable(value):
    return value.isoformat() if isinstance(value, datetime) else value


@write_transaction()
def close_campaign(campaign: Campaign) -> None:
    """Stop accepting answers now; submitted responses stay."""
    campaign.closes_at = utcnow()
    db.session.commit()


def _check_privacy_notice(version_id: int, languages: list[str] | None) -> None:
    """CampaignError("no_privacy") when a language the campaign offers has no notice."""
    unnoticed = languages_without_privacy_notice(version_id)
    if languages is not None:
        unnoticed = [code for code in unnoticed if code in languages]
    if unnoticed:
        raise CampaignError("no_privacy", unnoticed)


@write_transaction()
def reopen_campaign(campaign: Campaign) -> None:
    """Take answers again, until someone closes it (not without a privacy notice in
    every language it offers: CampaignError("no_privacy"))."""
    _check_privacy_notice(campaign.version_id, campaign.languages)
    campaign.closes_at = None
    db.session.commit()


@write_transaction()
def set_archived(campaign: Campaign, archived: bool) -> None:
    """Archive (hide from lists; an open campaign is closed too) or bring back."""
    if archived:
        now = utcnow()
        if campaign.is_open(now):
            campaign.closes_at = now
        campaign.archived_at = now
    else:
        campaign.archived_at = None
    db.session.commit()


@write_transaction()
def delete_campaign(campaign_id: int, typed_name: str) -> int:
    """Delete a campaign with its invitations, responses and counts; returns how
    many responses went. With responses, ``typed_name`` must be the campaign's name
    (CampaignError "confirm" otherwise, and nothing is deleted)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    responses = response_count(campaign_id)
    if responses and (typed_name or "").strip() != campaign.name.strip():
        raise CampaignError("confirm")
    of_campaign = select(Response.id).where(Response.campaign_id == campaign_id)
    answers = select(Answer.id).where(Answer.response_id.in_(of_campaign))
    # Files respondents uploaded: their rows now, their files when this commits.
    upload_storage.rows_gone(db.session.connection(), StoredFile.response_id.in_(of_campaign))
    for statement in (
        delete(AnswerSelection).where(AnswerSelection.answer_id.in_(answers)),
        delete(Answer).where(Answer.response_id.in_(of_campaign)),
        # Deletion requests about its responses: they go with the responses.
        delete(DeletionRequest).where(DeletionRequest.campaign_id == campaign_id),
        delete(Response).where(Response.campaign_id == campaign_id),
        # Its mails (their links die with it) and its mail texts.
        delete(OutboundMail).where(
            (OutboundMail.campaign_id == campaign_id)
            | OutboundMail.invitation_id.in_(
                select(Invitation.id).where(Invitation.campaign_id == campaign_id)
            )
        ),
        delete(MailTemplate).where(MailTemplate.campaign_id == campaign_id),
        # Its export files' rows (the sweep deletes files without a row).
        delete(ExportFile).where(ExportFile.campaign_id == campaign_id),
        delete(Invitation).where(Invitation.campaign_id == campaign_id),
        delete(ProfileCount).where(ProfileCount.campaign_id == campaign_id),
        delete(ProfileDomainCount).where(ProfileDomainCount.campaign_id == campaign_id),
        delete(ProfileScoreCount).where(ProfileScoreCount.campaign_id == campaign_id),
        delete(ProfileResponseCount).where(ProfileResponseCount.campaign_id == campaign_id),
        delete(ProfileCountryCount).where(ProfileCountryCount.campaign_id == campaign_id),
        # Its place in a series of rounds, and the item matches made for it.
        delete(ItemMatch).where(ItemMatch.campaign_id == campaign_id),
        delete(SeriesRound).where(SeriesRound.campaign_id == campaign_id),
        delete(Campaign).where(Campaign.id == campaign_id),
    ):
        db.session.execute(statement)
    db.session.commit()
    db.session.expunge_all()
    return responses


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
