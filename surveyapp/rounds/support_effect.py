"""What changed where the hub helped: the change in gap beside the hub's support.

Between two rounds A and B of a series (default: the first and the last), each
municipality's **change** in a domain is its gap (need minus capacity, over the
items both rounds compare, as ``surveyapp.rounds.change`` computes it) in B
minus its gap in A. Which support counts: an engagement **done** (not planned),
held **on or after the day round A opened and before the day round B opened**,
on that domain; support given while B was being answered is left out, as its
answers may predate it. Partners of an exchange count through their own
engagement rows (each city taking part has one).

For each domain, and for all domains together, three groups of municipalities'
changes stand side by side:

* ``supported``: municipalities the hub supported in that domain (all domains:
  each supported municipality's mean change over the domains it was supported in);
* ``elsewhere``: municipalities supported in other domains only (all domains:
  the same supported municipalities' mean change over their other domains);
* ``unsupported``: municipalities the hub did not support at all between the rounds.

The unit is the municipality: a figure is the mean of municipalities' changes,
with a t-based 95 % interval over those changes (``intervals.mean_estimate``
with one score per municipality), the number of municipalities behind it, per
country and for the region. It describes; it does not prove that the support
caused the change.

Privacy: a municipality whose group (municipality and role) is hidden in either
round (``surveyapp.profiles.disclosure``) contributes nothing; a figure resting
on fewer municipalities than the larger of the two rounds' smallest group is
not shown. Every municipality that does contribute is a group shown in both
rounds, whose own gaps any reader may see on its change page, so adding or
subtracting figures here can reveal nothing the disclosure control hides.

Cost: per round, one read of the per-domain sums (``ProfileScoreCount``, for all
roles when every item of a domain is compared) or one grouped read of the per-item
counts (``ProfileCount``), and one read of the engagements, whatever the number of
responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Campaign,
    Country,
    Domain,
    Engagement,
    Municipality,
    ProfileCount,
    ProfileScoreCount,
)
from surveyapp.models.engagement import engagement_domain
from surveyapp.profiles.disclosure import disclosure_for
from surveyapp.profiles.results import Scope
from surveyapp.profiles.selection import Catalog, selection_for
from surveyapp.rounds.intervals import Estimate, mean_estimate
from surveyapp.rounds.matching import Matching, matching_for
from surveyapp.rounds.series import round_campaigns

GROUPS = ("supported", "elsewhere", "unsupported")


class RoundsRefused(ValueError):
    """The rounds asked for cannot be compared; ``code``: "too_few_rounds" (the series
    has fewer than two), "unknown_round" (not a round of the series, or the same twice)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class GroupFigure:
    """The mean change of one group of municipalities."""

    #: Municipalities behind the figure (shown even when the figure is not).
    municipalities: int
    #: "shown", "too_few" (fewer municipalities than the smallest group) or "none".
    status: Literal["shown", "too_few", "none"]
    change: Estimate | None = None


@dataclass
class SupportRow:
    #: A domain's code; None for all domains together.
    domain: str | None
    figures: dict[str, GroupFigure]


@dataclass
class AreaSupport:
    scope: Scope
    rows: list[SupportRow]
    #: Municipalities with a change in at least one domain.
    municipalities: int


@dataclass
class SupportEffect:
    series_id: int
    first: Campaign
    last: Campaign
    role: str | None
    min_group: int
    domains: list[str]
    region: AreaSupport
    countries: list[AreaSupport]
    #: Engagements that count (done, between the rounds), and the municipalities they reached.
    engagements: int = 0
    supported_municipalities: int = 0
    #: Municipalities that answered both rounds but whose group is hidden in one of them.
    hidden_municipalities: int = 0
    notes: list[str] = field(default_factory=list)

    def area(self, scope: Scope) -> AreaSupport:
        if scope.kind == "region":
            return self.region
        return next((a for a in self.countries if a.scope == scope), self.region)


