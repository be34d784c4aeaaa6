"""Peer learning's input: a campaign's mean need and capacity per municipality and domain.

Only the submitted responses of one campaign count, and only scored answers
to scale questions that carry a domain and a measure ("don't know" has no
score), as in the needs profiles (``surveyapp.profiles.figures``).

``load_scores`` reads, per (municipality, domain, measure), the sum and
number of scores and the responses that gave them from a count table kept
up to date at submit time (``surveyapp.profiles.count_tables``), and
returns a ``ScoreMatrix`` of mean need and mean capacity per municipality
and domain. Matching (``surveyapp.profiles.peers``) is a pure function of
that matrix, so a page costs a few small queries and tests can build
matrices by hand. Measured times are in bench/README.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    MEASURES,
    Campaign,
    Country,
    Domain,
    Municipality,
    ProfileScoreCount,
    Question,
    Response,
)
from surveyapp.places.town_languages import town_languages
from surveyapp.profiles.disclosure import DEFAULT_MIN_GROUP_SIZE, disclosure_for
from surveyapp.profiles.results import Scope, UnknownScope
from surveyapp.questionnaires.question_types import codes

# --- the matrix ------------------------------------------------------------------


@dataclass(frozen=True)
class DomainScore:
    """A city's figures in one domain. Means are on 1-5; None when nobody scored."""

    mean_need: float | None = None
    mean_capacity: float | None = None
    #: Responses with at least one need (capacity) score in the domain.
    need_respondents: int = 0
    capacity_respondents: int = 0

    @property
    def gap(self) -> float | None:
        """Need - capacity; None when either is missing."""
        if self.mean_need is None or self.mean_capacity is None:
            return None
        return self.mean_need - self.mean_capacity


@dataclass(frozen=True)
class CityScores:
    code: str
    country_code: str
    #: Submitted responses of the campaign from the city.
    respondents: int = 0
    #: Its country's working languages, then the others its respondents answered in.
    languages: tuple[str, ...] = ()
    #: By domain code; domains nobody in the city scored are missing.
    domains: Mapping[str, DomainScore] = field(default_factory=dict)
    #: True when the disclosure control hides the city's figures (then none are here).
    hidden: bool = False


@dataclass(frozen=True)
class ScoreMatrix:
    """Per city and domain: mean need and capacity of one campaign."""

    campaign_id: int | None
    #: Domain codes in questionnaire order; ties are broken in this order.
    domains: tuple[str, ...]
    #: Every municipality by code, those without responses too (with no domains).
    cities: Mapping[str, CityScores]
    #: The smallest group of respondents shown (``disclosure.min_group_size``).
    min_group: int = DEFAULT_MIN_GROUP_SIZE

    def city(self, code: str) -> CityScores:
        try:
            return self.cities[code]
        except KeyError:
            raise UnknownScope(f"no municipality {code!r}") from None


# --- loading ---------------------------------------------------------------------


def load_scores(campaign_id: int) -> ScoreMatrix:
    """The campaign's mean need and capacity per municipality and domain.

    Reads the score counts kept at submit time (``ProfileScoreCount``, a row
    per municipality, domain and measure) and the submitted responses per
    municipality and language, so a newly submitted response shows at once.
    A city whose figures the disclosure control hides (too few respondents,
    or the complement of a hidden group) has no domains, no respondents and
    only its country's languages, as if nobody had answered there.
    Raises LookupError for an unknown campaign.
    """
    version_id = db.session.scalar(select(Campaign.version_id).where(Campaign.id == campaign_id))
    if version_id is None:
        raise LookupError(f"no campaign {campaign_id}")
    domains = _domains(version_id)
    counts = ProfileScoreCount
    figures: dict[int, dict[str, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    for town_id, domain_id, measure, total, scores, respondents in db.session.execute(
        select(
            counts.municipality_id,
            counts.domain_id,
            counts.measure,
            counts.score_sum,
            counts.scores,
            counts.respondents,
        ).where(
            counts.campaign_id == campaign_id,
            counts.domain_id.in_(domains),
            counts.measure.in_(MEASURES),
            counts.scores > 0,
        )
    ):
        figures[town_id][domains[domain_id]][f"mean_{measure}"] = total / scores
        figures[town_id][domains[domain_id]][f"{measure}_respondents"] = respondents
    answered: dict[int, dict[str, int]] = defaultdict(dict)
    for town_id, language, responses in db.session.execute(
        select(Response.municipality_id, Response.language, func.count())
        .where(Response.campaign_id == campaign_id, Response.status == "submitted")
        .group_by(Response.municipality_id, Response.language)
    ):
        answered[town_id][language] = responses
    towns = db.session.execute(
        select(Municipality.id, Municipality.code, Country.code, Country.languages).join(
            Country, Municipality.country_id == Country.id
        )
    )
    order = list(domains.values())
    disclosure = disclosure_for(campaign_id)
    cities = {}
    for town_id, code, country, country_languages in towns:
        status = disclosure.status(Scope.municipality(code))
        if status != "shown":
            hidden = status == "suppressed"
            languages = tuple(town_languages(code, country_languages))
            cities[code] = CityScores(code, country, languages=languages, hidden=hidden)
            continue
        spoken = answered.get(town_id, {})
        extra = sorted(spoken, key=lambda lang: (-spoken[lang], lang))
        mine = figures.get(town_id, {})
        cities[code] = CityScores(
            code=code,
            country_code=country,
            respondents=sum(spoken.values()),
            languages=tuple(dict.fromkeys([*town_languages(code, country_languages), *extra])),
            domains={d: DomainScore(**mine[d]) for d in order if d in mine},
        )
    return ScoreMatrix(campaign_id, tuple(order), cities, disclosure.min_group)


def _domains(version_id: int) -> dict[int, str]:
    """Domain id -> code, in questionnaire order, of the version's scored scale questions."""
    scored = select(Question.domain_id).where(
        Question.version_id == version_id,
        Question.type.in_(codes(summary="scores")),
        Question.measure.in_(MEASURES),
    )
    rows = db.session.execute(
        select(Domain.id, Domain.code)
        .where(Domain.id.in_(scored.scalar_subquery()))
        .order_by(Domain.position, Domain.id)
    )
    return {domain_id: code for domain_id, code in rows}
