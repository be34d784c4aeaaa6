"""XLSForm in and out: importing a workbook as a new questionnaire (with a report of
what was refused, skipped or kept), and exporting a version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.xlsform import pending
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.editor_forms import ImportRestForm, XLSFormUploadForm
from surveyapp.web.authoring.editor_routes import _to_editor, _version_or_404
from surveyapp.web.staff import record_action, requires

if TYPE_CHECKING:
    from surveyapp.questionnaires.xlsform.importer import ImportResult


@bp.route("/<lang>/staff/questionnaires/import", methods=["GET", "POST"])
@requires("edit_questionnaires")
def import_xlsform():
    form = XLSFormUploadForm()
    result, rest_form = None, None
    if form.validate_on_submit():
        # Imported here, as in export_xlsform: openpyxl (and numpy) hold about 29 MB,
        # which every process of the app (the export and mail workers) would carry.
        from surveyapp.questionnaires.xlsform import importer

        upload = form.form_file.data
        data, filename = upload.read(), upload.filename or ""
        name = (form.name.data or "").strip() or None
        files = {f.filename: f.read() for f in form.choice_files.data or [] if f and f.filename}
        result = importer.import_xlsform(data, filename, name, files)
        record_action(
            "xlsform_import" if result.ok else "xlsform_import_refused",
            f"version:{result.version.id}" if result.version else filename[:120],
            errors=len(result.errors),
            warnings=len(result.warnings),
        )
        if result.version is not None:
            return _imported(result)
        if result.can_import_rest:
            rest_form = ImportRestForm(
                token=pending.keep(data, current_user.id, files),
                filename=filename,
                name=name or "",
            )
    status = 422 if result is not None else 200
    return render_template(
        "authoring/import.html", form=form, result=result, rest_form=rest_form
    ), status


@bp.post("/<lang>/staff/questionnaires/import/rest")
@requires("edit_questionnaires")
def import_xlsform_rest():
    """The author's choice after reading the report: import the rest, or nothing."""
    rest_form = ImportRestForm()
    kept = None
    if rest_form.validate_on_submit():
        kept = pending.take(rest_form.token.data or "", current_user.id)
    if request.form.get("choice") != "rest":
        flash(_l("Nothing was imported."))
        return redirect(url_for("authoring.import_xlsform"), 303)
    if kept is None:
        flash(_l("The uploaded file is no longer kept: please upload it again."), "error")
        return redirect(url_for("authoring.import_xlsform"), 303)
    data, files = kept
    filename = rest_form.filename.data or ""
    from surveyapp.questionnaires.xlsform import importer  # see import_xlsform

    name = (rest_form.name.data or "").strip() or None
    result = importer.import_xlsform(data, filename, name, files, import_rest=True)
    record_action(
        "xlsform_import_rest" if result.ok else "xlsform_import_refused",
        f"version:{result.version.id}" if result.version else filename[:120],
        errors=len(result.errors),
        left_out=len(result.left_out),
    )
    if result.version is not None:
        return _imported(result)
    return render_template(
        "authoring/import.html", form=XLSFormUploadForm(), result=result, rest_form=None
    ), 422


def _imported(result: ImportResult):
    flash(_l("The form was imported as a draft. Check it, then publish it."))
    if result.left_out:
        message = ngettext(
            "%(num)d row of the form was left out; the draft's import notes list it.",
            "%(num)d rows of the form were left out; the draft's import notes list them.",
            len(result.left_out),
        )
        flash(message, "warning")
    for warning in result.warnings[:20]:
        flash(str(warning), "warning")
    return _to_editor(result.version.id)


@bp.get("/<lang>/staff/questionnaires/<int:version_id>/xlsform.xlsx")
@requires("edit_questionnaires")
def export_xlsform(version_id: int):
    from surveyapp.questionnaires.xlsform import exporter  # see import_xlsform

    version = _version_or_404(version_id)
    record_action("xlsform_export", f"version:{version.id}")
    return Response(
        exporter.export_xlsform(version.id),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{version.questionnaire.name}-v{version.number}.xlsx"'
            )
        },
    )
