"""The hub's support to a municipality: roundtables, workshops, exchanges, trainings ...

An engagement is one thing the hub did (or plans to do) with one municipality.
An exchange between cities is one engagement per city taking part, each naming
the others as partners, so every city's own log and timeline tell the whole story.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveyapp.extensions import db
from surveyapp.models.base import utcnow
from surveyapp.models.geo import Municipality
from surveyapp.models.questionnaire import Domain
from surveyapp.models.user import User

#: ``Engagement.kind``: what the hub did, in the order forms offer them.
ENGAGEMENT_KINDS = (
    "roundtable",
    "workshop",
    "peer_exchange",
    "training",
    "study_visit",
    "action_plan",
    "safety_council",
    "other",
)
#: ``Engagement.status``.
ENGAGEMENT_STATUSES = ("planned", "done")

#: The needs-profile domains an engagement was about.
engagement_domain = Table(
    "engagement_domain",
    db.metadata,
    Column(
        "engagement_id",
        ForeignKey("engagement.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("domain_id", ForeignKey("domain.id"), primary_key=True, index=True),
)

#: The other municipalities that took part (an exchange's host or visitors ...).
engagement_partner = Table(
    "engagement_partner",
    db.metadata,
    Column(
        "engagement_id",
        ForeignKey("engagement.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("municipality_id", ForeignKey("municipality.id"), primary_key=True, index=True),
)


class Engagement(db.Model):
    """One thing the hub did, or plans to do, with one municipality."""

    __tablename__ = "engagement"
    __table_args__ = (Index("ix_engagement_municipality_day", "municipality_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    #: One of ``ENGAGEMENT_KINDS``.
    kind: Mapped[str] = mapped_column(String(32))
    #: The day it took place, or the planned day.
    held_on: Mapped[date]
    #: One of ``ENGAGEMENT_STATUSES``.
    status: Mapped[str] = mapped_column(String(16), default="planned")
    note: Mapped[str] = mapped_column(Text, default="")
    #: Engagements made together from one exchange of the exchange planner share this
    #: key ("exchange:<campaign>:<domain>:<host code>:<day>"); None otherwise.
    exchange_key: Mapped[str | None] = mapped_column(String(160), index=True)
    #: The staff member who recorded it; None when imported by a command or seeded.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship(foreign_keys=[municipality_id])
    domains: Mapped[list[Domain]] = relationship(
        secondary=engagement_domain, order_by=(Domain.position, Domain.id)
    )
    partners: Mapped[list[Municipality]] = relationship(
        secondary=engagement_partner, order_by=Municipality.code
    )
    recorded_by: Mapped[User | None] = relationship()
