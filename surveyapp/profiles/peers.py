"""Peer learning: which cities face the same needs, and which can show the way.

Pure functions of a campaign's ``ScoreMatrix`` (``surveyapp.profiles.peer_scores``:
mean need and capacity per city and domain); plain dataclasses out, no
database, no request.

Similarity of two cities. Each mean is put on 0-1 (1 on the 1-5 scale is 0,
5 is 1). The figures compared are the (domain, measure) pairs both cities
have a mean for; the distance is the root mean square of their differences,
and the similarity is 1 - distance: 1.0 (100 %) when every shared figure is
equal, 0.0 when each is at opposite ends of the scale. Figures only one city
has are left out, so a domain a city did not answer neither helps nor hurts;
a pair with fewer than ``MIN_OVERLAP`` shared domains is not compared at all.

Priorities and gaps. A city's top needs are the domains whose mean need is
among its ``TOP_NEEDS`` highest, counting ties: a domain is in the top 3 when
fewer than 3 of the city's domains have a strictly higher mean need, so tied
domains are all in (or all out), never cut by domain order. Shared
priorities of two cities are the domains in both their top needs. A city's
gaps are its domains with need above capacity, largest need - capacity first
(ties in domain order).

Hosts. A city can show the way in a domain when its mean capacity there is
at least ``MIN_CAPACITY`` and at least the minimum group
(``ScoreMatrix.min_group``, the setting every report reads) of its respondents
gave a capacity score in it; hosts are ranked by capacity, then by those
respondents, then by code. A host's languages are its country's working
languages, then the other languages its respondents answered in. Two cities
share a language when they have one in common, scripts aside (``sr`` and
``sr-Latn`` are one spoken language).

Measured times are in bench/README.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from surveyapp.languages.registry import spoken_language
from surveyapp.profiles.peer_scores import CityScores, ScoreMatrix

#: Mean capacity (1-5) from which a city is suggested as a host.
MIN_CAPACITY = 3.5
#: Two cities are compared only when both have figures in this many domains.
MIN_OVERLAP = 3
#: How many of its highest needs are a city's priorities (ties included).
TOP_NEEDS = 3
#: The scale of need and capacity scores.
SCALE_LOW, SCALE_HIGH = 1.0, 5.0
#: Ranking compares means rounded to this many decimals (float noise is no order).
_DIGITS = 9

# --- results ---------------------------------------------------------------------


@dataclass
class SimilarCity:
    code: str
    country_code: str
    respondents: int
    #: 1.0 when every shared figure is equal, 0.0 at opposite ends of the scale.
    similarity: float
    #: Domains both cities have a need or capacity figure for, in domain order.
    shared_domains: tuple[str, ...]
    #: Domains among both cities' top needs, the asking city's highest need first.
    shared_priorities: tuple[str, ...]


@dataclass
class Host:
    """A city that reports strong capacity in a domain."""

    code: str
    country_code: str
    mean_capacity: float
    #: Respondents with a capacity score in the domain.
    respondents: int
    languages: tuple[str, ...]
    #: The host's languages that the asking city works in too (scripts aside).
    common_languages: tuple[str, ...] = ()
    #: True when an exchange needs no interpreter; None when nobody is asking.
    shares_language: bool | None = None


@dataclass
class GapHosts:
    """One of a city's largest gaps, and who could help close it."""

    domain_code: str
    mean_need: float
    mean_capacity: float
    gap: float
    hosts: list[Host]


@dataclass
class ThemeCountry:
    country_code: str
    #: Codes of the country's cities with the theme among their top needs,
    #: highest mean need first (then by code).
    cities: list[str]


@dataclass
class Theme:
    domain_code: str
    #: Cities with the domain among their top needs.
    city_count: int
    #: Most cities first, then by country code.
    countries: list[ThemeCountry]
    hosts: list[Host]


@dataclass
class ExchangePlan:
    campaign_id: int | None
    #: Cities with need figures, i.e. that have top needs at all.
    cities: int
    #: Most cities first, ties in domain order.
    themes: list[Theme]
    #: Of ``cities``, those of each country: most first, then by country code.
    cities_by_country: dict[str, int] = field(default_factory=dict)


# --- matching --------------------------------------------------------------------


def _scaled(score: float) -> float:
    return (score - SCALE_LOW) / (SCALE_HIGH - SCALE_LOW)


