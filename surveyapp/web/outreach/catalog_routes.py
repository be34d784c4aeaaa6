"""Mail texts for translators: where their translation stands, and each campaign's
texts as a .po catalog to download and upload (as questionnaire texts are)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, TRANSLATED_LANGUAGES
from surveyapp.models import Campaign
from surveyapp.outreach import mail_catalogs
from surveyapp.web.outreach import bp
from surveyapp.web.outreach.forms import CatalogUploadForm
from surveyapp.web.outreach.shared import actor
from surveyapp.web.staff import record_action, requires


def _campaign_and_language(campaign_id: int, text_lang: str) -> Campaign:
    if text_lang not in TRANSLATED_LANGUAGES:
        abort(404)
    return db.get_or_404(Campaign, campaign_id)


@bp.get("/<lang>/staff/translations/mail-texts")
@requires("translate_mail_texts")
def mail_text_translations():
    return render_template(
        "outreach/translations.html",
        campaigns=mail_catalogs.translation_status(),
        translated=TRANSLATED_LANGUAGES,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/outreach/texts/<text_lang>.po")
@requires("translate_mail_texts")
def download_mail_catalog(campaign_id: int, text_lang: str):
    campaign = _campaign_and_language(campaign_id, text_lang)
    record_action(
        "export", f"campaign:{campaign.id}", format="mail texts (.po)", language=text_lang
    )
    return Response(
        mail_catalogs.export_catalog(campaign, text_lang),
        mimetype="text/x-gettext-translation; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="mails-{campaign.id}-{text_lang}.po"'
        },
    )


@bp.route(
    "/<lang>/staff/campaigns/<int:campaign_id>/outreach/texts/<text_lang>/upload",
    methods=["GET", "POST"],
)
@requires("translate_mail_texts")
def upload_mail_catalog(campaign_id: int, text_lang: str):
    campaign = _campaign_and_language(campaign_id, text_lang)
    form = CatalogUploadForm()
    report = None
    if form.validate_on_submit():
        report = mail_catalogs.import_catalog(
            campaign, text_lang, form.catalog.data.read(), actor()
        )
        if report.applied:
            flash(
                _l(
                    "The mail texts were imported (%(language)s).",
                    language=LANGUAGES[text_lang].autonym,
                )
            )
            return redirect(url_for("outreach.mail_text_translations"), 303)
    status = 422 if report is not None or form.errors else 200
    return render_template(
        "outreach/catalog_upload.html",
        campaign=campaign,
        text_lang=text_lang,
        form=form,
        report=report,
    ), status
