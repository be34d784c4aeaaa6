"""Demo engagements: the hub's support to the cities, beside the demo campaign.

``seed_engagements(campaign)`` records the stories of ``data/demo_engagements.json``
(a regional workshop, Danilovgrad's Local Safety Council, an exchange on youth
engagement between Elbasan and Kumanovo, trainings for school psychologists, help
with Brčko's action plan), then, for some municipalities that answered the
campaign, a few engagements on their largest gaps, mostly before the campaign
opened and some still planned. The same seed gives the same engagements.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sqlalchemy import select

from surveyapp.core.data_files import DATA_DIR
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, Domain, Engagement, Municipality, Response
from surveyapp.models.base import utcnow
from surveyapp.profiles import peers
from surveyapp.profiles.peer_scores import load_scores

PATTERNS = DATA_DIR / "demo_engagements.json"


@write_transaction()
def seed_engagements(campaign: Campaign, seed: int = 1) -> int:
    """Record the demo engagements around ``campaign``; how many were recorded."""
    patterns = json.loads(PATTERNS.read_text("utf-8"))
    # bandit: synthetic demo data must be reproducible, not unpredictable.
    rng = random.Random(seed)  # nosec B311
    towns = {m.code: m for m in db.session.scalars(select(Municipality))}
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    opened = campaign.opens_at.date()
    today = utcnow().date()
    made = 0
    for story in patterns["stories"]:
        if story["municipality"] not in towns:
            continue
        if "days_from_today" in story:
            day = today + timedelta(days=story["days_from_today"])
        else:
            day = opened - timedelta(days=story["days_before_campaign"])
        _add(towns[story["municipality"]], story["kind"], day, story["status"],
             [domains[d] for d in story["domains"] if d in domains],
             [towns[m] for m in story["partners"] if m in towns], story["note"])  # fmt: skip
        made += 1
    made += _around_gaps(rng, patterns["random"], campaign, towns, domains, opened, today)
    db.session.commit()
    return made


def _around_gaps(rng, settings, campaign, towns, domains, opened: date, today: date) -> int:
    matrix = load_scores(campaign.id)
    answered = sorted(
        db.session.scalars(
            select(Municipality.code)
            .join(Response, Response.municipality_id == Municipality.id)
            .where(Response.campaign_id == campaign.id, Response.status == "submitted")
            .distinct()
        )
    )
    chosen = rng.sample(answered, min(settings["municipalities"], len(answered)))
    kinds = list(settings["kinds"])
    weights = [settings["kinds"][kind] for kind in kinds]
    made = 0
    for code in chosen:
        # A city whose figures are hidden (a small group) gets engagements on any domain.
        gaps = peers.largest_gaps(matrix.cities[code], matrix.domains) or list(matrix.domains)
        for _ in range(rng.randint(1, settings["most_per_municipality"])):
            kind = rng.choices(kinds, weights)[0]
            picked = rng.sample(gaps, min(len(gaps), rng.randint(1, 2)))
            if rng.random() < settings["planned_share"]:
                day, status = today + timedelta(days=rng.randint(10, 150)), "planned"
            else:
                day = min(opened - timedelta(days=rng.randint(0, settings["days_back"])), today)
                status = "done"
            partners = (
                [towns[rng.choice(answered)]] if kind in ("peer_exchange", "study_visit") else []
            )
            partners = [m for m in partners if m.code != code]
            _add(towns[code], kind, day, status, [domains[d] for d in picked], partners, "")
            made += 1
    return made


def _add(town, kind, day, status, domain_list, partners, note) -> None:
    engagement = Engagement(municipality=town, kind=kind, held_on=day, status=status, note=note)
    engagement.domains = sorted(set(domain_list), key=lambda d: (d.position, d.id))
    engagement.partners = list({m.id: m for m in partners}.values())
    db.session.add(engagement)
