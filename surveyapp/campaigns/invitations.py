"""Inviting municipalities: personal links in bulk, and the list of links as CSV."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from surveyapp.campaigns.duplicates import existing_links
from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.core.spreadsheets import csv_chunks, neutralise
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import ROLES, Campaign, Invitation, Municipality
from surveyapp.questionnaires import version_cache


class InvitationError(ValueError):
    """Unknown municipality codes, roles or language; ``unknown`` lists them."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = unknown


def campaign_languages(campaign: Campaign) -> list[str]:
    """The languages respondents of ``campaign`` are offered, in registry order: those
    it chose (all when it chose none) that its questionnaire version offers."""
    return version_cache.get(campaign.version_id).offered_in(campaign.languages)


@write_transaction()
def create_invitations(
    campaign: Campaign,
    municipality_codes: list[str],
    roles: list[str],
    language: str | None = None,
    skip_existing: bool = True,
) -> list[Invitation]:
    """One invitation per municipality and role, all or none.

    ``language`` (one of ``campaign_languages``) None lets each respondent's browser
    choose. With ``skip_existing``
    (the default), a municipality and role that already has a link in the campaign
    gets no second one; staff ask for new links anyway by passing False.
    """
    codes = list(dict.fromkeys(code.strip() for code in municipality_codes if code.strip()))
    found = {
        m.code: m
        for m in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }
    unknown = [code for code in codes if code not in found]
    unknown += [role for role in roles if role not in ROLES]
    if language is not None and language not in campaign_languages(campaign):
        unknown.append(language)
    if unknown or not codes or not roles:
        raise InvitationError(unknown)
    taken = existing_links(campaign.id, codes, roles).taken if skip_existing else frozenset()
    invitations = [
        Invitation(
            token=new_token(),
            campaign=campaign,
            municipality=found[code],
            role=role,
            language=language,
        )
        for code in codes
        for role in roles
        if (code, role) not in taken
    ]
    db.session.add_all(invitations)
    db.session.commit()
    return invitations


def invitation_rows(campaign_id: int, link_for) -> Iterator[list[object]]:
    """Header, then one row per invitation; ``link_for(token)`` makes the absolute link."""
    yield ["country", "municipality_code", "municipality", "role", "language", "link"]
    invitations = db.session.scalars(
        select(Invitation)
        .where(Invitation.campaign_id == campaign_id, Invitation.self_registered.is_(False))
        .options(joinedload(Invitation.municipality).joinedload(Municipality.country))
        .order_by(Invitation.id)
    )
    for invitation in invitations:
        town = invitation.municipality
        yield [
            neutralise(value)
            for value in (
                town.country.code,
                town.code,
                town.name(invitation.language or SOURCE_LANGUAGE),
                invitation.role,
                invitation.language or "",
                link_for(invitation.token),
            )
        ]


def invitations_csv(campaign_id: int, link_for) -> Iterator[str]:
    return csv_chunks(invitation_rows(campaign_id, link_for))


def invitation_count(campaign_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == campaign_id)
    )
