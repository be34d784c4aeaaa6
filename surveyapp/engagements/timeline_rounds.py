"""A municipality's timeline by series: the rounds of one series of the assessment,
and for each engagement the gaps of its domains in the round before and the round after.

The gaps are the rounds' (``surveyapp.rounds.change``): need minus capacity over the
items every round of the series compares, under each round's disclosure control, so
they match the series' change page. The round before an engagement is the last that
opened on or before its day; the round after, the first that opened after it (the
same cut as ``surveyapp.rounds.support_effect``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Engagement, Municipality, RoundSeries, SeriesRound
from surveyapp.profiles.results import Scope
from surveyapp.rounds.change import SeriesChange, series_change
from surveyapp.rounds.intervals import Estimate


@dataclass
class DomainAround:
    domain: str
    #: The gap in the round before and after; None when that round shows none
    #: (see ``status_before`` and ``status_after``).
    before: Estimate | None
    after: Estimate | None
    #: "shown", "suppressed" (a hidden group), "empty" (not answered) or "none" (no round).
    status_before: str
    status_after: str


@dataclass
class AroundEngagement:
    """The rounds either side of one engagement, and its domains' gaps in them."""

    #: Positions (from 0) of the round before and after in the series; None: no such round.
    before: int | None
    after: int | None
    domains: list[DomainAround] = field(default_factory=list)


def series_answered(answered: list[int]) -> list[RoundSeries]:
    """Series with a round among the campaigns ``answered``, newest first (one read)."""
    if not answered:
        return []
    return list(
        db.session.scalars(
            select(RoundSeries)
            .where(
                RoundSeries.id.in_(
                    select(SeriesRound.series_id).where(SeriesRound.campaign_id.in_(answered))
                )
            )
            .order_by(RoundSeries.id.desc())
        )
    )


def series_rounds(series_id: int, town: Municipality) -> SeriesChange:
    """The series' rounds for the municipality: status, respondents and gaps per round."""
    return series_change(series_id, Scope.municipality(town.code))


def around(engagement: Engagement, change: SeriesChange) -> AroundEngagement:
    day = engagement.held_on
    opened = [head.campaign.opens_at.date() for head in change.rounds]
    before = max((i for i, d in enumerate(opened) if d <= day), default=None)
    after = min((i for i, d in enumerate(opened) if d > day), default=None)
    result = AroundEngagement(before, after)
    rows = {row.domain: row for row in change.domains}
    for domain in engagement.domains:
        row = rows.get(domain.code)
        figures = [None if i is None or row is None else row.rounds[i] for i in (before, after)]
        statuses = [
            "none" if i is None else ("empty" if f is None else f.status)
            for i, f in zip((before, after), figures, strict=True)
        ]
        result.domains.append(
            DomainAround(
                domain.code,
                figures[0].gap if figures[0] is not None else None,
                figures[1].gap if figures[1] is not None else None,
                *statuses,
            )
        )
    return result
