"""Views of peer learning: similar cities, cities that can show the way, the
regional exchange planner. Each reads the campaign's score matrix once."""

from __future__ import annotations

from flask import abort, g, render_template, request

from surveyapp import places
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles import peer_exports, peers
from surveyapp.profiles.labels import domain_labels
from surveyapp.profiles.peer_scores import load_scores
from surveyapp.profiles.results import UnknownScope
from surveyapp.web.review import bp
from surveyapp.web.staff import csv_download, record_action, requires


def _peer_data(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    area = request.args.get("area") or ""
    matrix = load_scores(campaign.id)
    similar, gaps = [], []
    if area:
        try:
            similar = peers.similar_cities(matrix, area)
            gaps = peers.hosts_for_gaps(matrix, area)
        except UnknownScope:
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
        min_group=matrix.min_group,
        similar=similar,
        gaps=gaps,
        countries=countries_with_municipalities(g.lang),
        town_names=places.municipality_names(g.lang),
        country_names=places.country_names(g.lang),
        domain_labels=domain_labels(g.lang),
        printing=request.args.get("print") == "1",
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exchange")
@requires("run_campaigns")
def exchange_planner(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    plan = peers.exchange_plan(load_scores(campaign.id))
    return render_template(
        "review/exchange.html",
        campaign=campaign,
        plan=plan,
        town_names=places.municipality_names(g.lang),
        country_names=places.country_names(g.lang),
        domain_labels=domain_labels(g.lang),
        printing=request.args.get("print") == "1",
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/peers.csv")
@requires("run_campaigns")
def peer_cities_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    area = request.args.get("area") or ""
    if not area:
        abort(404)
    try:
        rows = peer_exports.peer_csv_rows(campaign.id, area, g.lang)
    except UnknownScope:
        abort(404)
    record_action("export", f"campaign:{campaign.id}", format="peers csv", area=area)
    return csv_download(rows, f"peers-{campaign.id}-{area}.csv")


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exchange.csv")
@requires("run_campaigns")
def exchange_planner_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = peer_exports.exchange_csv_rows(campaign.id, g.lang)
    record_action("export", f"campaign:{campaign.id}", format="exchange csv")
    return csv_download(rows, f"exchange-{campaign.id}.csv")
