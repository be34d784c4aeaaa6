"""An exchange of the regional exchange planner turned into planned engagements."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from surveyapp import places
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.engagements import exchanges
from surveyapp.extensions import db
from surveyapp.models import Campaign
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles.labels import domain_labels
from surveyapp.web.engagements import bp
from surveyapp.web.engagements.forms import PlanExchangeForm, town_choices
from surveyapp.web.staff import record_action, requires

EXCHANGE_ERRORS = {
    "host": {
        "required": _l("Please choose the host."),
        "unknown": _l("Please choose the host from the lists."),
    },
    "visitors": {
        "required": _l("Please choose at least one visiting municipality."),
        "unknown": _l("Please choose visiting municipalities from the list."),
        "host": _l("The host cannot also be a visitor."),
    },
    "held_on": {
        "required": _l("Please give the planned date, for example 2026-03-15."),
        "out_of_range": _l("Please give a date between the years 2000 and 2100."),
    },
    "note": {"too_long": _l("Please use at most %(max)d characters.", max=4000)},
}


@bp.route(
    "/<lang>/staff/campaigns/<int:campaign_id>/exchange/<domain_code>/plan",
    methods=["GET", "POST"],
)
@requires("record_engagements")
def plan_exchange(campaign_id: int, domain_code: str):
    campaign = db.get_or_404(Campaign, campaign_id)
    try:
        options = exchanges.exchange_options(campaign.id, domain_code)
    except LookupError:
        flash(_l("This theme is not in the exchange planner any more."))
        return redirect(url_for("review.exchange_planner", campaign_id=campaign.id), 303)
    town_names = places.municipality_names(g.lang)
    form = PlanExchangeForm()
    form.host.choices = [
        SelectChoice(host.code, town_names.get(host.code, host.code)) for host in options.hosts
    ]
    form.other_host.choices = [SelectChoice("", "—")] + town_choices(
        countries_with_municipalities(), g.lang
    )
    form.visitors.choices = [
        SelectChoice(code, town_names.get(code, code))
        for _country, codes in options.visitors
        for code in codes
    ]
    if form.validate_on_submit():
        try:
            made = exchanges.plan_exchange(
                options,
                form.other_host.data or form.host.data or "",
                [code for code in form.visitors.data or [] if code],
                form.held_on.data,
                form.note.data or "",
                current_user.id,
            )
        except exchanges.ExchangeRefused as refused:
            for name, code in refused.problems.items():
                getattr(form, name).errors = [EXCHANGE_ERRORS[name][code]]
        else:
            record_action(
                "exchange_planned",
                f"campaign:{campaign.id}",
                area=form.other_host.data or form.host.data,
                count=len(made),
            )
            flash(
                ngettext(
                    "%(num)d planned engagement was recorded.",
                    "%(num)d planned engagements were recorded.",
                    len(made),
                )
            )
            return redirect(url_for("engagements.engagement_log", status="planned"), 303)
    status = 422 if form.errors else 200
    return render_template(
        "engagements/plan_exchange.html",
        campaign=campaign,
        options=options,
        form=form,
        domain_name=domain_labels(g.lang).get(domain_code, domain_code),
        town_names=town_names,
        country_names=places.country_names(g.lang),
    ), status