def chosen_rounds(series_id: int, first_id: int | None, last_id: int | None) -> list[Campaign]:
    """The two rounds compared: ``first_id`` and ``last_id`` (campaign ids, in either
    order), or the series' first and last when not given. Raises ``RoundsRefused``."""
    campaigns = round_campaigns(series_id)
    if len(campaigns) < 2:
        raise RoundsRefused("too_few_rounds")
    ids = [c.id for c in campaigns]
    first = ids[0] if first_id is None else first_id
    last = ids[-1] if last_id is None else last_id
    if first not in ids or last not in ids or first == last:
        raise RoundsRefused("unknown_round")
    pair = sorted((first, last), key=ids.index)
    return [campaigns[ids.index(pair[0])], campaigns[ids.index(pair[1])]]


def counted_support(first: Campaign, last: Campaign) -> tuple[dict[int, set[str]], int]:
    """Municipality id -> codes of the domains the hub supported it in between the two
    rounds (an empty set: supported, on no domain); and how many engagements count."""
    start: date = first.opens_at.date()
    end: date = last.opens_at.date()
    where = (Engagement.status == "done", Engagement.held_on >= start, Engagement.held_on < end)
    support: dict[int, set[str]] = {}
    engagements = 0
    for (town_id,) in db.session.execute(select(Engagement.municipality_id).where(*where)):
        support.setdefault(town_id, set())
        engagements += 1
    for town_id, code in db.session.execute(
        select(Engagement.municipality_id, Domain.code)
        .join(engagement_domain, engagement_domain.c.engagement_id == Engagement.id)
        .join(Domain, Domain.id == engagement_domain.c.domain_id)
        .where(*where)
    ):
        support[town_id].add(code)
    return support, engagements


