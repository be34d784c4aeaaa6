"""A campaign's mail texts: which language has which, editing one, going back to the
built-in text, and a preview of the mail as it will be sent."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import AUTHORED_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE
from surveyapp.models import Campaign
from surveyapp.models.outreach import MAIL_INVITATION, MAIL_KINDS
from surveyapp.outreach import mail_texts
from surveyapp.outreach.links import Links
from surveyapp.outreach.rendering import html_fragment
from surveyapp.outreach.writing import MailWriter, sample_addressee
from surveyapp.web.outreach import bp
from surveyapp.web.outreach.forms import MailTextForm
from surveyapp.web.outreach.shared import actor
from surveyapp.web.staff import requires

KIND_LABELS = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}
STATE_LABELS = {
    mail_texts.BUILT_IN: _l("built-in text"),
    mail_texts.OWN: _l("this campaign's text"),
    mail_texts.OUTDATED: _l("written for an earlier English text"),
    mail_texts.MISSING: _l("missing"),
}
#: What each placeholder is filled in with, for the people who write the texts.
PLACEHOLDER_HELP = {
    "recipient_name": _l("the contact's name"),
    "recipient_role": _l("the contact's role, in the mail's language"),
    "municipality": _l("the municipality's name, in the mail's language"),
    "country": _l("the country's name, in the mail's language"),
    "campaign": _l("the campaign's name (as staff see it)"),
    "questionnaire": _l("the questionnaire's title, in the mail's language"),
    "closing_date": _l(
        "the last day to answer; a line with it is left out when the campaign has no closing date"
    ),
    "link": _l("the personal link to the questionnaire (required)"),
    "opt_out_link": _l("the link to stop receiving our mails (required)"),
}
TEXT_ERRORS = {
    "subject_empty": _l("Please write the subject."),
    "subject_lines": _l("The subject must be one line."),
    "subject_long": _l("Please use at most %(max)d characters.", max=mail_texts.MAX_SUBJECT_LENGTH),
    "body_empty": _l("Please write the text."),
    "body_long": _l("Please use at most %(max)d characters.", max=mail_texts.MAX_BODY_LENGTH),
    # I18N: %(names)s lists placeholders such as {recipient_nmae}
    "unknown": _l("Unknown placeholders: %(names)s. Use only the ones listed below."),
    # I18N: %(names)s lists placeholders such as {link}
    "required": _l("The text must contain %(names)s."),
}


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _kind_and_language(kind: str, lang_code: str) -> None:
    if kind not in MAIL_KINDS or lang_code not in LANGUAGES:
        abort(404)


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach/texts")
@requires("outreach")
def mail_texts_page(campaign_id: int):
    campaign = _campaign(campaign_id)
    return render_template(
        "outreach/texts.html",
        campaign=campaign,
        states=mail_texts.all_template_states(campaign.id),
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
    )


def _text_problem(problem: mail_texts.TextProblem) -> str:
    names = ", ".join("{" + name + "}" for name in problem.names)
    return str(TEXT_ERRORS[problem.code] % {"names": names})


@bp.route(
    "/<lang>/staff/campaigns/<int:campaign_id>/outreach/texts/<kind>/<text_lang>",
    methods=["GET", "POST"],
)
@requires("outreach")
def edit_mail_text(campaign_id: int, kind: str, text_lang: str):
    campaign = _campaign(campaign_id)
    _kind_and_language(kind, text_lang)
    stored_lang = mail_texts.editable_language(text_lang)
    if stored_lang != text_lang:
        # Serbian Latin is made from Serbian Cyrillic: edit that one.
        return redirect(
            url_for(
                "outreach.edit_mail_text", campaign_id=campaign.id, kind=kind, text_lang=stored_lang
            ),
            303,
        )
    states = mail_texts.template_states(campaign.id, kind)
    state = states[text_lang]
    text = state.text
    form = MailTextForm(
        data=None
        if request.method == "POST" or text is None
        else {"subject": text.subject, "body": text.body}
    )
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            mail_texts.save_text(
                campaign.id, kind, text_lang, form.subject.data or "", form.body.data or "", actor()
            )
        except mail_texts.TextRefused as refused:
            errors = [_text_problem(problem) for problem in refused.problems]
        else:
            flash(_l("The text was saved."))
            return redirect(url_for("outreach.mail_texts_page", campaign_id=campaign.id), 303)
    source = mail_texts.source_text(campaign.id, kind)
    return render_template(
        "outreach/text_edit.html",
        campaign=campaign,
        kind=kind,
        text_lang=text_lang,
        state=state,
        source=source if text_lang != SOURCE_LANGUAGE else None,
        builtin=mail_texts.builtin_text(kind, text_lang),
        form=form,
        reset_form=ActionForm(),
        errors=errors,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        placeholder_help=PLACEHOLDER_HELP,
    ), (422 if errors or form.errors else 200)


@bp.post("/<lang>/staff/campaigns/<int:campaign_id>/outreach/texts/<kind>/<text_lang>/built-in")
@requires("outreach")
def use_builtin_text(campaign_id: int, kind: str, text_lang: str):
    campaign = _campaign(campaign_id)
    _kind_and_language(kind, text_lang)
    if text_lang not in AUTHORED_LANGUAGES:
        abort(404)
    if ActionForm().validate_on_submit():
        mail_texts.use_builtin_text(campaign.id, kind, text_lang, actor())
        flash(_l("The built-in text is used again."))
    return redirect(url_for("outreach.mail_texts_page", campaign_id=campaign.id), 303)


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach/preview")
@requires("outreach")
def preview_mail(campaign_id: int):
    campaign = _campaign(campaign_id)
    kind = request.args.get("kind") or MAIL_INVITATION
    text_lang = request.args.get("language") or g.lang
    if kind not in MAIL_KINDS or text_lang not in LANGUAGES:
        kind, text_lang = MAIL_INVITATION, g.lang
    writer = MailWriter(campaign, kind, Links())
    to = sample_addressee(text_lang)
    mail = writer.write(to, text_lang) if writer.text(text_lang) is not None else None
    return render_template(
        "outreach/preview.html",
        campaign=campaign,
        kind=kind,
        text_lang=text_lang,
        to=to,
        mail=mail,
        fragment=html_fragment(mail) if mail else None,
        one_click=writer.links.one_click("example-token"),
        kind_labels=KIND_LABELS,
        state=writer.states[text_lang],
        state_labels=STATE_LABELS,
    )
