"""Views of the staff's review pages."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, send_file, stream_with_context

from surveyapp import exports
from surveyapp.auth import roles_required
from surveyapp.extensions import db
from surveyapp.i18n import is_language
from surveyapp.models import Campaign

bp = Blueprint("review", __name__)


@bp.get("/<lang>/staff/")
@roles_required()
def dashboard():
    return render_template("review/dashboard.html")


ANALYSTS = ("admin", "analyst")


def _labels_language() -> str | None:
    """?labels=<code> for labels in a language, ?labels=codes for raw codes."""
    choice = request.args.get("labels", "codes")
    return choice if is_language(choice) else None


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.csv")
@roles_required(*ANALYSTS)
def export_csv(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    rows = exports.response_rows(campaign.id, _labels_language())
    return Response(
        stream_with_context(exports.csv_chunks(rows)),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="responses-{campaign.id}.csv"'},
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/responses.xlsx")
@roles_required(*ANALYSTS)
def export_xlsx(campaign_id: int):
    campaign = db.get_or_404(Campaign, campaign_id)
    output = exports.write_xlsx(exports.response_rows(campaign.id, _labels_language()))
    return send_file(
        output,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"responses-{campaign.id}.xlsx",
    )
