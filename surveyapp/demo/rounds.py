"""Demo rounds: two or three campaigns of the built-in assessment, years apart, as a
series, and the hub's support to the cities between them.

The same network of cities answers every round (``NETWORK_PER_COUNTRY`` a country, the
demo stories' cities among them), so most cities have enough respondents in each round
for their figures to show. Between two rounds the hub supports about half of them, each
in one or two domains (engagements done, dated between the rounds); in the next round
those cities report more capacity and a little less need in exactly those domains
(``SUPPORT_SHIFT``), on top of a small drift everywhere. So the change pages have real
changes and changes within the noise, and "what changed where the hub helped" has
something to show. The same seed gives the same data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.demo.seed import seed_demo
from surveyapp.extensions import db
from surveyapp.models import Country, Domain, Engagement, Municipality
from surveyapp.places import reference_data
from surveyapp.questionnaires import definition_file
from surveyapp.rounds import series

SERIES_NAME = "City needs"
#: (campaign name, start, shifts of every city's mean scores: measure -> domain -> points)
ROUNDS = [
    ("City needs 2023", datetime(2023, 2, 6), {}),
    ("City needs 2026", datetime(2026, 2, 2), {"capacity": {"trust": 0.1, "schools": 0.1}}),
    (
        "City needs 2029",
        datetime(2029, 2, 5),
        {"capacity": {"trust": 0.2, "schools": 0.1}, "need": {"online_hate": 0.2}},
    ),
]
#: Cities of each country that answer every round.
NETWORK_PER_COUNTRY = 10
STORY_CITIES = ("ba-sarajevo", "ba-brcko", "me-danilovgrad", "al-elbasan", "mk-kumanovo")
#: What the hub's support in a domain does to a city's means in the rounds after it.
SUPPORT_SHIFT = {"capacity": 0.7, "need": -0.25}
#: Share of the network supported between two rounds.
SUPPORTED_SHARE = 0.5
SUPPORT_KINDS = ("training", "workshop", "roundtable", "action_plan", "peer_exchange")


def _network(rng: random.Random) -> list[str]:
    towns: dict[str, list[str]] = {}
    for code, country in db.session.execute(
        select(Municipality.code, Country.code)
        .join(Country, Municipality.country_id == Country.id)
        .order_by(Municipality.code)
    ):
        towns.setdefault(country, []).append(code)
    chosen = [code for code in STORY_CITIES if any(code in t for t in towns.values())]
    for country in sorted(towns):
        others = [c for c in towns[country] if c not in chosen]
        room = max(0, NETWORK_PER_COUNTRY - sum(1 for c in chosen if c in towns[country]))
        chosen += rng.sample(others, min(room, len(others)))
    return sorted(chosen)


@write_transaction()
def _record_support(plan: dict[str, list[str]], start: date, end: date, rng: random.Random) -> None:
    """Engagements done between two rounds: one per city, on its planned domains."""
    towns = {m.code: m for m in db.session.scalars(select(Municipality))}
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    span = max(1, (end - start).days - 150)
    for code, wanted in sorted(plan.items()):
        engagement = Engagement(
            municipality=towns[code],
            kind=rng.choice(SUPPORT_KINDS),
            held_on=start + timedelta(days=90 + rng.randrange(span)),
            status="done",
            note="",
        )
        engagement.domains = sorted(
            (domains[d] for d in wanted if d in domains), key=lambda d: (d.position, d.id)
        )
        db.session.add(engagement)
    db.session.commit()


def seed_demo_rounds(responses: int, rounds: int = 3, seed: int = 1) -> int:
    """``rounds`` (2 or 3) demo campaigns of ``responses`` responses each, as one series,
    with the hub's engagements between them; the series' id."""
    if rounds not in (2, 3):
        raise ValueError("2 or 3 rounds")
    # bandit: synthetic demo data must be reproducible, not unpredictable.
    rng = random.Random(seed)  # nosec B311
    reference_data.load_reference_data()
    definition_file.load_questionnaire()  # the domains
    network = _network(rng)
    domain_codes = list(db.session.scalars(select(Domain.code).order_by(Domain.position)))
    series_id = series.create_series(SERIES_NAME)
    town_shifts: dict[str, dict[str, dict[str, float]]] = {}
    for i, (name, start, shifts) in enumerate(ROUNDS[:rounds]):
        if i:
            # Support between the previous round and this one, felt from this round on.
            plan = {
                code: rng.sample(domain_codes, rng.choice((1, 1, 2)))
                for code in rng.sample(network, round(len(network) * SUPPORTED_SHARE))
            }
            _record_support(plan, ROUNDS[i - 1][1].date(), start.date(), rng)
            for code, wanted in plan.items():
                own = town_shifts.setdefault(code, {})
                for measure, points in SUPPORT_SHIFT.items():
                    for domain in wanted:
                        by_domain = own.setdefault(measure, {})
                        by_domain[domain] = by_domain.get(domain, 0.0) + points
        campaign = seed_demo(
            responses,
            seed=seed + i,
            start=start,
            name=name,
            shifts=shifts,
            municipalities=network,
            town_shifts=town_shifts,
        )
        series.add_round(series_id, campaign.id)
    return series_id
