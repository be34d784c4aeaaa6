"""An exchange of the regional exchange planner turned into planned engagements.

The planner (``profiles.peers.exchange_plan``) lists, per theme (a domain), the
municipalities that have it among their top needs and the ones that could host.
Staff pick a host, the visiting municipalities and a day; each of them gets a
planned "peer exchange" engagement on the theme's domain, naming the others as
partners, marked done later one by one. The engagements of one exchange share a
key, so doing it twice (a double click, a retry) adds nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.engagements.records import MAX_NOTE_LENGTH, clean_note, date_problem
from surveyapp.extensions import db
from surveyapp.models import Domain, Engagement, Municipality
from surveyapp.profiles import peers
from surveyapp.profiles.peer_scores import load_scores
from surveyapp.profiles.peers import Host


@dataclass
class ExchangeOptions:
    """Who an exchange on a theme may bring together, as the planner suggests."""

    campaign_id: int
    domain_code: str
    #: Candidate hosts, strongest capacity first.
    hosts: list[Host]
    #: Municipalities with the theme among their top needs, by country as the planner
    #: lists them: [(country code, [municipality codes])].
    visitors: list[tuple[str, list[str]]]

    def visitor_codes(self) -> set[str]:
        return {code for _country, codes in self.visitors for code in codes}


class ExchangeRefused(ValueError):
    """``problems`` maps a field (host, visitors, held_on, note) to what is wrong:
    "required", "unknown", "host" (the host among the visitors), "out_of_range",
    "too_long"."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


def exchange_options(campaign_id: int, domain_code: str) -> ExchangeOptions:
    """The planner's theme ``domain_code`` in the campaign: its hosts and municipalities.
    Raises LookupError for an unknown campaign or a domain that is no theme."""
    plan = peers.exchange_plan(load_scores(campaign_id), hosts_per_theme=None)
    for theme in plan.themes:
        if theme.domain_code == domain_code:
            visitors = [(group.country_code, list(group.cities)) for group in theme.countries]
            return ExchangeOptions(campaign_id, domain_code, list(theme.hosts), visitors)
    raise LookupError(domain_code)


def exchange_key(campaign_id: int, domain_code: str, host_code: str, day: date) -> str:
    return f"exchange:{campaign_id}:{domain_code}:{host_code}:{day.isoformat()}"


@write_transaction()
def plan_exchange(
    options: ExchangeOptions,
    host_code: str,
    visitor_codes: list[str],
    held_on: date | None,
    note: str,
    recorded_by_id: int | None,
) -> list[Engagement]:
    """A planned peer-exchange engagement for the host and for each visitor, on the
    theme's domain, each naming the others as partners. Municipalities that have this
    exchange already keep theirs (their partners are brought up to date). Raises
    ExchangeRefused (nothing stored) when a visitor is not one the planner offers for the
    theme, or the host is no municipality. The host may be one the planner does not
    suggest: staff may know a city that can show the way where the survey cannot tell."""
    problems: dict[str, str] = {}
    known_host = host_code in {host.code for host in options.hosts} or (
        bool(host_code)
        and db.session.scalar(select(Municipality.id).where(Municipality.code == host_code))
        is not None
    )
    if not host_code:
        problems["host"] = "required"
    elif not known_host:
        problems["host"] = "unknown"
    visitors = list(dict.fromkeys(visitor_codes))
    if not visitors:
        problems["visitors"] = "required"
    elif host_code in visitors:
        problems["visitors"] = "host"
    elif not set(visitors) <= options.visitor_codes():
        problems["visitors"] = "unknown"
    if problem := date_problem(held_on, "planned"):
        problems["held_on"] = problem
    note = clean_note(note)
    if len(note) > MAX_NOTE_LENGTH:
        problems["note"] = "too_long"
    domain = db.session.scalar(select(Domain).where(Domain.code == options.domain_code))
    if problems or domain is None or held_on is None:
        raise ExchangeRefused(problems or {"host": "unknown"})
    codes = [host_code, *visitors]
    towns = {
        town.code: town
        for town in db.session.scalars(select(Municipality).where(Municipality.code.in_(codes)))
    }
    key = exchange_key(options.campaign_id, options.domain_code, host_code, held_on)
    existing = {
        engagement.municipality_id: engagement
        for engagement in db.session.scalars(
            select(Engagement).where(Engagement.exchange_key == key)
        )
    }
    made = []
    for code in codes:
        town = towns[code]
        partners = [towns[other] for other in codes if other != code]
        engagement = existing.get(town.id)
        if engagement is None:
            engagement = Engagement(
                municipality=town,
                kind="peer_exchange",
                held_on=held_on,
                status="planned",
                note=note,
                exchange_key=key,
                recorded_by_id=recorded_by_id,
            )
            engagement.domains = [domain]
            db.session.add(engagement)
        merged = {m.code: m for m in [*engagement.partners, *partners]}
        engagement.partners = sorted(merged.values(), key=lambda m: m.code)
        made.append(engagement)
    db.session.commit()
    return made
