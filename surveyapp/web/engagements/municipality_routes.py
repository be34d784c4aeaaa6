"""A municipality's page: its timeline of assessment rounds and engagements."""

from __future__ import annotations

from flask import abort, g, render_template, request
from flask_login import current_user

from surveyapp.accounts.permissions import can
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.url_converters import MAX_DATABASE_ID
from surveyapp.engagements.timeline import UnknownSeries, municipality_timeline
from surveyapp.engagements.timeline_chart import PHONE_WIDTH, timeline_chart
from surveyapp.extensions import db
from surveyapp.models import Municipality
from surveyapp.profiles.labels import domain_labels
from surveyapp.web.engagements import bp
from surveyapp.web.staff import requires


@bp.get("/<lang>/staff/municipalities/<municipality_code>")
@requires("view_engagements")
def municipality(municipality_code: str):
    town = db.session.scalar(
        db.select(Municipality).where(Municipality.code == municipality_code[:64])
    )
    if town is None:
        abort(404)
    # The rounds' domain gaps are profile figures: for staff who may read profiles.
    with_figures = can(current_user, "run_campaigns")
    raw = request.args.get("series", "")
    problem = None
    try:
        if raw and not (raw.isdigit() and 0 < int(raw) <= MAX_DATABASE_ID):
            raise UnknownSeries(raw)
        timeline = municipality_timeline(town, with_figures, int(raw) if raw else None)
    except UnknownSeries:
        problem = _l("Please choose one of the series this municipality answered a round of.")
        timeline = municipality_timeline(town, with_figures)
    return render_template(
        "engagements/municipality.html",
        town=town,
        timeline=timeline,
        chart=timeline_chart(timeline),
        phone_chart=timeline_chart(timeline, PHONE_WIDTH),
        domain_names=domain_labels(g.lang),
        form=ActionForm(),
        problem=problem,
    ), (400 if problem else 200)
