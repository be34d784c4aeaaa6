"""Use cases of a respondent's arrival: find the invitation (or the open link's
campaign), register through an open link within its cap, and record consent, which
opens the response. Plain arguments in, model objects out; nothing here knows HTTP.
Saving pages and submitting are in :mod:`surveyapp.responses.respondent`."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Campaign,
    Invitation,
    Municipality,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.models.response import REVIEW_PENDING, REVIEW_REJECTED
from surveyapp.responses.reads import (
    Link,
)


class InvalidChoice(ValueError):
    """An open-link registration named a municipality or role we do not have."""


class CapReached(Exception):
    """The campaign's open link takes no more registrations for this municipality and role."""


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token == token))


def invitation_of(link: Link) -> Invitation:
    """The link's invitation as an object (its campaign, municipality and role load on use)."""
    return db.session.get(Invitation, link.invitation_id)


def find_open_campaign(open_token: str) -> Campaign | None:
    if not open_token or len(open_token) > 64:
        return None
    return db.session.scalar(select(Campaign).where(Campaign.open_token == open_token))


def response_for(invitation: Invitation) -> Response | None:
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


@write_transaction()
def register_through_open_link(
    campaign: Campaign, municipality_code: str, role: str, lang: str, token: str | None = None
) -> Invitation:
    """Create the personal invitation of someone who came through an open link.

    Raises ``CapReached`` when the campaign's cap for the municipality and role is
    already taken by open-link registrations (those whose response staff rejected
    do not count). Registrations are serialised per campaign (SQLite's write lock,
    a row lock on the campaign in PostgreSQL), so parallel requests cannot pass
    the cap together.

    ``token``: the new invitation's, chosen by the caller once per registration, so
    that running the registration again (a request repeated after its database
    connection was lost, perhaps after the first run committed) gives the invitation
    the first run made instead of a second one.
    """
    if token is not None and (made := find_invitation(token)) is not None:
        return made
    municipality = db.session.scalar(
        select(Municipality).where(Municipality.code == municipality_code)
    )
    if municipality is None or role not in ROLES:
        raise InvalidChoice(f"municipality {municipality_code!r} / role {role!r}")
    cap = campaign.open_link_cap(role)
    campaign_id, municipality_id = campaign.id, municipality.id
    with write_transaction():
        if cap is not None:
            db.session.execute(
                select(Campaign.id).where(Campaign.id == campaign_id).with_for_update()
            )
            if _open_link_registrations(campaign_id, municipality_id, role) >= cap:
                db.session.rollback()
                raise CapReached(f"campaign {campaign_id}: {municipality_code} / {role}")
        invitation = Invitation(
            token=token or new_token(),
            campaign_id=campaign_id,
            municipality_id=municipality_id,
            role=role,
            language=lang,
            self_registered=True,
        )
        db.session.add(invitation)
        db.session.commit()
    return invitation


def _open_link_registrations(campaign_id: int, municipality_id: int, role: str) -> int:
    """Open-link invitations of a municipality and role, less those whose response was rejected."""
    rejected = select(Response.invitation_id).where(
        Response.campaign_id == campaign_id, Response.review == REVIEW_REJECTED
    )
    return db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.campaign_id == campaign_id,
            Invitation.municipality_id == municipality_id,
            Invitation.role == role,
            Invitation.self_registered.is_(True),
            Invitation.id.not_in(rejected),
            # A registration whose response staff deleted (test data, a deletion
            # request) frees its place.
            or_(Invitation.erasure.is_(None), Invitation.erasure != "deleted"),
        )
    )


def start_response(invitation: Invitation, lang: str) -> Response:
    """Record consent and open a response; a second call returns the first response."""
    existing = response_for(invitation)
    if existing is not None:
        return existing
    campaign = invitation.campaign
    version_id, privacy_version = campaign.version_id, campaign.version.privacy_version
    invitation_id, municipality_id, role = (
        invitation.id,
        invitation.municipality_id,
        invitation.role,
    )
    self_registered = invitation.self_registered
    held = self_registered and campaign.review_open_link
    try:
        with write_transaction():
            response = _new_response(
                invitation_id, campaign.id, version_id, municipality_id, role, lang, privacy_version
            )
            response.self_registered = self_registered
            response.review = REVIEW_PENDING if held else None
            db.session.commit()
    except IntegrityError:
        # A double click consented twice at once: the first response stands.
        return response_for(db.session.get(Invitation, invitation_id))
    return response


def _new_response(
    invitation_id: int,
    campaign_id: int,
    version_id: int,
    municipality_id: int,
    role: str,
    lang: str,
    privacy_version: str,
) -> Response:
    response = Response(
        submission_id=str(uuid.uuid4()),
        invitation_id=invitation_id,
        campaign_id=campaign_id,
        version_id=version_id,
        municipality_id=municipality_id,
        role=role,
        language=lang,
        consent_language=lang,
        privacy_version=privacy_version,
        consented_at=utcnow(),
    )
    db.session.add(response)
    return response
