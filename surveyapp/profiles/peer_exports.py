"""Peer learning as CSV rows: a city's similar cities and hosts, and the
regional exchange plan, with names and labels in the reader's language."""

from __future__ import annotations

from surveyapp import places
from surveyapp.profiles import peers
from surveyapp.profiles.labels import domain_labels
from surveyapp.profiles.peer_scores import load_scores

PEER_HEADER = (
    "list",
    "domain",
    "municipality_code",
    "municipality",
    "country",
    "similarity_or_capacity",
    "respondents",
    "shared",
    "languages",
)
EXCHANGE_HEADER = (
    "theme",
    "cities_with_theme_in_top_needs",
    "role",
    "country",
    "municipality_code",
    "municipality",
    "capacity",
)


def peer_csv_rows(campaign_id: int, municipality_code: str, lang: str) -> list[list[object]]:
    """The municipality's similar cities, then the hosts for each of its gaps.

    Raises LookupError for an unknown campaign and UnknownScope for an
    unknown municipality.
    """
    matrix = load_scores(campaign_id)
    similar = peers.similar_cities(matrix, municipality_code)
    gaps = peers.hosts_for_gaps(matrix, municipality_code)
    towns, domains = places.municipality_names(lang), domain_labels(lang)
    rows: list[list[object]] = [list(PEER_HEADER)]
    for city in similar:
        rows.append(
            [
                "similar",
                "",
                city.code,
                towns.get(city.code),
                city.country_code,
                f"{city.similarity:.3f}",
                city.respondents,
                "; ".join(domains.get(d, d) for d in city.shared_priorities),
                "",
            ]
        )
    for gap in gaps:
        for host in gap.hosts:
            rows.append(
                [
                    "host",
                    domains.get(gap.domain_code, gap.domain_code),
                    host.code,
                    towns.get(host.code),
                    host.country_code,
                    f"{host.mean_capacity:.2f}",
                    host.respondents,
                    "yes" if host.shares_language else "no",
                    " ".join(host.languages),
                ]
            )
    return rows


def exchange_csv_rows(campaign_id: int, lang: str) -> list[list[object]]:
    """Per theme of the exchange plan: the participating cities, then the hosts.

    Raises LookupError for an unknown campaign.
    """
    plan = peers.exchange_plan(load_scores(campaign_id))
    towns, domains = places.municipality_names(lang), domain_labels(lang)
    rows: list[list[object]] = [list(EXCHANGE_HEADER)]
    for theme in plan.themes:
        label = domains.get(theme.domain_code, theme.domain_code)
        for group in theme.countries:
            for code in group.cities:
                rows.append(
                    [
                        label,
                        theme.city_count,
                        "participant",
                        group.country_code,
                        code,
                        towns.get(code),
                        "",
                    ]
                )
        for host in theme.hosts:
            rows.append(
                [
                    label,
                    theme.city_count,
                    "host",
                    host.country_code,
                    host.code,
                    towns.get(host.code),
                    f"{host.mean_capacity:.2f}",
                ]
            )
    return rows
