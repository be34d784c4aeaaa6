from flask import Blueprint, Response

from surveyapp.core.spreadsheets import csv_text

bp = Blueprint("review", __name__)


def csv_download(rows: list[list[object]], filename: str) -> Response:
    """A CSV attachment that opens cleanly in Excel (BOM, formulas neutralised)."""
    return Response(
        csv_text(rows),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
