"""Views of the rounds: the series, adding a round, matching items, items left out, the change."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from surveyapp import places
from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.url_converters import MAX_DATABASE_ID
from surveyapp.extensions import db
from surveyapp.models import ROLES, RoundSeries
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles.labels import domain_labels
from surveyapp.profiles.report import scope_from
from surveyapp.profiles.results import UnknownScope
from surveyapp.rounds import matching, series
from surveyapp.rounds.change import series_change
from surveyapp.rounds.charts import change_chart
from surveyapp.web.rounds import bp
from surveyapp.web.staff import record_action, requires

SERIES_ERRORS = {
    "name_required": _l("Please give the series a name."),
    "name_too_long": _l("Please use at most %(max)d characters.", max=series.MAX_NAME_LENGTH),
    "unknown_campaign": _l("Please choose one of the campaigns in the list."),
    "already_in_series": _l("This campaign is already a round of this series."),
}
MATCH_ERRORS = {
    "unknown_round": _l("Please choose one of the rounds of this series."),
    "unknown_item": _l("This item is not in that round's questionnaire."),
    "unknown_match": _l("Please choose one of the items of the first round."),
    "first_round": _l("Items of the first round keep their own names."),
    "reason_required": _l("Please say why the item is not comparable."),
    "reason_too_long": _l("Please use at most %(max)d characters.", max=matching.MAX_REASON_LENGTH),
}


def _series(series_id: int) -> RoundSeries:
    return db.get_or_404(RoundSeries, series_id)


@bp.get("/<lang>/staff/rounds")
@requires("run_campaigns")
def series_list():
    return render_template(
        "rounds/series_list.html", all_series=series.all_series(), form=ActionForm()
    )


@bp.post("/<lang>/staff/rounds")
@requires("run_campaigns")
def create_series():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        series_id = series.create_series(request.form.get("name", ""))
    except series.SeriesRefused as refused:
        flash(SERIES_ERRORS[refused.code], "error")
        return redirect(url_for("rounds.series_list"), 303)
    record_action("series_created", f"series:{series_id}")
    return redirect(url_for("rounds.series_page", series_id=series_id), 303)


@bp.get("/<lang>/staff/rounds/<int:series_id>")
@requires("run_campaigns")
def series_page(series_id: int):
    found = _series(series_id)
    return render_template(
        "rounds/series.html",
        series=found,
        campaigns=series.round_campaigns(series_id),
        to_add=series.campaigns_to_add(series_id),
        form=ActionForm(),
    )


@bp.post("/<lang>/staff/rounds/<int:series_id>")
@requires("run_campaigns")
def add_round(series_id: int):
    _series(series_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.get("campaign", "")
    try:
        if not _an_id(raw):
            raise series.SeriesRefused("unknown_campaign")
        position = series.add_round(series_id, int(raw))
    except series.SeriesRefused as refused:
        flash(SERIES_ERRORS[refused.code], "error")
        return redirect(url_for("rounds.series_page", series_id=series_id), 303)
    record_action("round_added", f"series:{series_id}", campaign=int(raw), position=position)
    flash(_l("The campaign was added as round %(num)d.", num=position), "success")
    return redirect(url_for("rounds.series_page", series_id=series_id), 303)


def _two_rounds(campaigns, args) -> list[int]:
    """The two rounds the items page compares: ``a`` and ``b`` if valid, else the first
    and the last."""
    ids = [c.id for c in campaigns]
    chosen = []
    for name, default in (("a", 0), ("b", -1)):
        raw = args.get(name, "")
        value = int(raw) if raw.isdigit() and int(raw) in ids else (ids[default] if ids else None)
        if value is not None and value not in chosen:
            chosen.append(value)
    return sorted(chosen, key=ids.index)


@bp.get("/<lang>/staff/rounds/<int:series_id>/items")
@requires("run_campaigns")
def items_page(series_id: int):
    found = _series(series_id)
    campaigns = series.round_campaigns(series_id)
    pair = _two_rounds(campaigns, request.args)
    return render_template(
        "rounds/items.html",
        series=found,
        campaigns=campaigns,
        pair=pair,
        matched=matching.matching_for(series_id, pair) if pair else None,
        first_items=matching.round_items(series_id, campaigns[0], True) if campaigns else [],
        domain_labels=domain_labels(g.lang),
        form=ActionForm(),
    )


@bp.post("/<lang>/staff/rounds/<int:series_id>/items")
@requires("run_campaigns")
def save_match(series_id: int):
    _series(series_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    form = request.form
    raw = form.get("campaign", "")
    back = url_for("rounds.items_page", series_id=series_id, a=form.get("a"), b=form.get("b"))
    try:
        if not _an_id(raw):
            raise matching.MatchRefused("unknown_round")
        matching.set_match(
            series_id,
            int(raw),
            form.get("item", ""),
            form.get("matches") or None,
            form.get("comparable") != "no",
            form.get("reason"),
        )
    except matching.MatchRefused as refused:
        flash(MATCH_ERRORS[refused.code], "error")
        return redirect(back, 303)
    record_action(
        "item_matched",
        f"series:{series_id}",
        campaign=int(raw),
        item=form.get("item", ""),
        matches=form.get("matches") or "",
        comparable=form.get("comparable") != "no",
    )
    flash(_l("The item's match was saved."), "success")
    return redirect(back, 303)


@bp.get("/<lang>/staff/rounds/<int:series_id>/left-out")
@requires("run_campaigns")
def left_out_page(series_id: int):
    found = _series(series_id)
    return render_template(
        "rounds/left_out.html",
        series=found,
        matched=matching.matching_for(series_id),
        domain_labels=domain_labels(g.lang),
    )


@bp.get("/<lang>/staff/rounds/<int:series_id>/change")
@requires("run_campaigns")
def change_page(series_id: int):
    found = _series(series_id)
    role = request.args.get("role") or None
    if role is not None and role not in ROLES:
        abort(404)
    try:
        scope = scope_from(request.args.get("area"))
        change = series_change(series_id, scope, role)
    except UnknownScope:
        abort(404)
    labels = domain_labels(g.lang)
    round_labels = [head.campaign.name for head in change.rounds]
    return render_template(
        "rounds/change.html",
        series=found,
        change=change,
        chart=change_chart(change.domains, labels, round_labels, change.between),
        compact_chart=change_chart(change.domains, labels, round_labels, change.between, True),
        domain_labels=labels,
        country_names=places.country_names(g.lang),
        town_names=places.municipality_names(g.lang),
        countries=countries_with_municipalities(),
        roles=role_choices(),
        printing=request.args.get("print") == "1",
    )


def _an_id(raw: str) -> bool:
    """Whether a form's value can be a row's id (a number the database's integer holds)."""
    return raw.isdigit() and 0 < int(raw) <= MAX_DATABASE_ID
