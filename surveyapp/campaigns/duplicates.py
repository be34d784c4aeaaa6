"""Links that may stand for the same person: a municipality and role invited again,
and several open-link registrations of one municipality and role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from surveyapp.extensions import db
from surveyapp.models import Invitation, Municipality, Response


@dataclass(frozen=True)
class ExistingLinks:
    """Links a campaign already has for some municipalities and roles."""

    #: How many of the asked (municipality, role) pairs already have a link.
    pairs: int
    #: Links of those pairs, how many of them have a response started (not yet
    #: submitted), and how many a submitted one.
    invited: int
    started: int
    submitted: int
    #: The (municipality code, role) pairs that have a link.
    taken: frozenset[tuple[str, str]]


def _counts(campaign_id: int):
    started = func.sum(case((Response.status == "in_progress", 1), else_=0))
    submitted = func.sum(case((Response.status == "submitted", 1), else_=0))
    return (
        select(Municipality.code, Invitation.role, func.count(Invitation.id), started, submitted)
        .join(Municipality, Municipality.id == Invitation.municipality_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.campaign_id == campaign_id)
        .group_by(Municipality.code, Invitation.role)
    )


def existing_links(campaign_id: int, codes: list[str], roles: list[str]) -> ExistingLinks:
    """What the campaign already has for every municipality in ``codes`` and role in
    ``roles`` (personal invitations and open-link registrations alike); one query."""
    rows = db.session.execute(
        _counts(campaign_id).where(Municipality.code.in_(codes), Invitation.role.in_(roles))
    ).all()
    return ExistingLinks(
        pairs=len(rows),
        invited=sum(int(row[2]) for row in rows),
        started=sum(int(row[3] or 0) for row in rows),
        submitted=sum(int(row[4] or 0) for row in rows),
        taken=frozenset((row[0], row[1]) for row in rows),
    )


@dataclass(frozen=True)
class PossibleDuplicate:
    """Several open-link registrations of one municipality and role in a campaign."""

    municipality_code: str
    role: str
    registrations: int
    started: int
    submitted: int


def possible_duplicates(campaign_id: int) -> list[PossibleDuplicate]:
    """Municipalities and roles registered more than once through the open link,
    most registrations first."""
    rows = db.session.execute(
        _counts(campaign_id)
        .where(Invitation.self_registered.is_(True))
        .having(func.count(Invitation.id) > 1)
        .order_by(func.count(Invitation.id).desc(), Municipality.code, Invitation.role)
    ).all()
    return [
        PossibleDuplicate(code, role, int(count), int(started or 0), int(submitted or 0))
        for code, role, count, started, submitted in rows
    ]


def remembered_registrations(campaign_id: int, tokens: list[str]) -> list[Invitation]:
    """The open-link registrations of ``campaign_id`` among ``tokens`` (what a browser
    remembers), with their municipality, newest first."""
    if not tokens:
        return []
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.campaign_id == campaign_id,
                Invitation.self_registered.is_(True),
                Invitation.token.in_(tokens[:20]),
            )
            .options(joinedload(Invitation.municipality))
            .order_by(Invitation.id.desc())
        )
    )
