"""An export written by a worker: its progress (a page that refreshes itself, and a small
script that updates it live), and the download of the finished file."""

from __future__ import annotations

from flask import abort, jsonify, render_template, send_file, url_for

from surveyapp.extensions import db
from surveyapp.models import Campaign, ExportFile
from surveyapp.models.export import EXPORT_QUEUED, EXPORT_RUNNING
from surveyapp.responses import export_files
from surveyapp.web.auth.sessions import recent_password_required
from surveyapp.web.review import bp
from surveyapp.web.staff import record_action, requires

#: The page reloads itself this often (seconds) while the export is not finished.
REFRESH_SECONDS = 3


def _export(campaign_id: int, export_id: int) -> tuple[Campaign, ExportFile]:
    campaign = db.get_or_404(Campaign, campaign_id)
    export = db.session.get(ExportFile, export_id)
    if export is None or export.campaign_id != campaign.id:
        abort(404)
    return campaign, export


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exports/<int:export_id>")
@requires("run_campaigns")
def export_job(campaign_id: int, export_id: int):
    campaign, export = _export(campaign_id, export_id)
    return render_template(
        "review/export_job.html",
        campaign=campaign,
        export=export,
        percent=export_files.progress_percent(export),
        refresh=REFRESH_SECONDS if export.status in (EXPORT_QUEUED, EXPORT_RUNNING) else None,
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exports/<int:export_id>/status.json")
@requires("run_campaigns")
def export_job_status(campaign_id: int, export_id: int):
    """For the page's script: the status and how far along, nothing of the answers."""
    campaign, export = _export(campaign_id, export_id)
    return jsonify(
        status=export.status,
        percent=export_files.progress_percent(export),
        rows_done=export.rows_done,
        rows_total=export.rows_total,
        page=url_for("review.export_job", campaign_id=campaign.id, export_id=export.id),
    )


@bp.get("/<lang>/staff/campaigns/<int:campaign_id>/exports/<int:export_id>/download")
@requires("run_campaigns")
@recent_password_required
def download_export(campaign_id: int, export_id: int):
    campaign, export = _export(campaign_id, export_id)
    found = export_files.ready_file(campaign.id, export.id)
    if found is None:
        abort(404)
    export, path = found
    record_action("export_download", f"campaign:{campaign.id}", export_file=export.id)
    return send_file(
        path,
        mimetype=export_files.MEDIA_TYPES[path.suffix[1:]],
        as_attachment=True,
        download_name=f"responses-{campaign.id}{path.suffix}",
        max_age=0,
    )