def _key(value: float) -> float:
    return round(value, _DIGITS)


def compare_cities(
    first: CityScores, second: CityScores, min_overlap: int = MIN_OVERLAP
) -> tuple[float, tuple[str, ...]] | None:
    """(similarity, shared domains) of two cities; None with too little overlap.

    See the module docstring for the measure. Shared domains come in the
    first city's domain order.
    """
    squares: list[float] = []
    shared = []
    for domain, mine in first.domains.items():
        theirs = second.domains.get(domain)
        if theirs is None:
            continue
        pairs = [
            (mine.mean_need, theirs.mean_need),
            (mine.mean_capacity, theirs.mean_capacity),
        ]
        diffs = [_scaled(a) - _scaled(b) for a, b in pairs if a is not None and b is not None]
        if diffs:
            shared.append(domain)
            squares += [d * d for d in diffs]
    if len(shared) < max(min_overlap, 1):
        return None
    distance = math.sqrt(sum(squares) / len(squares))
    return max(0.0, 1.0 - distance), tuple(shared)


def top_needs(city: CityScores, order: Iterable[str], top: int = TOP_NEEDS) -> tuple[str, ...]:
    """The city's domains among its ``top`` highest mean needs, ties included.

    Highest need first, ties in ``order`` (the matrix's domain order).
    """
    position = {code: i for i, code in enumerate(order)}
    needs = {
        d: _key(s.mean_need)
        for d, s in city.domains.items()
        if s.mean_need is not None and d in position
    }
    chosen = [d for d, need in needs.items() if sum(n > need for n in needs.values()) < top]
    return tuple(sorted(chosen, key=lambda d: (-needs[d], position[d])))


def similar_cities(
    matrix: ScoreMatrix,
    municipality_code: str,
    k: int = 10,
    *,
    min_overlap: int = MIN_OVERLAP,
    top: int = TOP_NEEDS,
) -> list[SimilarCity]:
    """The ``k`` cities whose profiles are closest to the municipality's, across borders.

    Most similar first; ties go to the city with more shared domains, then
    more respondents, then the smaller code. Empty when the municipality has
    no scores. Raises UnknownScope for a code not in the matrix.
    """
    me = matrix.city(municipality_code)
    if not me.domains:
        return []
    my_top = top_needs(me, matrix.domains, top)
    found = []
    for other in matrix.cities.values():
        if other.code == me.code or not other.domains:
            continue
        compared = compare_cities(me, other, min_overlap)
        if compared is None:
            continue
        similarity, shared = compared
        theirs = set(top_needs(other, matrix.domains, top))
        found.append(
            SimilarCity(
                other.code,
                other.country_code,
                other.respondents,
                similarity,
                tuple(_in_order(shared, matrix.domains)),
                tuple(d for d in my_top if d in theirs),
            )
        )
    found.sort(key=lambda c: (-_key(c.similarity), -len(c.shared_domains), -c.respondents, c.code))
    return found[:k]


def _in_order(domains: Iterable[str], order: Iterable[str]) -> list[str]:
    wanted = set(domains)
    return [d for d in order if d in wanted]


def _spoken(language: str) -> str:
    """The spoken language of a code: "sr-Latn" and "sr" are one (the registry says)."""
    return spoken_language(language)


def one_per_language(codes: Iterable[str]) -> tuple[str, ...]:
    """The first code of each spoken language, for reading: Serbian in both scripts is one
    working language ("sr", "sr-Latn" -> "sr")."""
    first: dict[str, str] = {}
    for code in codes:
        first.setdefault(_spoken(code), code)
    return tuple(first.values())


def _hosts(
    matrix: ScoreMatrix,
    domain: str,
    *,
    asking: CityScores | None,
    min_capacity: float,
    min_respondents: int,
    limit: int | None,
) -> list[Host]:
    spoken = {_spoken(lang) for lang in asking.languages} if asking else set()
    hosts = []
    for city in matrix.cities.values():
        score = city.domains.get(domain)
        if (
            (asking is not None and city.code == asking.code)
            or score is None
            or score.mean_capacity is None
            or _key(score.mean_capacity) < _key(min_capacity)
            or score.capacity_respondents < min_respondents
        ):
            continue
        common = tuple(lang for lang in city.languages if _spoken(lang) in spoken)
        hosts.append(
            Host(
                city.code,
                city.country_code,
                score.mean_capacity,
                score.capacity_respondents,
                city.languages,
                common,
                bool(common) if asking is not None else None,
            )
        )
    hosts.sort(key=lambda h: (-_key(h.mean_capacity), -h.respondents, h.code))
    return hosts if limit is None else hosts[:limit]


