"""The page the hub takes to its funders: what changed where the hub helped."""

from __future__ import annotations

from flask import g, render_template, request

from surveyapp import places
from surveyapp.campaigns.roles import role_choices
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.url_converters import MAX_DATABASE_ID
from surveyapp.extensions import db
from surveyapp.models import ROLES, RoundSeries
from surveyapp.profiles.labels import domain_labels
from surveyapp.profiles.results import Scope
from surveyapp.rounds.series import round_campaigns
from surveyapp.rounds.support_chart import support_chart
from surveyapp.rounds.support_effect import RoundsRefused, support_effect
from surveyapp.web.rounds import bp
from surveyapp.web.staff import requires

REFUSALS = {
    "too_few_rounds": _l("This series has fewer than two rounds: there is no change to show yet."),
    "unknown_round": _l("Please choose two different rounds of this series."),
    "unknown_role": _l("Please choose one of the roles in the list."),
    "unknown_area": _l("Please choose the region or one of the countries in the list."),
}


def _campaign_id(raw: str | None) -> int | None:
    """A round asked for by id: None when not asked; -1 (no round) when not an id."""
    if raw is None or raw == "":
        return None
    return int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_DATABASE_ID else -1


@bp.get("/<lang>/staff/rounds/<int:series_id>/support")
@requires("run_campaigns")
def support_page(series_id: int):
    found = db.get_or_404(RoundSeries, series_id)
    args = request.args
    role = args.get("role") or None
    area = (args.get("area") or "").strip()
    countries = places.country_names(g.lang)
    problem = None
    effect = None
    if role is not None and role not in ROLES:
        problem = "unknown_role"
    elif area and area not in countries:
        problem = "unknown_area"
    else:
        try:
            effect = support_effect(
                series_id, _campaign_id(args.get("a")), _campaign_id(args.get("b")), role
            )
        except RoundsRefused as refused:
            problem = refused.code
    labels = domain_labels(g.lang)
    scope = Scope.country(area) if area else Scope.region()
    shown = effect.area(scope) if effect else None
    return render_template(
        "rounds/support.html",
        series=found,
        campaigns=round_campaigns(series_id),
        effect=effect,
        area=area if shown is not None and shown.scope.kind == "country" else "",
        shown=shown,
        chart=support_chart(shown.rows, labels, str(_l("All domains"))) if shown else None,
        compact_chart=support_chart(shown.rows, labels, str(_l("All domains")), compact=True)
        if shown
        else None,
        problem=REFUSALS[problem] if problem else None,
        domain_labels=labels,
        country_names=countries,
        roles=role_choices(),
        role=role if role in ROLES else None,
        printing=args.get("print") == "1",
    ), (400 if problem and problem != "too_few_rounds" else 200)
