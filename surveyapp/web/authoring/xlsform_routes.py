"""XLSForm in and out: importing a workbook as a new questionnaire (with a report of
what was refused, skipped or kept), and exporting a version."""

from __future__ import annotations

from flask import Response, flash, render_template

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.web.authoring import bp
from surveyapp.web.authoring.editor_forms import (
    XLSFormUploadForm,
)
from surveyapp.web.authoring.editor_routes import _to_editor, _version_or_404
from surveyapp.web.staff import record_action, requires


@bp.route("/<lang>/staff/questionnaires/import", methods=["GET", "POST"])
@requires("edit_questionnaires")
def import_xlsform():
    form = XLSFormUploadForm()
    result = None
    if form.validate_on_submit():
        # Imported here, as in export_xlsform: openpyxl (and numpy) hold about 29 MB,
        # which every process of the app (the export and mail workers) would carry.
        from surveyapp.questionnaires.xlsform import importer

        upload = form.form_file.data
        files = {f.filename: f.read() for f in form.choice_files.data or [] if f and f.filename}
        result = importer.import_xlsform(
            upload.read(), upload.filename or "", (form.name.data or "").strip() or None, files
        )
        record_action(
            "xlsform_import" if result.ok else "xlsform_import_refused",
            f"version:{result.version.id}" if result.version else (upload.filename or "")[:120],
            errors=len(result.errors),
            warnings=len(result.warnings),
        )
        if result.version is not None:
            flash(_l("The form was imported as a draft. Check it, then publish it."))
            for warning in result.warnings[:20]:
                flash(str(warning), "warning")
            return _to_editor(result.version.id)
    status = 422 if result is not None else 200
    return render_template("authoring/import.html", form=form, result=result), status


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
