"""The codebook of a questionnaire version: a printable page and an XLSX."""

from __future__ import annotations

from flask import abort, g, render_template, send_file

from surveyapp.core.spreadsheets import Sheet, write_workbook
from surveyapp.responses.version_codebook import codebook_sheets, version_codebook
from surveyapp.web.review import bp
from surveyapp.web.staff import requires

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<lang>/staff/questionnaires/<int:version_id>/codebook")
@requires("run_campaigns")
def version_codebook_page(version_id: int):
    """Every variable of the exports: no answers, so no password asked again."""
    codebook = version_codebook(version_id, g.lang)
    if codebook is None:
        abort(404)
    return render_template("review/codebook.html", codebook=codebook)


@bp.get("/<lang>/staff/questionnaires/<int:version_id>/codebook.xlsx")
@requires("run_campaigns")
def version_codebook_xlsx(version_id: int):
    codebook = version_codebook(version_id, g.lang)
    if codebook is None:
        abort(404)
    variables, values = codebook_sheets(codebook, g.lang)
    language_widths = [50] * len(codebook.languages)
    output = write_workbook(
        [
            Sheet("variables", variables, [34, 34, 32, 22, 14, 22, 14, 30, *language_widths]),
            Sheet("values", values, [34, 16, 8, 8, *([30] * len(codebook.languages))]),
        ]
    )
    return send_file(
        output,
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"codebook-{codebook.version.questionnaire.name}-v{codebook.version.number}.xlsx",
    )
