"""Rounds of an assessment: campaigns that form a series, and how their items match.

A series orders campaigns (rounds) of the same assessment, possibly on
different questionnaire versions. Items are matched across rounds by their
stable question name; an ``ItemMatch`` row says otherwise for one item of one
round: it answers a renamed item of the first round (``matches``), or it is
not comparable (``comparable`` False, with a ``reason``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.campaign import Campaign


class RoundSeries(db.Model):
    """Campaigns of one assessment asked again over the years ("City needs")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    rounds: Mapped[list[SeriesRound]] = relationship(
        order_by="SeriesRound.position", cascade="all, delete-orphan", back_populates="series"
    )


class SeriesRound(db.Model):
    """One campaign as a round of a series; ``position`` orders the rounds (1, 2, ...)."""

    __table_args__ = (UniqueConstraint("series_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("round_series.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    position: Mapped[int]

    series: Mapped[RoundSeries] = relationship(back_populates="rounds")
    campaign: Mapped[Campaign] = relationship()


class ItemMatch(db.Model):
    """Staff's word on one item (question name) of one round of a series."""

    __table_args__ = (UniqueConstraint("series_id", "campaign_id", "question_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("round_series.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    #: The item's name in this round's questionnaire.
    question_name: Mapped[str] = mapped_column(String(64))
    #: The name of the first round's item it answers (renamed or reworded); None: its own.
    matches: Mapped[str | None] = mapped_column(String(64))
    #: False: left out of every comparison (changed scale, changed meaning).
    comparable: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Why it is not comparable, in staff's words.
    reason: Mapped[str | None] = mapped_column(Text)
