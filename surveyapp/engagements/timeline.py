"""A municipality's timeline: the assessment rounds and the hub's engagements with
it, on one axis, with its domain gaps in each round.

When the municipality answered a round of a series, the timeline shows the rounds of
one series (the newest, or the one asked for): every round, answered or not, with the
gaps as the series' change page computes them, and for each engagement the gaps of its
domains in the round before and the round after (``timeline_rounds``). Otherwise it
shows the campaigns the municipality answered, each on its own.

A round is a campaign in which the municipality has submitted responses counted
in the profiles (the count tables say so, without reading answers). Its figures
(respondents, mean need, capacity and gap per domain, from the score counts kept
at submit time) follow the campaign's disclosure control: when the municipality's
group is hidden, the round shows that it was answered and nothing else.

Positions on the axis are fractions (0 at the first day, 1 at the last), so a
template can draw them at any width; the list of items in date order is the
text alternative.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import func, select

from surveyapp.engagements.records import engagements_of
from surveyapp.engagements.timeline_rounds import AroundEngagement, around, series_answered
from surveyapp.extensions import db
from surveyapp.models import (
    MEASURES,
    Campaign,
    Domain,
    Engagement,
    Municipality,
    ProfileDomainCount,
    ProfileScoreCount,
    RoundSeries,
)
from surveyapp.models.base import utcnow
from surveyapp.profiles.disclosure import disclosure_for
from surveyapp.profiles.results import Scope
from surveyapp.rounds.change import SeriesChange, series_change


class UnknownSeries(LookupError):
    """The series asked for has no round the municipality answered."""


@dataclass
class DomainGap:
    domain_code: str
    mean_need: float | None
    mean_capacity: float | None
    #: Responses with a need or capacity score in the domain.
    respondents: int

    @property
    def gap(self) -> float | None:
        if self.mean_need is None or self.mean_capacity is None:
            return None
        return self.mean_need - self.mean_capacity


@dataclass
class RoundMark:
    campaign_id: int
    name: str
    opens_on: date
    closes_on: date | None
    #: "shown", "suppressed" (the municipality's group is too small to show) or
    #: "empty" (a round of the series the municipality did not answer).
    status: Literal["shown", "suppressed", "empty"]
    #: Submitted responses; None when hidden.
    respondents: int | None
    #: Largest gap first, domains without a gap last; empty when hidden.
    gaps: list[DomainGap] = field(default_factory=list)


@dataclass
class TimelineItem:
    kind: Literal["round", "engagement"]
    day: date
    #: 1, 2, ... in date order: the marks on the chart carry these numbers.
    number: int
    #: 0 at the axis's first day, 1 at its last.
    position: float
    round: RoundMark | None = None
    engagement: Engagement | None = None
    #: By series, with figures: the engagement's domains in the rounds either side.
    around: AroundEngagement | None = None


@dataclass
class Timeline:
    municipality: Municipality
    items: list[TimelineItem]
    first_day: date
    last_day: date
    #: (year, position) of each 1 January on the axis.
    years: list[tuple[int, float]]
    rounds: list[RoundMark]
    #: Whether figures were asked for (staff who may read profiles).
    with_figures: bool
    #: The smallest group shown, for the note under hidden rounds.
    min_group: int = 0
    #: The series shown (None: the campaigns answered), and the series to choose from.
    series: RoundSeries | None = None
    series_choices: list[RoundSeries] = field(default_factory=list)
    #: Rounds of the series the municipality answered (shown or hidden).
    answered_rounds: int = 0

    @property
    def engagements(self) -> list[Engagement]:
        return [item.engagement for item in self.items if item.engagement is not None]


def rounds_answered(municipality_id: int) -> list[Campaign]:
    """Campaigns with submitted responses from the municipality, oldest first."""
    answered = (
        select(ProfileDomainCount.campaign_id)
        .where(
            ProfileDomainCount.municipality_id == municipality_id,
            ProfileDomainCount.respondents > 0,
        )
        .distinct()
    )
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.id.in_(answered.scalar_subquery()))
            .order_by(Campaign.opens_at, Campaign.id)
        )
    )


def _gaps(campaign_id: int, municipality_id: int) -> list[DomainGap]:
    rows = db.session.execute(
        select(
            Domain.code,
            Domain.position,
            ProfileScoreCount.measure,
            func.sum(ProfileScoreCount.score_sum),
            func.sum(ProfileScoreCount.scores),
            func.max(ProfileScoreCount.respondents),
        )
        .join(Domain, ProfileScoreCount.domain_id == Domain.id)
        .where(
            ProfileScoreCount.campaign_id == campaign_id,
            ProfileScoreCount.municipality_id == municipality_id,
            ProfileScoreCount.measure.in_(MEASURES),
            ProfileScoreCount.scores > 0,
        )
        .group_by(Domain.code, Domain.position, ProfileScoreCount.measure)
    )
    means: dict[str, dict[str, float]] = defaultdict(dict)
    respondents: dict[str, int] = defaultdict(int)
    position: dict[str, int] = {}
    for code, order, measure, total, scores, people in rows:
        means[code][measure] = total / scores
        respondents[code] = max(respondents[code], people or 0)
        position[code] = order
    gaps = [
        DomainGap(code, means[code].get("need"), means[code].get("capacity"), respondents[code])
        for code in means
    ]
    return sorted(
        gaps, key=lambda g: (g.gap is None, -(g.gap or 0.0), position[g.domain_code], g.domain_code)
    )


def _round(campaign: Campaign, town: Municipality, with_figures: bool) -> tuple[RoundMark, int]:
    disclosure = disclosure_for(campaign.id)
    scope = Scope.municipality(town.code)
    hidden = disclosure.status(scope) != "shown"
    mark = RoundMark(
        campaign.id,
        campaign.name,
        campaign.opens_at.date(),
        campaign.closes_at.date() if campaign.closes_at else None,
        "suppressed" if hidden else "shown",
        None if hidden else disclosure.size(scope),
    )
    if with_figures and not hidden:
        mark.gaps = _gaps(campaign.id, town.id)
    return mark, disclosure.min_group


def _series_marks(change: SeriesChange, with_figures: bool) -> list[RoundMark]:
    marks = []
    for i, head in enumerate(change.rounds):
        campaign = head.campaign
        mark = RoundMark(
            campaign.id,
            campaign.name,
            campaign.opens_at.date(),
            campaign.closes_at.date() if campaign.closes_at else None,
            head.status,  # type: ignore[arg-type]
            head.respondents,
        )
        if with_figures and head.status == "shown":
            gaps = [
                _gap_of(row.domain, row.rounds[i])
                for row in change.domains
                if row.rounds[i].status == "shown"
            ]
            mark.gaps = sorted(gaps, key=lambda g: (g.gap is None, -(g.gap or 0.0)))
        marks.append(mark)
    return marks


def municipality_timeline(
    town: Municipality, with_figures: bool, series_id: int | None = None
) -> Timeline:
    """The municipality's rounds and engagements in date order (a round on the day its
    campaign opened; a round and an engagement on one day: the round first).

    ``with_figures``: the rounds' domain gaps too (for staff who may read profiles);
    respondents and gaps are left out of a round whose group the disclosure control hides.
    ``series_id``: the series to show (default: the newest with a round the municipality
    answered); raises ``UnknownSeries`` for one without such a round.
    """
    answered = rounds_answered(town.id)
    choices = series_answered([c.id for c in answered])
    chosen = choices[0] if choices else None
    if series_id is not None:
        chosen = next((s for s in choices if s.id == series_id), None)
        if chosen is None:
            raise UnknownSeries(series_id)
    rounds: list[RoundMark] = []
    min_group = 0
    change = None
    if chosen is not None:
        change = series_change(chosen.id, Scope.municipality(town.code))
        rounds = _series_marks(change, with_figures)
        min_group = max((head.min_group for head in change.rounds), default=0)
    else:
        for campaign in answered:
            mark, min_group = _round(campaign, town, with_figures)
            rounds.append(mark)
    events: list[tuple[date, int, RoundMark | None, Engagement | None]] = [
        (mark.opens_on, 0, mark, None) for mark in rounds
    ] + [(e.held_on, 1, None, e) for e in engagements_of(town.id)]
    events.sort(key=lambda event: (event[0], event[1]))
    if events:
        first, last = events[0][0], events[-1][0]
    else:
        first = last = utcnow().date()
    # A little room at both ends, and never an axis of one day.
    if (last - first).days > 300:
        first, last = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    else:
        first, last = first - timedelta(days=120), last + timedelta(days=120)
    span = max((last - first).days, 1)

    def position(day: date) -> float:
        return (day - first).days / span

    items = [
        TimelineItem(
            "round" if mark is not None else "engagement",
            day,
            number,
            position(day),
            round=mark,
            engagement=engagement,
            around=around(engagement, change)
            if engagement is not None and change is not None and with_figures
            else None,
        )
        for number, (day, _order, mark, engagement) in enumerate(events, start=1)
    ]
    years = [
        (year, position(date(year, 1, 1)))
        for year in range(first.year, last.year + 1)
        if first <= date(year, 1, 1) <= last
    ]
    return Timeline(
        town,
        items,
        first,
        last,
        years,
        rounds,
        with_figures,
        min_group,
        series=chosen,
        series_choices=choices,
        answered_rounds=sum(1 for mark in rounds if mark.status != "empty"),
    )


def _gap_of(domain: str, figures: Any) -> DomainGap:
    """A domain's need, capacity and respondents in one round (``change.DomainRound``)."""
    need, capacity = figures.need, figures.capacity
    return DomainGap(
        domain,
        need.value if need is not None else None,
        capacity.value if capacity is not None else None,
        figures.respondents or 0,
    )
