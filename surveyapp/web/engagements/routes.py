"""The engagement log: the list, adding, changing, marking done and deleting an
engagement, importing a file."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp.accounts.permissions import can
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.engagements import engagement_import, records
from surveyapp.engagements.kinds import kind_choices, status_choices
from surveyapp.extensions import db
from surveyapp.models import Engagement
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles.labels import domain_labels
from surveyapp.rounds.series import all_series
from surveyapp.web.engagements import bp
from surveyapp.web.engagements.forms import EngagementForm, EngagementImportForm
from surveyapp.web.staff import record_action, requires

#: field → problem code → message (``records.EngagementRefused``).
ENGAGEMENT_ERRORS = {
    "municipality": {
        "required": _l("Please choose the municipality."),
        "unknown": _l("Please choose one of the municipalities in the list."),
    },
    "kind": {
        "required": _l("Please choose the kind of engagement."),
        "unknown": _l("Please choose one of the kinds in the list."),
    },
    "held_on": {
        "required": _l("Please give the date, for example 2026-03-15."),
        "out_of_range": _l("Please give a date between the years 2000 and 2100."),
        "done_in_future": _l(
            "An engagement that is done cannot have a date still to come: mark it planned, "
            "or give the day it took place."
        ),
    },
    "status": {"unknown": _l("Please choose planned or done.")},
    "domains": {"unknown": _l("Please choose domains from the list.")},
    "partners": {
        "unknown": _l("Please choose partner municipalities from the list."),
        "self": _l("The municipality cannot be its own partner."),
        "too_many": _l(
            "Please choose at most %(max)d partner municipalities.", max=records.MAX_PARTNERS
        ),
    },
    "note": {"too_long": _l("Please use at most %(max)d characters.", max=records.MAX_NOTE_LENGTH)},
}


def _form(engagement: Engagement | None = None) -> EngagementForm:
    data = None
    if engagement is not None and request.method != "POST":
        data = {
            "municipality": engagement.municipality.code,
            "kind": engagement.kind,
            "held_on": engagement.held_on,
            "status": engagement.status,
            "domains": [d.code for d in engagement.domains],
            "partners": [m.code for m in engagement.partners],
            "note": engagement.note,
        }
    elif request.method != "POST" and request.args.get("area"):
        data = {"municipality": request.args["area"][:64]}
    form = EngagementForm(data=data)
    form.set_choices(countries_with_municipalities(), records.domain_choices(g.lang), g.lang)
    return form


def _fields(form: EngagementForm) -> records.EngagementFields:
    return records.EngagementFields(
        municipality=form.municipality.data or "",
        kind=form.kind.data or "",
        held_on=form.held_on.data,
        status=form.status.data or "",
        domains=[code for code in form.domains.data or [] if code],
        partners=[code for code in form.partners.data or [] if code],
        note=form.note.data or "",
    )


def _show_refusal(form: EngagementForm, refused: records.EngagementRefused) -> None:
    for name, code in refused.problems.items():
        getattr(form, name).errors = [ENGAGEMENT_ERRORS[name][code]]


def _back(engagement_town: str | None = None):
    """Back to the municipality's page when the form was opened from it, else the log."""
    if request.args.get("back") == "town" and engagement_town:
        return redirect(url_for("engagements.municipality", municipality_code=engagement_town), 303)
    return redirect(url_for("engagements.engagement_log"), 303)


@bp.get("/<lang>/staff/engagements")
@requires("view_engagements")
def engagement_log():
    chosen = records.parse_filter(request.args)
    return render_template(
        "engagements/log.html",
        chosen=chosen,
        page=records.list_engagements(chosen),
        countries=countries_with_municipalities(),
        kinds=kind_choices(),
        statuses=status_choices(),
        domains=records.domain_choices(g.lang),
        domain_names=domain_labels(g.lang),
        form=ActionForm(),
        # The change beside the support is a profile figure: for staff who may read profiles.
        all_series=all_series() if can(current_user, "run_campaigns") else [],
    )


@bp.route("/<lang>/staff/engagements/new", methods=["GET", "POST"])
@requires("record_engagements")
def new_engagement():
    form = _form()
    if form.validate_on_submit():
        try:
            engagement = records.add_engagement(_fields(form), current_user.id)
        except records.EngagementRefused as refused:
            _show_refusal(form, refused)
        else:
            record_action(
                "engagement_created", f"engagement:{engagement.id}", area=form.municipality.data
            )
            flash(_l("The engagement was recorded."))
            return _back(form.municipality.data)
    status = 422 if form.errors else 200
    return render_template("engagements/edit.html", form=form, engagement=None), status


@bp.route("/<lang>/staff/engagements/<int:engagement_id>", methods=["GET", "POST"])
@requires("record_engagements")
def edit_engagement(engagement_id: int):
    engagement = records.engagement_with_details(engagement_id)
    if engagement is None:
        abort(404)
    form = _form(engagement)
    if form.validate_on_submit():
        try:
            changed = records.update_engagement(engagement.id, _fields(form))
        except records.EngagementRefused as refused:
            _show_refusal(form, refused)
        except LookupError:
            abort(404)
        else:
            if changed:
                record_action(
                    "engagement_changed", f"engagement:{engagement_id}", area=form.municipality.data
                )
            flash(_l("The engagement was saved.") if changed else _l("Nothing was changed."))
            return _back(form.municipality.data)
    status = 422 if form.errors else 200
    return render_template("engagements/edit.html", form=form, engagement=engagement), status


@bp.post("/<lang>/staff/engagements/<int:engagement_id>/done")
@requires("record_engagements")
def mark_engagement_done(engagement_id: int):
    engagement = db.get_or_404(Engagement, engagement_id)
    town = engagement.municipality.code
    form = ActionForm()
    if form.validate_on_submit():
        if records.mark_done(engagement_id):
            record_action("engagement_done", f"engagement:{engagement_id}", area=town)
            flash(_l("The engagement was marked as done."))
    return _back(town)


@bp.route("/<lang>/staff/engagements/<int:engagement_id>/delete", methods=["GET", "POST"])
@requires("record_engagements")
def delete_engagement(engagement_id: int):
    engagement = records.engagement_with_details(engagement_id)
    if engagement is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        town = engagement.municipality.code
        records.delete_engagement(engagement.id)
        record_action("engagement_deleted", f"engagement:{engagement_id}", area=town)
        flash(_l("The engagement was deleted."))
        return _back(town)
    return render_template("engagements/delete.html", engagement=engagement, form=form)


@bp.route("/<lang>/staff/engagements/import", methods=["GET", "POST"])
@requires("record_engagements")
def import_engagements():
    form = EngagementImportForm()
    report = None
    if form.validate_on_submit():
        report = engagement_import.import_engagements(
            form.engagements_file.data.read(), current_user.id
        )
        if report.ok:
            record_action(
                "engagements_imported",
                "engagements",
                rows=report.rows,
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
                merged=report.merged,
            )
            flash(
                _l(
                    "The engagements were imported: %(created)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged; %(merged)d repeated rows merged.",
                    created=report.created,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    merged=report.merged,
                )
            )
            return redirect(url_for("engagements.engagement_log"), 303)
    status = 422 if report is not None or form.errors else 200
    return render_template("engagements/import.html", form=form, report=report), status
