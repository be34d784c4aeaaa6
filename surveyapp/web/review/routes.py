"""Views of the staff's review pages."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import ngettext
from flask_login import current_user

from surveyapp import places
from surveyapp.accounts.permissions import can
from surveyapp.activity import entries as activity
from surveyapp.campaigns import invitations, lifecycle, staff_home
from surveyapp.campaigns.duplicates import existing_links, possible_duplicates
from surveyapp.campaigns.overview import campaign_overview, campaign_overview_by_role
from surveyapp.campaigns.roles import role_choices
from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import ROLES, Campaign
from surveyapp.models.base import utcnow
from surveyapp.places import countries_with_municipalities
from surveyapp.profiles import report as profile_report
from surveyapp.profiles.free_text import TextFilter, parse_text_filter
from surveyapp.profiles.results import UnknownScope
from surveyapp.questionnaires.texts import load_texts
from surveyapp.responses import open_link_review
from surveyapp.rounds.series import series_of_campaign
from surveyapp.web.auth.sessions import recent_password_required
from surveyapp.web.review import bp
from surveyapp.web.review.campaign_forms import CampaignForm
from surveyapp.web.review.forms import InviteForm
from surveyapp.web.staff import csv_download, record_action, requires


@bp.get("/<lang>/staff/")
@requires("enter_staff_area")
def dashboard():
    return render_template(
        "review/dashboard.html",
        open_campaigns=staff_home.open_campaigns(g.lang) if can_run_campaigns() else [],
        languages_to_review=staff_home.languages_to_review(g.lang) if can_translate() else [],
        activity=activity.recent_activity(g.lang) if can_read_audit() else [],
    )


def can_run_campaigns() -> bool:
    return can(current_user, "run_campaigns")


def can_translate() -> bool:
    return can(current_user, "translate") or can(current_user, "edit_questionnaires")


def can_read_audit() -> bool:
    return can(current_user, "manage_accounts")


def _leave_out_self_registered() -> bool:
    """?leave_out_self_registered=1: without the responses that came through the open link."""
    return request.args.get("leave_out_self_registered") == "1"


@bp.route("/<lang>/staff/campaigns/<int:campaign_id>/invite", methods=["GET", "POST"])
@requires("run_campaigns")
def invite(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    countries = countries_with_municipalities(g.lang)
    form = InviteForm()
    shown_country = request.args.get("country", "")[:10]
    search = request.args.get("q", "")[:100]
    form.set_choices(
        countries, g.lang, shown_country, search, invitations.campaign_languages(campaign)
    )
    error = existing = None
    if form.validate_on_submit():
        chosen = set(form.countries.data or [])
        codes = [m.code for c in countries if c.code in chosen for m in c.municipalities]
        codes += form.municipalities.data or []
        roles = form.roles.data or []
        if "duplicates" not in request.form:
            # Staff see what exists and choose before any second link is made.
            existing = existing_links(campaign.id, codes, roles) if codes and roles else None
        if existing is None or not existing.pairs:
            try:
                made = invitations.create_invitations(
                    campaign,
                    codes,
                    roles,
                    form.language.data or None,
                    skip_existing=form.duplicates.data != "new",
                )
            except invitations.InvitationError as problem:
                error = (
                    _l("Unknown: %(items)s", items=", ".join(problem.unknown))
                    if problem.unknown
                    else _l("Please choose at least one municipality and one role.")
                )
            else:
                record_action("invitations_created", f"campaign:{campaign.id}", count=len(made))
                flash(
                    ngettext(
                        "%(num)d invitation was created.",
                        "%(num)d invitations were created.",
                        len(made),
                    )
                )
                return redirect(url_for("review.invite", campaign_id=campaign.id), 303)
    count = invitations.invitation_count(campaign.id)
    return render_template(
        "review/invite.html",
        campaign=campaign,
        form=form,
        error=error,
        count=count,
        shown_country=shown_country,
        search=search,
        existing=existing if existing is not None and existing.pairs else None,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/invitations.csv")
@requires("run_campaigns")
@recent_password_required
def invitations_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    record_action("export", f"campaign:{campaign.id}", format="invitation links")

    def link_for(token: str) -> str:
        return url_for("survey.open_invitation", token=token, _external=True)

    return Response(
        stream_with_context(invitations.invitations_csv(campaign.id, link_for)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="invitations-{campaign.id}.csv"'},
    )


CAMPAIGN_ERRORS = {
    "no_version": _l("Please choose a published questionnaire."),
    "dates": _l("The closing date must come after the opening date."),
    # I18N: %(languages)s lists language names
    "no_privacy": _l(
        "The questionnaire has no privacy notice in %(languages)s. Please add it in the "
        "questionnaire editor before the campaign opens."
    ),
}


@bp.route("/<lang>/staff/campaigns", methods=["GET", "POST"])
@requires("run_campaigns")
def campaigns_page():
    versions = lifecycle.published_versions()
    titles = {v.id: load_texts(v.id, g.lang).title() for v in versions}
    form = CampaignForm()
    form.set_versions(versions, titles)
    error = None
    if form.validate_on_submit():
        try:
            campaign = lifecycle.create_campaign(
                form.name.data,
                int(form.version.data),
                _start_of(form.opens_on.data),
                _start_of(form.closes_on.data),
                form.open_link.data,
                form.open_link_caps(),
                form.review_open_link.data,
                form.retention_days.data,
            )
        except (lifecycle.CampaignError, ValueError) as problem:
            error = CAMPAIGN_ERRORS.get(getattr(problem, "code", "no_version"))
            if getattr(problem, "languages", None):
                error = str(error) % {
                    "languages": ", ".join(LANGUAGES[code].autonym for code in problem.languages)
                }
        else:
            record_action("campaign_created", f"campaign:{campaign.id}")
            flash(_l("The campaign was created. Now invite municipalities."))
            return redirect(url_for("review.invite", campaign_id=campaign.id), 303)
    show_archived = request.args.get("archived") == "1"
    return render_template(
        "review/campaigns.html",
        campaigns=lifecycle.all_campaigns(include_archived=show_archived),
        show_archived=show_archived,
        titles=titles,
        form=form,
        error=error,
        now=utcnow(),
    )


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min) if day else None


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>")
@requires("run_campaigns")
def campaign(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    overview = campaign_overview(campaign.id)
    country = request.args.get("country") or None
    return render_template(
        "review/campaign.html",
        campaign=campaign,
        overview=overview,
        country=country,
        waiting=open_link_review.waiting(campaign.id) if campaign.review_open_link else 0,
        by_role=campaign_overview_by_role(campaign.id),
        responses=lifecycle.response_count(campaign.id),
        now=utcnow(),
        form=ActionForm(),
        possible_duplicates=possible_duplicates(campaign.id),
        series_of_campaign=series_of_campaign(campaign.id),
        towns=[t for t in overview.municipalities if country in (None, t.country_code)],
        country_names=places.country_names(g.lang),
        town_names=places.municipality_names(g.lang),
    )


def _report(campaign_id: int, text_filter: TextFilter | None = None):
    campaign = db.get_or_404(Campaign, campaign_id)
    role = request.args.get("role") or None
    if role is not None and role not in ROLES:
        abort(404)
    try:
        scope = profile_report.scope_from(request.args.get("area"))
    except UnknownScope:
        abort(404)
    return profile_report.build_report(
        campaign,
        scope,
        role,
        g.lang,
        leave_out_self_registered=_leave_out_self_registered(),
        text_filter=text_filter,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/profile")
@requires("run_campaigns")
def profile(campaign_id: int):
    report = _report(campaign_id, parse_text_filter(request.args))
    texts = report.free_text
    if texts and texts.answers:  # individual answers: who read them is on record
        # Which answers were read: the free-text filters (text_country=...) and the page.
        record_action(
            "profile_viewed",
            f"campaign:{campaign_id}",
            scope=report.scope.code,
            role=report.role,
            **texts.chosen.args(texts.page),
        )
    return render_template(
        "review/profile.html",
        report=report,
        country_names=places.country_names(g.lang),
        printing=request.args.get("print") == "1",
        countries=countries_with_municipalities(g.lang),
        roles=role_choices(),
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/profile.csv")
@requires("run_campaigns")
def profile_csv(campaign_id: int):
    report = _report(campaign_id)
    record_action(
        "export", f"campaign:{campaign_id}", format="profile csv", scope=report.scope.code
    )
    name = report.scope.code or "region"
    return csv_download(
        profile_report.profile_csv_rows(report), f"profile-{campaign_id}-{name}.csv"
    )


REVIEW_FLASHES = {
    "accepted": _l("The response was accepted: it now counts in profiles and exports."),
    "rejected": _l("The response was rejected: it does not count in profiles and exports."),
}


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/open-link-responses")
@requires("run_campaigns")
def open_link_queue(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    return render_template(
        "review/open_link_queue.html",
        campaign=campaign,
        queued=open_link_review.queue(campaign.id),
        town_names=places.municipality_names(g.lang),
        form=ActionForm(),
    )


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/open-link-responses/<int:response_id>")
@requires("run_campaigns")
def decide_open_link_response(campaign_id: int, response_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    decision = request.form.get("decision", "")
    if ActionForm().validate_on_submit() and decision in open_link_review.DECISIONS:
        if open_link_review.decide(campaign.id, response_id, decision):
            record_action(
                f"open_link_response_{decision}", f"response:{response_id}", campaign=campaign.id
            )
            flash(REVIEW_FLASHES[decision])
    return redirect(url_for("review.open_link_queue", campaign_id=campaign.id), 303)
