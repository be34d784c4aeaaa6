"""Views for translators: status, catalog download and upload, one-text fixes."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from surveyapp.core.form_fields import ActionForm
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.catalog_checks import placeholders
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE, TRANSLATED_LANGUAGES, VARIANTS
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires.texts import (
    save_translation,
    set_language_withdrawn,
    translation_gaps,
    variant_gaps,
)
from surveyapp.questionnaires.translation import po_files
from surveyapp.questionnaires.translation import status as translation_overview
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.forms import CatalogUploadForm, TranslationForm
from surveyapp.web.staff import record_action, requires


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    return db.get_or_404(QuestionnaireVersion, version_id)


def _target_or_404(target: str) -> str:
    if target not in TRANSLATED_LANGUAGES:
        abort(404)
    return target


@bp.get("/<lang>/staff/translations")
@requires("translate")
def translation_status():
    interface, interface_gaps = translation_overview.interface_column()
    columns = translation_overview.questionnaire_columns()
    return render_template(
        "authoring/translations.html",
        columns=[interface, *columns],
        interface_gaps=interface_gaps,
        questionnaire_gaps=translation_overview.questionnaire_gaps(columns),
        variants=translation_overview.variant_rows(columns),
        targets=TRANSLATED_LANGUAGES,
        action_form=ActionForm(),
    )


@bp.get("/<lang>/staff/translations/<int:version_id>/<target>.po")
@requires("translate")
def download_catalog(version_id: int, target: str):
    version = _version_or_404(version_id)
    code = (
        None if target == "template" else target if target in VARIANTS else _target_or_404(target)
    )
    data = po_files.export_catalog(version.id, code)
    name = version.questionnaire.name
    filename = f"{name}.{code}.po" if code else f"{name}.pot"
    return Response(
        data,
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<lang>/staff/translations/<int:version_id>/upload", methods=["GET", "POST"])
@requires("translate")
def upload_catalog(version_id: int):
    version = _version_or_404(version_id)
    form = CatalogUploadForm()
    report = None
    if form.validate_on_submit():
        data = form.catalog.data.read()
        report = po_files.import_catalog(version.id, data, form.language.data or None)
        record_action(
            "translation_import" if report.applied else "translation_import_refused",
            f"version:{version.id}",
            language=report.lang,
            changes=len(report.changes),
            problems=len(report.problems),
        )
        if report.applied and report.lang:
            language = (VARIANTS.get(report.lang) or LANGUAGES[report.lang]).autonym
            flash(
                ngettext(
                    "%(language)s: the catalog was imported, %(num)d text updated.",
                    "%(language)s: the catalog was imported, %(num)d texts updated.",
                    len(report.changes),
                    language=language,
                )
                if report.changes
                else _l(
                    "%(language)s: the catalog was checked; every text in it was already "
                    "up to date.",
                    language=language,
                )
            )
            return redirect(url_for("authoring.translation_status"), 303)
    status = 422 if report is not None or form.errors else 200
    return render_template(
        "authoring/upload.html", version=version, form=form, report=report
    ), status


@bp.post("/<lang>/staff/translations/<int:version_id>/languages")
@requires("translate")
def withdraw_or_offer_language(version_id: int):
    """Take a language away from new respondents of a version, or offer it again."""
    version = _version_or_404(version_id)
    code = request.form.get("language", "")
    action = request.form.get("action", "")
    valid = ActionForm().validate_on_submit() and action in ("withdraw", "offer")
    if not valid or code not in LANGUAGES or code == SOURCE_LANGUAGE:
        flash(_l("Nothing was changed: choose a language and whether to withdraw or offer it."))
        return redirect(url_for("authoring.translation_status"), 303)
    set_language_withdrawn(version.id, code, withdrawn=action == "withdraw")
    record_action(
        "language_withdrawn" if action == "withdraw" else "language_offered",
        f"version:{version.id}",
        language=code,
    )
    if action == "withdraw":
        flash(
            _l(
                "%(language)s is no longer offered to new respondents of %(name)s. "
                "Respondents who already answer in it keep it.",
                language=LANGUAGES[code].autonym,
                name=version.questionnaire.name,
            )
        )
    else:
        flash(_l("%(language)s is offered to respondents again.", language=LANGUAGES[code].autonym))
    return redirect(url_for("authoring.translation_status"), 303)


@bp.route("/<lang>/staff/translations/<int:version_id>/<target>/edit", methods=["GET", "POST"])
@requires("translate")
def edit_translation(version_id: int, target: str):
    version = _version_or_404(version_id)
    # A language, or a regional variant: one of its overrides, out of date.
    code = target if target in VARIANTS else _target_or_404(target)
    key = request.args.get("key", "")
    gaps = (
        variant_gaps(version.id, code) if code in VARIANTS else translation_gaps(version.id, code)
    )
    gap = next((g for g in gaps if g.key == key), None)
    if gap is None:
        flash(_l("This text is already translated and up to date."))
        return redirect(url_for("authoring.translation_status"), 303)
    form = TranslationForm(data={"text": gap.current})
    if form.validate_on_submit():
        if placeholders(form.text.data) != placeholders(gap.source):
            form.text.errors = [
                _l("The translation must keep the placeholders of the source text exactly.")
            ]
        else:
            save_translation(version.id, key, code, form.text.data)
            record_action("translation_edit", f"version:{version.id}", language=code, key=key)
            flash(_l("The translation was saved."))
            return redirect(url_for("authoring.translation_status"), 303)
    return render_template(
        "authoring/edit_translation.html",
        version=version,
        gap=gap,
        target=VARIANTS.get(code) or LANGUAGES[code],
        form=form,
    )
