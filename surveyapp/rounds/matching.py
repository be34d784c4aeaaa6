"""Items matched across the rounds of a series.

The items are the scored questions of each round (a scale question with a
domain and a measure): they make the domain means. An item is known by its
stable question name; it matches the first round's item of the same name,
unless staff said otherwise (``ItemMatch``): it answers a renamed item of the
first round (``matches``), or it is not comparable (changed scale, changed
meaning), with a reason.

An item counts in a comparison of rounds only when every round compared has
exactly one comparable item of that key, all in the same domain and measure;
every other item is left out, with the reason (``LeftOut``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, Domain, ItemMatch, SeriesRound
from surveyapp.profiles.selection import load_catalog
from surveyapp.rounds.series import round_campaigns

MAX_REASON_LENGTH = 500

#: Why an item is left out of a comparison.
NOT_COMPARABLE = "not_comparable"  # staff marked it
MISSING = "missing"  # a round compared has no item of that key
CHANGED = "changed"  # another domain or measure in another round
TWICE = "twice"  # two items of one round answer the same key


@dataclass
class RoundItem:
    """A scored item of one round."""

    campaign_id: int
    name: str
    question_id: int
    domain: str
    measure: str
    #: The name of the first round's item it answers (its own name unless renamed).
    key: str
    comparable: bool = True
    reason: str | None = None

    @property
    def renamed(self) -> bool:
        return self.key != self.name


@dataclass
class LeftOut:
    """An item (by key) left out of a comparison, and why."""

    key: str
    why: str
    #: The round where it happens (the item marked, or the round it is missing from).
    campaign_id: int
    domain: str | None
    #: Staff's reason, for items marked not comparable.
    reason: str | None = None


@dataclass
class DomainStatus:
    """How much of a domain two (or more) rounds can compare."""

    domain: str
    compared: int
    left_out: int

    @property
    def status(self) -> str:
        """ "comparable" (every item), "partly" or "not_comparable" (no item)."""
        if not self.compared:
            return "not_comparable"
        return "partly" if self.left_out else "comparable"


@dataclass
class Matching:
    campaigns: list[Campaign]
    #: Scored items of each round, by campaign id, in questionnaire order.
    items: dict[int, list[RoundItem]]
    #: Keys compared: key -> campaign id -> item.
    compared: dict[str, dict[int, RoundItem]] = field(default_factory=dict)
    left_out: list[LeftOut] = field(default_factory=list)
    #: Domain codes in domain order.
    domain_order: list[str] = field(default_factory=list)

    def question_ids(self, campaign_id: int) -> dict[int, tuple[str, str]]:
        """Question id -> (domain, measure) of the items compared, in one round."""
        return {
            items[campaign_id].question_id: (items[campaign_id].domain, items[campaign_id].measure)
            for items in self.compared.values()
        }

    def domains(self) -> list[DomainStatus]:
        compared: dict[str, int] = defaultdict(int)
        left: dict[str, set[str]] = defaultdict(set)
        for items in self.compared.values():
            compared[next(iter(items.values())).domain] += 1
        for item in self.left_out:
            if item.domain:
                left[item.domain].add(item.key)
        used = set(compared) | set(left)
        return [
            DomainStatus(code, compared.get(code, 0), len(left.get(code, ())))
            for code in self.domain_order
            if code in used
        ]


class MatchRefused(ValueError):
    """The match cannot be saved; ``code``: "unknown_round", "unknown_item",
    "unknown_match", "reason_required", "reason_too_long", "first_round"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def round_items(series_id: int, campaign: Campaign, first: bool) -> list[RoundItem]:
    """The scored items of one round, with staff's matches applied."""
    catalog = load_catalog(campaign.id)
    matches = {
        m.question_name: m
        for m in db.session.scalars(
            select(ItemMatch).where(
                ItemMatch.series_id == series_id, ItemMatch.campaign_id == campaign.id
            )
        )
    }
    position = {name: i for i, name in enumerate(catalog.order)}
    result = []
    for question in sorted(catalog.questions.values(), key=lambda q: position[q.name]):
        scored = question.scored
        if not scored:
            continue
        match = matches.get(question.name)
        key = question.name
        if match is not None and match.matches and not first:
            key = match.matches
        result.append(
            RoundItem(
                campaign.id,
                question.name,
                question.id,
                *scored,
                key=key,
                comparable=match.comparable if match is not None else True,
                reason=match.reason if match is not None else None,
            )
        )
    return result


