"""Views that change a campaign after it was made: edit, close, reopen, archive, delete."""

from __future__ import annotations

from datetime import datetime, time

from flask import flash, g, redirect, render_template, request, url_for

from surveyapp.campaigns import lifecycle
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Campaign
from surveyapp.questionnaires.texts import load_texts, offered_languages
from surveyapp.web.review import bp
from surveyapp.web.review.campaign_forms import CampaignEditForm, DeleteCampaignForm
from surveyapp.web.staff import record_action, requires

EDIT_ERRORS = {
    "no_version": _l("Please choose a published questionnaire."),
    "dates": _l("The closing date must come after the opening date."),
    "answered": _l(
        "The questionnaire cannot change any more: respondents have already answered this one."
    ),
    "languages": _l("Please choose at least one of the languages the questionnaire offers."),
    "group_size": _l("Please give a whole number from %(min)d to %(max)d, or leave it empty."),
    # I18N: %(languages)s lists language names
    "no_privacy": _l(
        "The questionnaire has no privacy notice in %(languages)s. Please add it in the "
        "questionnaire editor before the campaign opens."
    ),
}


def _campaign_error(problem: lifecycle.CampaignError) -> str:
    """The message of a refused campaign change, with the languages it names."""
    message = EDIT_ERRORS[problem.code]
    if problem.code == "group_size":
        limits = {"min": lifecycle.smallest_group_size_allowed(), "max": lifecycle.MAX_GROUP_SIZE}
        return str(message) % limits
    if problem.languages:
        names = ", ".join(LANGUAGES[code].autonym for code in problem.languages)
        return str(message) % {"languages": names}
    return str(message)


def _edit_form(campaign: Campaign) -> CampaignEditForm:
    versions = lifecycle.published_versions()
    titles = {v.id: load_texts(v.id, g.lang).title() for v in versions}
    offered = offered_languages(campaign.version_id)
    form = CampaignEditForm(
        data=None
        if request.method == "POST"
        else {
            "name": campaign.name,
            "version": str(campaign.version_id),
            "opens_on": campaign.opens_at.date(),
            "closes_on": campaign.closes_at.date() if campaign.closes_at else None,
            "languages": campaign.languages or offered,
            "min_group_size": campaign.min_group_size,
        }
    )
    form.set_choices(versions, titles, [(c, LANGUAGES[c].autonym) for c in offered])
    return form


@bp.route("/<lang>/staff/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@requires("run_campaigns")
def edit_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = _edit_form(campaign)
    error = None
    if form.validate_on_submit():
        try:
            changes = lifecycle.update_campaign(
                campaign.id,
                form.name.data,
                int(form.version.data or 0),
                datetime.combine(form.opens_on.data, time.min),
                datetime.combine(form.closes_on.data, time.min) if form.closes_on.data else None,
                form.languages.data or [],
                form.min_group_size.data,
            )
        except lifecycle.CampaignError as problem:
            error = _campaign_error(problem)
        except ValueError:
            error = EDIT_ERRORS["no_version"]
        else:
            if changes:
                record_action("campaign_changed", f"campaign:{campaign.id}", changes=changes)
            flash(_l("The campaign was saved."))
            return redirect(url_for("review.campaign", campaign_id=campaign.id), 303)
    return render_template(
        "review/campaign_edit.html",
        campaign=campaign,
        form=form,
        error=error,
        answered=lifecycle.response_count(campaign.id) > 0,
    )


@bp.route("/<lang>/staff/campaigns/<int:campaign_id>/close", methods=["GET", "POST"])
@requires("run_campaigns")
def close_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = ActionForm()
    if request.method == "POST":
        if form.validate_on_submit():
            lifecycle.close_campaign(campaign)
            record_action("campaign_closed", f"campaign:{campaign.id}")
            flash(_l("The campaign is closed. Submitted answers are kept."))
        return redirect(url_for("review.campaign", campaign_id=campaign.id), 303)
    return render_template("review/campaign_close.html", campaign=campaign, form=form)


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/reopen")
@requires("run_campaigns")
def reopen_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    if ActionForm().validate_on_submit():
        try:
            lifecycle.reopen_campaign(campaign)
        except lifecycle.CampaignError as problem:
            flash(_campaign_error(problem), "error")
        else:
            record_action("campaign_reopened", f"campaign:{campaign.id}")
            flash(_l("The campaign is open again until you close it."))
    return redirect(url_for("review.campaign", campaign_id=campaign.id), 303)


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/archive")
@requires("run_campaigns")
def archive_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    archive = request.form.get("archived") != "0"
    if ActionForm().validate_on_submit():
        lifecycle.set_archived(campaign, archive)
        record_action(
            "campaign_archived" if archive else "campaign_unarchived", f"campaign:{campaign.id}"
        )
        flash(
            _l("The campaign was archived: it is closed and hidden from the lists.")
            if archive
            else _l("The campaign is back in the lists.")
        )
    return redirect(url_for("review.campaign", campaign_id=campaign.id), 303)


@bp.route("/<lang>/staff/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
@requires("run_campaigns")
def delete_campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    form = DeleteCampaignForm()
    responses = lifecycle.response_count(campaign.id)
    error = None
    if form.validate_on_submit():
        name = campaign.name
        try:
            deleted = lifecycle.delete_campaign(campaign.id, form.confirm_name.data or "")
        except lifecycle.CampaignError:
            error = _l("The name you typed is not the campaign's name. Nothing was deleted.")
        else:
            record_action(
                "campaign_deleted", f"campaign:{campaign_id}", name=name, responses=deleted
            )
            flash(_l("The campaign “%(name)s” was deleted.", name=name))
            return redirect(url_for("review.campaigns_page"), 303)
    return render_template(
        "review/campaign_delete.html",
        campaign=campaign,
        form=form,
        responses=responses,
        error=error,
    )
