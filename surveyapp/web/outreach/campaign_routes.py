"""A campaign's outreach page: status, sending invitations and reminders (each
checked first, then confirmed), reminder settings, and the list of contacts."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_date, ngettext
from wtforms import ValidationError

from surveyapp.campaigns.roles import role_choices
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.spreadsheets import csv_chunks
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES
from surveyapp.models import Campaign
from surveyapp.models.base import utcnow
from surveyapp.outreach import reminders, sending, status
from surveyapp.outreach.contacts import contact_count
from surveyapp.outreach.facts import Selection
from surveyapp.outreach.mail_texts import all_template_states
from surveyapp.places import countries_with_municipalities, country_names, municipality_names
from surveyapp.web.outreach import bp
from surveyapp.web.outreach.forms import (
    InvitationSendForm,
    ReminderSendForm,
    ReminderSettingsForm,
)
from surveyapp.web.outreach.shared import actor
from surveyapp.web.staff import record_action, requires

#: Why people are left out of a send (``SendPlan.skipped``).
SKIP_LABELS = {
    "opted_out": _l("opted out of our mails"),
    "bounced": _l("their address bounced"),
    "erased": _l("their answers were deleted at their request"),
    "submitted": _l("already answered"),
    "pending": _l("a mail to them is still waiting to go out"),
    "invited": _l("invited before"),
    "not_invited": _l("not invited yet"),
    "not_mailed": _l("their invitation has not reached them"),
    "limit": _l("had as many reminders as the campaign allows"),
    "too_soon": _l("written to more recently than the days between mails allow"),
    "no_text": _l("no text in their language"),
}
PROBLEMS = {
    "archived": _l("The campaign is archived: bring it back from the archive first."),
    "closed": _l("The campaign is closed by then: reopen it or move its closing date first."),
    "not_open": _l("The campaign opens on %(date)s: send the mails then or later."),
    "past": _l("The time to send is in the past."),
}
SETTINGS_ERRORS = {
    "interval": _l("Please give a number of days from %(min)d to %(max)d."),
    "limit": _l("Please give a number from %(min)d to %(max)d."),
    # I18N: %(languages)s lists language names
    "missing": _l(
        "Reminders cannot go out by themselves while there is no reminder text in "
        "%(languages)s. Write it first."
    ),
}


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _language_names(codes) -> str:
    return ", ".join(LANGUAGES[code].autonym for code in codes if code in LANGUAGES)


def plan_messages(plan: sending.SendPlan, campaign: Campaign) -> list[str]:
    """Why a plan cannot be sent, for people."""
    messages = [
        str(PROBLEMS[code] % {"date": format_date(campaign.opens_at, "long")})
        for code in plan.problems
    ]
    for lang, count in sorted(plan.missing.items()):
        message = (
            ngettext(
                "There is no invitation text in %(language)s, which %(num)d recipient would get.",
                "There is no invitation text in %(language)s, which %(num)d recipients would get.",
                count,
                language=LANGUAGES[lang].autonym,
            )
            if plan.kind == "invitation"
            else ngettext(
                "There is no reminder text in %(language)s, which %(num)d recipient would get.",
                "There is no reminder text in %(language)s, which %(num)d recipients would get.",
                count,
                language=LANGUAGES[lang].autonym,
            )
        )
        messages.append(message)
    return messages


def _forms(campaign: Campaign):
    countries = countries_with_municipalities(g.lang)
    invite = InvitationSendForm(prefix="invite")
    invite.set_choices(countries, g.lang)
    remind = ReminderSendForm(prefix="remind")
    remind.set_choices(countries, g.lang)
    settings = ReminderSettingsForm(
        prefix="settings",
        data=None
        if request.method == "POST" and "settings-interval_days" in request.form
        else {
            "automatic": campaign.reminders_automatic,
            "interval_days": campaign.reminder_interval_days,
            "limit": campaign.reminder_limit,
        },
    )
    return invite, remind, settings


def _page(campaign: Campaign, invite, remind, settings, **context):
    texts = all_template_states(campaign.id)
    missing = {
        kind: _language_names(lang for lang, state in states.items() if not state.usable)
        for kind, states in texts.items()
    }
    return render_template(
        "outreach/campaign.html",
        campaign=campaign,
        invite_form=invite,
        remind_form=remind,
        settings_form=settings,
        status=status.outreach_status(campaign.id),
        contacts=contact_count(),
        missing=missing,
        country_names=country_names(g.lang),
        town_names=municipality_names(g.lang),
        skip_labels=SKIP_LABELS,
        now=utcnow(),
        **context,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach")
@requires("outreach")
def outreach_page(campaign_id: int):
    campaign = _campaign(campaign_id)
    return _page(campaign, *_forms(campaign))


def _field_errors(form) -> list[str]:
    """A form's field errors as "Label: message" (the CSRF token's are shown elsewhere)."""
    return [
        f"{form[name].label.text}: {' '.join(str(m) for m in messages)}"
        for name, messages in form.errors.items()
        if name != "csrf_token"
    ]


def _back_to_page(campaign: Campaign):
    """A POST without its form's fields: nothing to do but show the page."""
    return redirect(url_for("outreach.outreach_page", campaign_id=campaign.id), 303)