def municipality_gaps(
    campaign_id: int, role: str | None, matching: Matching
) -> dict[int, dict[str, float]]:
    """Municipality id -> domain -> gap (mean need minus mean capacity over the compared
    items) in one round; only domains with both measures.

    For all roles, a domain whose every scored item this round is compared is read from
    the per-domain sums (``ProfileScoreCount``: municipalities x domains rows); the other
    domains, and any role, from the per-item counts (``ProfileCount``).
    """
    ids = matching.question_ids(campaign_id)
    if not ids:
        return {}
    sums: dict[int, dict[tuple[str, str], list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    per_item = dict(ids)
    if role is None:
        compared_domains = {domain for domain, _measure in ids.values()}
        whole = {
            domain
            for domain in compared_domains
            if all(
                item.question_id in ids
                for item in matching.items[campaign_id]
                if item.domain == domain
            )
        }
        if whole:
            s: Any = ProfileScoreCount
            for town_id, code, measure, total, count in db.session.execute(
                select(s.municipality_id, Domain.code, s.measure, s.score_sum, s.scores)
                .join(Domain, Domain.id == s.domain_id)
                .where(s.campaign_id == campaign_id, Domain.code.in_(whole), s.scores > 0)
            ):
                figures = sums[town_id][(code, measure)]
                figures[0] += float(total)
                figures[1] += float(count)
            per_item = {q: key for q, key in ids.items() if key[0] not in whole}
    if per_item:
        no_questions = Catalog({}, [], {}, {})
        counted = selection_for(Scope.region(), campaign_id, role, catalog=no_questions).counted
        c: Any = ProfileCount
        for town_id, question_id, total, count in db.session.execute(
            select(
                c.municipality_id,
                c.question_id,
                func.sum(c.score * c.responses),
                func.sum(c.responses),
            )
            .where(*counted(c), c.question_id.in_(per_item), c.score.is_not(None))
            .group_by(c.municipality_id, c.question_id)
        ):
            figures = sums[town_id][per_item[question_id]]
            figures[0] += float(total or 0)
            figures[1] += float(count or 0)
    result: dict[int, dict[str, float]] = {}
    for town_id, by_item in sums.items():
        gaps = {}
        for domain in {domain for domain, _measure in by_item}:
            need, capacity = by_item.get((domain, "need")), by_item.get((domain, "capacity"))
            if need and capacity and need[1] and capacity[1]:
                gaps[domain] = need[0] / need[1] - capacity[0] / capacity[1]
        result[town_id] = gaps
    return result


def support_effect(
    series_id: int,
    first_id: int | None = None,
    last_id: int | None = None,
    role: str | None = None,
) -> SupportEffect:
    """The change in gap where the hub helped, beside where it did not (module docstring).

    Raises ``RoundsRefused`` for rounds that are not two of the series, ValueError for an
    unknown role.
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    first, last = chosen_rounds(series_id, first_id, last_id)
    matching = matching_for(series_id, [first.id, last.id])
    domains = [d.domain for d in matching.domains() if d.compared]
    disclosures = [disclosure_for(first.id), disclosure_for(last.id)]
    min_group = max(d.min_group for d in disclosures)
    towns = {
        town_id: (code, country)
        for town_id, code, country in db.session.execute(
            select(Municipality.id, Municipality.code, Country.code).join(
                Country, Municipality.country_id == Country.id
            )
        )
    }
    before = municipality_gaps(first.id, role, matching)
    after = municipality_gaps(last.id, role, matching)
    support, engagements = counted_support(first, last)

    # Each municipality's change per domain, when its group is shown in both rounds.
    changes: dict[int, dict[str, float]] = {}
    hidden = 0
    for town_id in set(before) & set(after):
        scope = Scope.municipality(towns[town_id][0])
        if not all(d.shown(scope, role) for d in disclosures):
            hidden += 1
            continue
        common = set(before[town_id]) & set(after[town_id])
        if common:
            changes[town_id] = {d: after[town_id][d] - before[town_id][d] for d in common}

    def area(scope: Scope, members: list[int]) -> AreaSupport:
        rows = [_row(None, members, changes, support, min_group)]
        rows += [_row(domain, members, changes, support, min_group) for domain in domains]
        return AreaSupport(scope, rows, len(members))

    everyone = sorted(changes)
    by_country: dict[str, list[int]] = defaultdict(list)
    for town_id in everyone:
        by_country[towns[town_id][1]].append(town_id)
    countries = [area(Scope.country(code), by_country[code]) for code in sorted(by_country)]
    return SupportEffect(
        series_id,
        first,
        last,
        role,
        min_group,
        domains,
        area(Scope.region(), everyone),
        countries,
        engagements=engagements,
        supported_municipalities=len(support),
        hidden_municipalities=hidden,
    )


def _row(
    domain: str | None,
    members: list[int],
    changes: dict[int, dict[str, float]],
    support: dict[int, set[str]],
    min_group: int,
) -> SupportRow:
    values: dict[str, list[float]] = {group: [] for group in GROUPS}
    for town_id in members:
        own = changes[town_id]
        helped = support.get(town_id)
        if domain is not None:
            if domain not in own:
                continue
            if helped is None:
                values["unsupported"].append(own[domain])
            else:
                values["supported" if domain in helped else "elsewhere"].append(own[domain])
            continue
        # All domains: one figure per municipality and group, the mean over its domains.
        if helped is None:
            values["unsupported"].append(sum(own.values()) / len(own))
            continue
        inside = [v for d, v in own.items() if d in helped]
        outside = [v for d, v in own.items() if d not in helped]
        if inside:
            values["supported"].append(sum(inside) / len(inside))
        if outside:
            values["elsewhere"].append(sum(outside) / len(outside))
    return SupportRow(domain, {g: _figure(values[g], min_group) for g in GROUPS})


def _figure(values: list[float], min_group: int) -> GroupFigure:
    n = len(values)
    if n == 0:
        return GroupFigure(0, "none")
    if n < max(min_group, 2):
        return GroupFigure(n, "too_few")
    total = sum(values)
    squares = sum(v * v for v in values)
    return GroupFigure(n, "shown", mean_estimate(total, squares, n, n))
