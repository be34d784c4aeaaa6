"""Series of rounds: create one, add a campaign as its next round, list them.

Each function that writes owns its transaction (``write_transaction``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, RoundSeries, SeriesRound

MAX_NAME_LENGTH = 200


class SeriesRefused(ValueError):
    """The input cannot be taken; ``code`` says why ("name_required", "name_too_long",
    "unknown_campaign", "already_in_series")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def all_series() -> list[RoundSeries]:
    """Every series, newest first, with its rounds and their campaigns."""
    return list(
        db.session.scalars(
            select(RoundSeries)
            .options(selectinload(RoundSeries.rounds).selectinload(SeriesRound.campaign))
            .order_by(RoundSeries.created_at.desc(), RoundSeries.id.desc())
        )
    )


def series_of_campaign(campaign_id: int) -> list[RoundSeries]:
    """The series a campaign is a round of."""
    return list(
        db.session.scalars(
            select(RoundSeries)
            .join(SeriesRound, SeriesRound.series_id == RoundSeries.id)
            .where(SeriesRound.campaign_id == campaign_id)
            .order_by(RoundSeries.id)
        )
    )


def round_campaigns(series_id: int) -> list[Campaign]:
    """The campaigns of a series, in round order."""
    return list(
        db.session.scalars(
            select(Campaign)
            .join(SeriesRound, SeriesRound.campaign_id == Campaign.id)
            .where(SeriesRound.series_id == series_id)
            .order_by(SeriesRound.position)
        )
    )


def create_series(name: str) -> int:
    """A new, empty series; its id."""
    name = " ".join((name or "").split())
    if not name:
        raise SeriesRefused("name_required")
    if len(name) > MAX_NAME_LENGTH:
        raise SeriesRefused("name_too_long")
    with write_transaction():
        series = RoundSeries(name=name)
        db.session.add(series)
        db.session.flush()
        return series.id


def add_round(series_id: int, campaign_id: int) -> int:
    """Add a campaign as the series' next round; its position (1 for the first)."""
    with write_transaction():
        if db.session.get(Campaign, campaign_id) is None:
            raise SeriesRefused("unknown_campaign")
        taken = db.session.scalar(
            select(SeriesRound.id).where(
                SeriesRound.series_id == series_id, SeriesRound.campaign_id == campaign_id
            )
        )
        if taken is not None:
            raise SeriesRefused("already_in_series")
        last = db.session.scalar(
            select(func.max(SeriesRound.position)).where(SeriesRound.series_id == series_id)
        )
        position = (last or 0) + 1
        db.session.add(SeriesRound(series_id=series_id, campaign_id=campaign_id, position=position))
        return position


def campaigns_to_add(series_id: int) -> list[Campaign]:
    """Campaigns not yet in the series, newest first."""
    inside = select(SeriesRound.campaign_id).where(SeriesRound.series_id == series_id)
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.id.not_in(inside))
            .order_by(Campaign.opens_at.desc(), Campaign.id.desc())
        )
    )
