"""How far a campaign has come: invited, started and submitted responses per
country and per municipality, and the response rates.

Plain arguments in, plain dataclasses out; no request, no commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select

from surveyapp.extensions import db
from surveyapp.models import ROLES, Campaign, Country, Invitation, Municipality, Response


@dataclass
class RateRow:
    #: Country code, municipality code, or None for the whole campaign.
    code: str | None
    invited: int
    started: int
    submitted: int
    #: started / invited and submitted / invited; None without invitations.
    start_rate: float | None
    response_rate: float | None
    country_code: str | None = None


@dataclass
class CampaignOverview:
    campaign_id: int
    total: RateRow
    countries: list[RateRow]
    municipalities: list[RateRow]
    #: Codes of invited municipalities with no submitted response yet.
    silent_municipalities: list[str] = field(default_factory=list)


def campaign_overview(campaign_id: int) -> CampaignOverview:
    """Invited, started and submitted per country and per municipality of a campaign.

    Started counts every response (in progress or submitted); rates are over
    invitations. Municipalities are those with at least one invitation.
    """
    if db.session.get(Campaign, campaign_id) is None:
        raise LookupError(f"no campaign {campaign_id}")

    def counted(*columns: Any) -> Any:
        return (
            select(
                *columns,
                func.count(Invitation.id),
                func.count(Response.id),
                func.count(case((Response.status == "submitted", Response.id))),
            )
            .select_from(Invitation)
            .join(Municipality, Invitation.municipality_id == Municipality.id)
            .join(Country, Municipality.country_id == Country.id)
            # A response marked as a test or invalid is no answer from the municipality.
            .outerjoin(
                Response,
                and_(Response.invitation_id == Invitation.id, Response.marked.is_(None)),
            )
            .where(Invitation.campaign_id == campaign_id)
        )

    countries = [
        _rate(code, *counts)
        for code, *counts in db.session.execute(
            counted(Country.code)
            .group_by(Country.id, Country.code, Country.position)
            .order_by(Country.position)
        )
    ]
    towns = [
        _rate(code, invited, started, submitted, country_code=country)
        for code, country, invited, started, submitted in db.session.execute(
            counted(Municipality.code, Country.code)
            .group_by(Municipality.id, Municipality.code, Country.code, Country.position)
            .order_by(Country.position, Municipality.code)
        )
    ]
    total = _rate(None, *db.session.execute(counted()).one())
    silent = [town.code for town in towns if town.submitted == 0 and town.code]
    return CampaignOverview(campaign_id, total, countries, towns, silent)


def _rate(
    code: str | None, invited: int, started: int, submitted: int, country_code: str | None = None
) -> RateRow:
    return RateRow(
        code,
        invited,
        started,
        submitted,
        started / invited if invited else None,
        submitted / invited if invited else None,
        country_code,
    )


def campaign_overview_by_role(campaign_id: int) -> list[RateRow]:
    """Invited, started and submitted per respondent role (``code`` is the role), in
    the order of ``ROLES``; roles without invitations are left out."""
    rows = db.session.execute(
        select(
            Invitation.role,
            func.count(Invitation.id),
            func.count(Response.id),
            func.count(case((Response.status == "submitted", Response.id))),
        )
        .select_from(Invitation)
        .outerjoin(
            Response, and_(Response.invitation_id == Invitation.id, Response.marked.is_(None))
        )
        .where(Invitation.campaign_id == campaign_id)
        .group_by(Invitation.role)
    ).all()
    by_role = {
        role: _rate(role, invited, started, submitted) for role, invited, started, submitted in rows
    }
    return [by_role[role] for role in ROLES if role in by_role]