def largest_gaps(city: CityScores, order: Iterable[str], gaps: int = 3) -> list[str]:
    """The city's domains with need above capacity, largest gap first (ties in ``order``)."""
    position = {code: i for i, code in enumerate(order)}
    open_gaps = {
        d: _key(s.gap)
        for d, s in city.domains.items()
        if s.gap is not None and s.gap > 0 and d in position
    }
    return sorted(open_gaps, key=lambda d: (-open_gaps[d], position[d]))[:gaps]


def hosts_for_gaps(
    matrix: ScoreMatrix,
    municipality_code: str,
    *,
    gaps: int = 3,
    min_capacity: float = MIN_CAPACITY,
    min_respondents: int | None = None,
    limit: int | None = 10,
) -> list[GapHosts]:
    """For each of the municipality's ``gaps`` largest gaps, the cities that can show the way.

    Hosts have mean capacity >= ``min_capacity`` in the domain from at least
    ``min_respondents`` respondents; never the municipality itself, never a
    city without capacity figures. ``limit`` caps the hosts per gap (None: all).
    Raises UnknownScope for a code not in the matrix.
    """
    me = matrix.city(municipality_code)
    result = []
    for domain in largest_gaps(me, matrix.domains, gaps):
        need, capacity = me.domains[domain].mean_need, me.domains[domain].mean_capacity
        if need is None or capacity is None:  # never: a gap needs both
            continue
        hosts = _hosts(
            matrix,
            domain,
            asking=me,
            min_capacity=min_capacity,
            min_respondents=matrix.min_group if min_respondents is None else min_respondents,
            limit=limit,
        )
        result.append(GapHosts(domain, need, capacity, need - capacity, hosts))
    return result


def exchange_plan(
    matrix: ScoreMatrix,
    *,
    themes: int | None = None,
    top: int = TOP_NEEDS,
    min_capacity: float = MIN_CAPACITY,
    min_respondents: int | None = None,
    hosts_per_theme: int | None = 10,
) -> ExchangePlan:
    """The agenda of a regional workshop: the needs most cities share, and who could host.

    A theme is a domain that at least one city has among its top needs;
    themes come most cities first (ties in domain order), the first
    ``themes`` of them (None: all). Each lists those cities by country and
    the hosts with strong capacity in it (as ``hosts_for_gaps``); the plan
    counts the cities with top needs, in all and per country.
    """
    by_domain: dict[str, list[CityScores]] = defaultdict(list)
    ranked: dict[str, int] = defaultdict(int)
    for city in matrix.cities.values():
        chosen = top_needs(city, matrix.domains, top)
        if chosen:
            ranked[city.country_code] += 1
        for domain in chosen:
            by_domain[domain].append(city)
    position = {code: i for i, code in enumerate(matrix.domains)}
    order = sorted(by_domain, key=lambda d: (-len(by_domain[d]), position[d]))
    if themes is not None:
        order = order[:themes]
    result = []
    for domain in order:
        countries: dict[str, list[CityScores]] = defaultdict(list)
        for city in by_domain[domain]:
            countries[city.country_code].append(city)
        groups = [
            ThemeCountry(
                country,
                [
                    c.code
                    for c in sorted(
                        cities, key=lambda c: (-_key(c.domains[domain].mean_need or 0), c.code)
                    )
                ],
            )
            for country, cities in sorted(countries.items(), key=lambda g: (-len(g[1]), g[0]))
        ]
        hosts = _hosts(
            matrix,
            domain,
            asking=None,
            min_capacity=min_capacity,
            min_respondents=matrix.min_group if min_respondents is None else min_respondents,
            limit=hosts_per_theme,
        )
        result.append(Theme(domain, len(by_domain[domain]), groups, hosts))
    by_country = dict(sorted(ranked.items(), key=lambda item: (-item[1], item[0])))
    return ExchangePlan(matrix.campaign_id, sum(ranked.values()), result, by_country)