def _selection(form) -> Selection:
    return Selection(form.country.data or None, form.role.data or None)


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/outreach/invitations")
@requires("outreach")
def send_invitations(campaign_id: int):
    campaign = _campaign(campaign_id)
    if "invite-step" not in request.form:
        return _back_to_page(campaign)
    invite, remind, settings = _forms(campaign)
    errors: list[str] = []
    plan = None
    if invite.validate_on_submit() and invite.check_choices():
        try:
            send_after = invite.send_after()
        except ValidationError as problem:
            errors.append(str(problem))
        else:
            selection, only_new = _selection(invite), bool(invite.only_new.data)
            if invite.step.data == "send":
                try:
                    plan = sending.send_invitations(
                        campaign.id, selection, actor(), only_new, send_after
                    )
                except sending.SendRefused as refused:
                    plan = refused.plan
                    errors += plan_messages(plan, campaign)
                else:
                    flash(
                        ngettext(
                            "%(num)d invitation is on its way.",
                            "%(num)d invitations are on their way.",
                            len(plan.mails),
                        )
                        if send_after is None
                        else ngettext(
                            "%(num)d invitation will go out at the time you chose.",
                            "%(num)d invitations will go out at the time you chose.",
                            len(plan.mails),
                        )
                    )
                    return redirect(url_for("outreach.outreach_page", campaign_id=campaign.id), 303)
            else:
                plan = sending.plan_invitations(campaign, selection, only_new, send_after)
                errors += plan_messages(plan, campaign)
    elif not invite.errors:
        errors.append(str(_l("Please choose a country and a role from the lists.")))
    errors += _field_errors(invite)
    status_code = 422 if errors or invite.errors else 200
    return _page(
        campaign, invite, remind, settings, invite_plan=plan, invite_errors=errors
    ), status_code


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/outreach/reminders")
@requires("outreach")
def send_reminders(campaign_id: int):
    campaign = _campaign(campaign_id)
    if "remind-step" not in request.form:
        return _back_to_page(campaign)
    invite, remind, settings = _forms(campaign)
    errors: list[str] = []
    plan = None
    if remind.validate_on_submit() and remind.check_choices():
        selection = _selection(remind)
        if remind.step.data == "send":
            try:
                plan = reminders.send_reminders(campaign.id, selection, actor())
            except sending.SendRefused as refused:
                plan = refused.plan
                errors += plan_messages(plan, campaign)
            else:
                flash(
                    ngettext(
                        "%(num)d reminder is on its way.",
                        "%(num)d reminders are on their way.",
                        len(plan.mails),
                    )
                )
                return redirect(url_for("outreach.outreach_page", campaign_id=campaign.id), 303)
        else:
            plan = reminders.plan_reminders(campaign, selection)
            errors += plan_messages(plan, campaign)
    elif not remind.errors:
        errors.append(str(_l("Please choose a country and a role from the lists.")))
    errors += _field_errors(remind)
    status_code = 422 if errors or remind.errors else 200
    return _page(
        campaign, invite, remind, settings, remind_plan=plan, remind_errors=errors
    ), status_code


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/outreach/settings")
@requires("outreach")
def reminder_settings(campaign_id: int):
    campaign = _campaign(campaign_id)
    if "settings-interval_days" not in request.form:
        return _back_to_page(campaign)
    invite, remind, settings = _forms(campaign)
    error = None
    if settings.validate_on_submit():
        try:
            changes = reminders.save_settings(
                campaign.id,
                reminders.ReminderSettings(
                    bool(settings.automatic.data),
                    int(settings.interval_days.data),
                    int(settings.limit.data),
                ),
                actor(),
            )
        except reminders.SettingsRefused as refused:
            bounds = reminders.INTERVAL_DAYS if refused.code == "interval" else reminders.LIMIT
            error = str(
                SETTINGS_ERRORS[refused.code]
                % {
                    "min": bounds[0],
                    "max": bounds[1],
                    "languages": _language_names(refused.languages),
                }
            )
        else:
            flash(
                _l("The reminder settings were saved.") if changes else _l("Nothing was changed.")
            )
            return redirect(url_for("outreach.outreach_page", campaign_id=campaign.id), 303)
    status_code = 422
    return _page(campaign, invite, remind, settings, settings_error=error), status_code


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach/contacts")
@requires("outreach")
def campaign_contacts(campaign_id: int):
    campaign = _campaign(campaign_id)
    chosen = status.parse_list_filter(request.args)
    return render_template(
        "outreach/campaign_contacts.html",
        campaign=campaign,
        chosen=chosen,
        listing=status.contact_list(campaign.id, chosen),
        countries=countries_with_municipalities(g.lang),
        roles=role_choices(),
        response_state=status.response_state,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach/contacts.csv")
@requires("outreach")
def campaign_contacts_csv(campaign_id: int):
    campaign = _campaign(campaign_id)
    chosen = status.parse_list_filter(request.args)
    record_action(
        "export",
        f"campaign:{campaign.id}",
        format="outreach contacts",
        state=chosen.state,
        after=chosen.after,
        country=chosen.country,
        role=chosen.role,
    )
    return Response(
        stream_with_context(csv_chunks(status.contact_rows(campaign.id, chosen))),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="outreach-{campaign.id}.csv"'},
    )
