"""Views of peer learning: similar cities, cities that can show the way, the
regional exchange planner. Each reads the campaign's score matrix once."""

from __future__ import annotations

from flask import abort, g, render_template, request

from surveyapp import places
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import Campaign, Domain
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles import peers
from surveyapp.web.review import bp
from surveyapp.web.staff import csv_download, record_action, requires


def _domain_labels(lang: str) -> dict[str, str]:
    return {
        d.code: d.labels.get(lang) or d.labels.get(SOURCE_LANGUAGE) or d.code
        for d in db.session.scalars(db.select(Domain))
    }


def _peer_data(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    area = request.args.get("area") or ""
    matrix = peers.load_scores(campaign.id)
    similar, gaps = [], []
    if area:
        try:
            similar = peers.similar_cities(matrix, area)
            gaps = peers.hosts_for_gaps(matrix, area)
        except peers.UnknownScope:
            abort(404)
    return campaign, area, matrix, similar, gaps


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/peers")
@requires("run_campaigns")
def peer_cities(campaign_id: int):
    campaign, area, matrix, similar, gaps = _peer_data(campaign_id)
    return render_template(
        "review/peers.html",
        campaign=campaign,
        area=area,
        me=matrix.cities.get(area),
        similar=similar,
        gaps=gaps,
        countries=countries_with_municipalities(),
        town_names=places.municipality_names(g.lang),
        country_names=places.country_names(g.lang),
        domain_labels=_domain_labels(g.lang),
        printing=request.args.get("print") == "1",
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exchange")
@requires("run_campaigns")
def exchange_planner(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    plan = peers.exchange_plan(peers.load_scores(campaign.id))
    return render_template(
        "review/exchange.html",
        campaign=campaign,
        plan=plan,
        town_names=places.municipality_names(g.lang),
        country_names=places.country_names(g.lang),
        domain_labels=_domain_labels(g.lang),
        printing=request.args.get("print") == "1",
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/peers.csv")
@requires("run_campaigns")
def peer_cities_csv(campaign_id: int):
    campaign, area, _matrix, similar, gaps = _peer_data(campaign_id)
    if not area:
        abort(404)
    record_action("export", f"campaign:{campaign.id}", format="peers csv", area=area)
    towns, domains = places.municipality_names(g.lang), _domain_labels(g.lang)
    rows: list[list[object]] = [
        [
            "list",
            "domain",
            "municipality_code",
            "municipality",
            "country",
            "similarity_or_capacity",
            "respondents",
            "shared",
            "languages",
        ]
    ]
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
                    domains.get(gap.domain_code),
                    host.code,
                    towns.get(host.code),
                    host.country_code,
                    f"{host.mean_capacity:.2f}",
                    host.respondents,
                    "yes" if host.shares_language else "no",
                    " ".join(host.languages),
                ]
            )
    return csv_download(rows, f"peers-{campaign.id}-{area}.csv")


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exchange.csv")
@requires("run_campaigns")
def exchange_planner_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    plan = peers.exchange_plan(peers.load_scores(campaign.id))
    record_action("export", f"campaign:{campaign.id}", format="exchange csv")
    towns, domains = places.municipality_names(g.lang), _domain_labels(g.lang)
    rows: list[list[object]] = [
        [
            "theme",
            "cities_with_theme_in_top_needs",
            "role",
            "country",
            "municipality_code",
            "municipality",
            "capacity",
        ]
    ]
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
    return csv_download(rows, f"exchange-{campaign.id}.csv")