def matching_for(series_id: int, campaign_ids: list[int] | None = None) -> Matching:
    """The items of the series' rounds (or of the rounds ``campaign_ids``, in round
    order) and which of them every round compared shares."""
    everyone = round_campaigns(series_id)
    first_id = everyone[0].id if everyone else None
    campaigns = [c for c in everyone if campaign_ids is None or c.id in campaign_ids]
    items = {c.id: round_items(series_id, c, c.id == first_id) for c in campaigns}
    order_of_domains = list(db.session.scalars(select(Domain.code).order_by(Domain.position)))
    result = Matching(campaigns, items, domain_order=order_of_domains)
    by_key: dict[str, dict[int, list[RoundItem]]] = defaultdict(lambda: defaultdict(list))
    order: dict[str, None] = {}
    for campaign in campaigns:
        for item in items[campaign.id]:
            by_key[item.key][campaign.id].append(item)
            order.setdefault(item.key)
    for key in order:
        rounds = by_key[key]
        model = next(iter(rounds.values()))[0]
        domain = model.domain
        why, where, reason = None, None, None
        for campaign in campaigns:
            found = rounds.get(campaign.id, [])
            if not found:
                why, where = MISSING, campaign.id
            elif len(found) > 1:
                why, where = TWICE, campaign.id
            elif not found[0].comparable:
                why, where, reason = NOT_COMPARABLE, campaign.id, found[0].reason
            elif (found[0].domain, found[0].measure) != (model.domain, model.measure):
                why, where = CHANGED, campaign.id
            if why:
                break
        if why:
            result.left_out.append(LeftOut(key, why, where, domain, reason))  # type: ignore[arg-type]
        else:
            result.compared[key] = {cid: found[0] for cid, found in rounds.items()}
    return result


def set_match(
    series_id: int,
    campaign_id: int,
    question_name: str,
    matches: str | None,
    comparable: bool,
    reason: str | None,
) -> None:
    """Save staff's word on one item of one round.

    ``matches``: the first round's item it answers (None or its own name: its
    own). Not comparable needs a reason. Matching its own name and comparable
    is the default, so the row goes.
    """
    campaigns = round_campaigns(series_id)
    campaign = next((c for c in campaigns if c.id == campaign_id), None)
    if campaign is None:
        raise MatchRefused("unknown_round")
    first = campaigns[0].id == campaign_id
    names = {item.name for item in round_items(series_id, campaign, first)}
    if question_name not in names:
        raise MatchRefused("unknown_item")
    matches = (matches or "").strip() or None
    if matches == question_name:
        matches = None
    if matches is not None:
        if first:
            raise MatchRefused("first_round")
        if matches not in {item.name for item in round_items(series_id, campaigns[0], True)}:
            raise MatchRefused("unknown_match")
    reason = " ".join((reason or "").split()) or None
    if not comparable and not reason:
        raise MatchRefused("reason_required")
    if reason and len(reason) > MAX_REASON_LENGTH:
        raise MatchRefused("reason_too_long")
    with write_transaction():
        row = db.session.scalar(
            select(ItemMatch).where(
                ItemMatch.series_id == series_id,
                ItemMatch.campaign_id == campaign_id,
                ItemMatch.question_name == question_name,
            )
        )
        if matches is None and comparable:
            if row is not None:
                db.session.delete(row)
            return
        if row is None:
            row = ItemMatch(
                series_id=series_id, campaign_id=campaign_id, question_name=question_name
            )
            db.session.add(row)
        row.matches = matches
        row.comparable = comparable
        row.reason = None if comparable else reason


def in_series(series_id: int, campaign_id: int) -> bool:
    return (
        db.session.scalar(
            select(SeriesRound.id).where(
                SeriesRound.series_id == series_id, SeriesRound.campaign_id == campaign_id
            )
        )
        is not None
    )
