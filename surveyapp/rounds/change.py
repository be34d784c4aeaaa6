"""Change per domain across the rounds of a series, for a scope and a role.

For each round: need, capacity and gap of each domain over the items every
round compared (``matching``), the respondents behind them, and 95 %
intervals (``intervals``: t-based, from the count tables' sums and sums of
squares). The change is the last round with respondents minus the first.

Every figure comes from the count tables (``ProfileCount`` per question and
score, or ``ProfileCountryCount`` for the region and a country,
``ProfileDomainCount`` and the disclosure control's group sizes), never from
answer rows: the cost grows with rounds, questions and municipalities, not
with responses.

Privacy: each round's group (scope and role) follows that campaign's
disclosure control (``surveyapp.profiles.disclosure``); a hidden round shows
no figure, and a change that would need a hidden round is hidden too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Campaign,
    Domain,
    ProfileCount,
    ProfileCountryCount,
    ProfileDomainCount,
)
from surveyapp.profiles.disclosure import disclosure_for
from surveyapp.profiles.results import Scope
from surveyapp.profiles.selection import Catalog, selection_for
from surveyapp.rounds.intervals import Estimate, difference, gap_estimate, mean_estimate
from surveyapp.rounds.matching import Matching, matching_for


@dataclass
class RoundFigures:
    """One domain in one round."""

    campaign_id: int
    #: "shown", "suppressed" (a hidden group) or "empty" (nobody answered).
    status: str
    respondents: int | None = None
    need: Estimate | None = None
    capacity: Estimate | None = None
    gap: Estimate | None = None


@dataclass
class DomainChange:
    domain: str
    #: Items compared in this domain.
    items: int
    rounds: list[RoundFigures]
    #: "shown", "suppressed" (a round it needs is hidden) or "none" (fewer than two rounds).
    change_status: str = "none"
    need: Estimate | None = None
    capacity: Estimate | None = None
    gap: Estimate | None = None


@dataclass
class RoundHead:
    campaign: Campaign
    status: str
    respondents: int | None
    min_group: int


@dataclass
class SeriesChange:
    scope: Scope
    role: str | None
    rounds: list[RoundHead]
    domains: list[DomainChange]
    matching: Matching
    #: Positions (from 0) of the rounds the change is between; None without a change.
    between: tuple[int, int] | None = None
    left_out_items: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def answered_rounds(self) -> int:
        """Rounds in which the scope (and role) has respondents, shown or hidden."""
        return sum(1 for head in self.rounds if head.status != "empty")


def series_change(series_id: int, scope: Scope, role: str | None = None) -> SeriesChange:
    """Need, capacity and gap per domain in every round of a series, and the change.

    Raises ``surveyapp.profiles.results.UnknownScope`` for an unknown area and
    ValueError for an unknown role.
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    matching = matching_for(series_id)
    heads: list[RoundHead] = []
    per_round: list[dict[str, RoundFigures]] = []
    domains = [d.domain for d in matching.domains() if d.compared]
    for campaign in matching.campaigns:
        disclosure = disclosure_for(campaign.id)
        status = disclosure.status(scope, role)
        heads.append(
            RoundHead(
                campaign,
                status,
                disclosure.size(scope, role) if status == "shown" else None,
                disclosure.min_group,
            )
        )
        if status != "shown":
            per_round.append({d: RoundFigures(campaign.id, status) for d in domains})
            continue
        per_round.append(_round_figures(campaign.id, scope, role, matching, domains))
    result = SeriesChange(scope, role, heads, [], matching, left_out_items=len(matching.left_out))
    answered = [i for i, head in enumerate(heads) if head.status != "empty"]
    if len(answered) >= 2:
        result.between = (answered[0], answered[-1])
    for domain in domains:
        items = sum(
            1 for found in matching.compared.values() if next(iter(found.values())).domain == domain
        )
        row = DomainChange(domain, items, [figures[domain] for figures in per_round])
        if result.between is not None:
            first, last = (row.rounds[i] for i in result.between)
            if "suppressed" in (first.status, last.status):
                row.change_status = "suppressed"
            elif first.status == "shown" and last.status == "shown":
                row.change_status = "shown"
                row.need = difference(last.need, first.need)
                row.capacity = difference(last.capacity, first.capacity)
                row.gap = difference(last.gap, first.gap)
        result.domains.append(row)
    return result


def _round_figures(
    campaign_id: int, scope: Scope, role: str | None, matching: Matching, domains: list[str]
) -> dict[str, RoundFigures]:
    """Figures of one round whose group is shown: one grouped read per count table."""
    ids = matching.question_ids(campaign_id)
    selection = selection_for(scope, campaign_id, role, catalog=Catalog({}, [], {}, {}))
    counted = selection.counted
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    if ids:
        # The region and a country read the counts added up per country.
        c: Any = ProfileCountryCount if selection.rolled else ProfileCount
        scores = selection.rolled or counted
        for question_id, score, count in db.session.execute(
            select(c.question_id, c.score, func.sum(c.responses))
            .where(*scores(c), c.question_id.in_(ids), c.score.is_not(None))
            .group_by(c.question_id, c.score)
        ):
            figures = sums[ids[question_id]]
            figures[0] += score * count
            figures[1] += score * score * count
            figures[2] += int(count)
    # Respondents of the domain: with a scored answer to any of its items in this round.
    respondents: dict[str, int] = defaultdict(int)
    d = ProfileDomainCount
    codes = {
        domain_id: code
        for domain_id, code in db.session.execute(
            select(Domain.id, Domain.code).where(Domain.code.in_(domains))
        )
    }
    if codes:
        for domain_id, count in db.session.execute(
            select(d.domain_id, func.sum(d.respondents))
            .where(*counted(d), d.domain_id.in_(codes))
            .group_by(d.domain_id)
        ):
            respondents[codes[domain_id]] += int(count)
    result = {}
    for domain in domains:
        people = respondents.get(domain, 0)
        need = _estimate(sums[(domain, "need")], people) if (domain, "need") in sums else None
        capacity = (
            _estimate(sums[(domain, "capacity")], people) if (domain, "capacity") in sums else None
        )
        result[domain] = RoundFigures(
            campaign_id,
            "shown" if people else "empty",
            people,
            need,
            capacity,
            gap_estimate(need, capacity),
        )
    return result


def _estimate(figures: list[float], people: int):
    """``mean_estimate`` of [sum, sum of squares, scores] kept per domain and measure."""
    total, squares, scores = figures
    return mean_estimate(total, squares, int(scores), people)
