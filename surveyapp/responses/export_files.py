"""Exports written by workers of the job queue, with progress, kept for a while.

Staff start an export (``start_export``): a row in ``export_file`` and a job on the
queue. A worker claims the row (``claimed_until``, renewed with every progress
report), writes the file under a temporary name in the export folder, renames it
when it is whole (``os.replace``: atomic on one file system), then marks the row
ready with the time it expires. So a file that can be downloaded is always whole:
a worker killed mid-way leaves a temporary file that nobody serves, its claim runs
out, and the sweep (every minute, and when a worker starts) queues the export again;
the next attempt deletes the leftover and starts over. An attempt that fails with an
error is retried by the queue, and after ``EXPORT_MAX_ATTEMPTS`` the export is
marked failed.

Finished files are deleted ``EXPORT_KEEP_HOURS`` after they were written, with
their rows; so are files that no row names (a campaign deleted, a crash between
the rename and the commit).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from huey import crontab
from sqlalchemy import or_, select, update

from surveyapp.core.database import write_transaction
from surveyapp.core.spreadsheets import csv_chunks
from surveyapp.extensions import db
from surveyapp.jobs import enqueue, job, periodic_job
from surveyapp.models import Campaign, ExportFile
from surveyapp.models.base import utcnow
from surveyapp.models.export import (
    EXPORT_FAILED,
    EXPORT_QUEUED,
    EXPORT_READY,
    EXPORT_RUNNING,
)
from surveyapp.responses import exports, repeat_exports, statistical_files, upload_answers
from surveyapp.responses.repeat_exports import repeat_sheets

log = logging.getLogger(__name__)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    # a CSV export of a form with repeats (``repeat_exports``), or the files respondents
    # uploaded (``upload_answers``)
    "zip": "application/zip",
}


def has_repeats(campaign_id: int) -> bool:
    campaign = db.session.get(Campaign, campaign_id)
    return repeat_exports.has_repeats(campaign.version_id)


def file_suffix(export: ExportFile) -> str:
    """The file's extension: its format's, but "zip" for the CSVs of a form with repeats."""
    return "zip" if export.format == "csv" and has_repeats(export.campaign_id) else export.format


def export_folder() -> Path:
    """Where finished exports are kept (EXPORT_DIR, or the instance folder's exports/)."""
    folder = Path(
        current_app.config.get("EXPORT_DIR") or Path(current_app.instance_path) / "exports"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_export(
    campaign_id: int,
    fmt: str,
    labels: str | None,
    language: str,
    leave_out_self_registered: bool,
    user_id: int | None,
) -> ExportFile:
    """Record an export of a campaign's responses and queue its job (after the commit,
    so the worker finds the row). A queue that cannot be reached leaves the export
    queued: the sweep gives it to a worker later."""
    with write_transaction():
        export = ExportFile(
            campaign_id=campaign_id,
            requested_by_id=user_id,
            format=fmt,
            labels=labels,
            language=language,
            leave_out_self_registered=leave_out_self_registered,
            status=EXPORT_QUEUED,
            rows_total=exports.export_counts(campaign_id).rows,
        )
        db.session.add(export)
    _queue(export.id)
    return export


def _queue(export_id: int) -> None:
    try:
        enqueue(write_export, export_id)
    except Exception:  # the queue is down: the sweep queues it again
        log.warning("export %d: could not queue it; the sweep will", export_id, exc_info=True)


def campaign_exports(campaign_id: int) -> list[ExportFile]:
    """A campaign's exports that have not expired, newest first."""
    return list(
        db.session.scalars(
            select(ExportFile)
            .where(ExportFile.campaign_id == campaign_id)
            .order_by(ExportFile.id.desc())
        )
    )


def ready_file(campaign_id: int, export_id: int) -> tuple[ExportFile, Path] | None:
    """A ready export of the campaign and its file; None when there is none (not ready,
    expired, another campaign's, or the file is gone)."""
    export = db.session.get(ExportFile, export_id)
    if export is None or export.campaign_id != campaign_id or export.status != EXPORT_READY:
        return None
    if not export.file_name or (export.expires_at and export.expires_at <= utcnow()):
        return None
    path = export_folder() / export.file_name
    return (export, path) if path.is_file() else None


def progress_percent(export: ExportFile) -> int:
    """How far along an export is, 0 to 100 (100 only once it is ready)."""
    if export.status == EXPORT_READY:
        return 100
    if not export.rows_total:
        return 0
    return min(99, export.rows_done * 100 // export.rows_total)


# --- the job ------------------------------------------------------------------------------


def _claim_seconds() -> int:
    return int(current_app.config.get("EXPORT_CLAIM_SECONDS") or 60)


@write_transaction()
def _claim(export_id: int) -> ExportFile | None:
    """Take the export for this worker, or None when another holds it or it is done."""
    now = utcnow()
    claimed = db.session.execute(
        update(ExportFile)
        .where(
            ExportFile.id == export_id,
            or_(
                ExportFile.status == EXPORT_QUEUED,
                (ExportFile.status == EXPORT_RUNNING) & (ExportFile.claimed_until < now),
            ),
        )
        .values(
            status=EXPORT_RUNNING,
            attempts=ExportFile.attempts + 1,
            rows_done=0,
            claimed_until=now + timedelta(seconds=_claim_seconds()),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    export = db.session.get(ExportFile, export_id)
    db.session.refresh(export)
    return export


def _report(export_id: int, rows_done: int) -> None:
    with write_transaction():
        db.session.execute(
            update(ExportFile)
            .where(ExportFile.id == export_id, ExportFile.status == EXPORT_RUNNING)
            .values(
                rows_done=rows_done,
                claimed_until=utcnow() + timedelta(seconds=_claim_seconds()),
            )
            .execution_options(synchronize_session=False)
        )


def _counted(export_id: int, rows: Iterator[list[object]]) -> Iterator[list[object]]:
    """``rows`` passed on, the header first; progress written as they go."""
    every = float(current_app.config.get("EXPORT_PROGRESS_SECONDS") or 1.0)
    last = time.monotonic()
    done = -1  # the header is not a response
    for row in rows:
        yield row
        done += 1
        if time.monotonic() - last >= every:
            _report(export_id, done)
            last = time.monotonic()
    _report(export_id, max(done, 0))


def _part_files(folder: Path, export_id: int) -> list[Path]:
    return list(folder.glob(f".export-{export_id}-*.part"))


@job("exports.write_file", retries=2, retry_delay=5)
def write_export(export_id: int) -> None:
    """Write one export file (see the module's docstring)."""
    export = _claim(export_id)
    if export is None:
        return
    folder = export_folder()
    for leftover in _part_files(folder, export_id):  # a dead attempt's
        leftover.unlink(missing_ok=True)
    part = folder / f".export-{export_id}-{os.getpid()}-{export.attempts}.part"
    final = folder / f"responses-{export.campaign_id}-{export_id}.{file_suffix(export)}"
    try:
        _write(export, part)
        with open(part, "rb") as written:
            os.fsync(written.fileno())
        os.replace(part, final)  # whole, or not there at all
    except Exception:
        part.unlink(missing_ok=True)
        _give_back(export_id)
        raise
    now = utcnow()
    hours = float(current_app.config.get("EXPORT_KEEP_HOURS") or 24)
    with write_transaction():
        db.session.execute(
            update(ExportFile)
            .where(ExportFile.id == export_id)
            .values(
                status=EXPORT_READY,
                rows_done=ExportFile.rows_total,
                file_name=final.name,
                size=final.stat().st_size,
                finished_at=now,
                expires_at=now + timedelta(hours=hours),
                claimed_until=None,
                error=None,
            )
            .execution_options(synchronize_session=False)
        )


def _give_back(export_id: int) -> None:
    """After an error: queued again for the queue's retry, or failed after the last try."""
    limit = int(current_app.config.get("EXPORT_MAX_ATTEMPTS") or 3)
    db.session.rollback()
    with write_transaction():
        export = db.session.get(ExportFile, export_id)
        if export is None:
            return
        export.claimed_until = None
        if export.attempts >= limit:
            export.status = EXPORT_FAILED
            export.error = "error"
            export.finished_at = utcnow()
        else:
            export.status = EXPORT_QUEUED


def _write(export: ExportFile, part: Path) -> None:
    if export.format == "zip":
        upload_answers.write_zip(export.campaign_id, part, export.leave_out_self_registered)
        return
    if export.format in ("sav", "dta"):
        statistical_files.write_statistical_file(
            export.format,
            export.campaign_id,
            export.language,
            export.leave_out_self_registered,
            part,
            progress=lambda done: _report(export.id, done),
        )
        return
    if export.format == "csv" and has_repeats(export.campaign_id):
        rows = _counted(
            export.id,
            exports.response_rows(
                export.campaign_id,
                export.labels,
                export.leave_out_self_registered,
                for_csv=True,
            ),
        )
        sheets = repeat_sheets(export.campaign_id, export.labels, export.leave_out_self_registered)
        with open(part, "wb") as output:
            stem = f"responses-{export.campaign_id}"
            output.write(repeat_exports.csv_zip(rows, sheets, stem, prepared=True).getvalue())
        return
    if export.format == "csv":
        rows = _counted(
            export.id,
            exports.response_rows(
                export.campaign_id,
                export.labels,
                export.leave_out_self_registered,
                for_csv=True,
            ),
        )
        with open(part, "w", encoding="utf-8", newline="") as output:
            for chunk in csv_chunks(rows, prepared=True):
                output.write(chunk)
        return
    exports.workbook(
        export.campaign_id,
        export.labels,
        export.leave_out_self_registered,
        export.language,
        target=part,
        passed_through=lambda rows: _counted(export.id, rows),
    )


# --- the sweep ----------------------------------------------------------------------------


@job("exports.resume", on_worker_start=True)
def resume_exports() -> int:
    """Queue again every export whose worker died (its claim ran out) or whose job was
    lost (queued longer than a claim lasts); returns how many."""
    now = utcnow()
    stale = list(
        db.session.scalars(
            select(ExportFile.id).where(
                or_(
                    (ExportFile.status == EXPORT_RUNNING) & (ExportFile.claimed_until < now),
                    (ExportFile.status == EXPORT_QUEUED)
                    & (ExportFile.created_at < now - timedelta(seconds=_claim_seconds())),
                )
            )
        )
    )
    db.session.commit()
    for export_id in stale:
        _queue(export_id)
    return len(stale)


@periodic_job(crontab(minute="*"), name="exports.sweep")
def sweep_exports() -> None:
    """Every minute: exports to run again, and expired files to delete."""
    resume_exports()
    delete_expired()


def delete_expired(now: datetime | None = None) -> int:
    """Delete expired files and their rows, failed exports as old, and files that no row
    names; returns how many rows went."""
    now = now or utcnow()
    hours = float(current_app.config.get("EXPORT_KEEP_HOURS") or 24)
    with write_transaction():
        gone = list(
            db.session.scalars(
                select(ExportFile).where(
                    or_(
                        (ExportFile.status == EXPORT_READY) & (ExportFile.expires_at <= now),
                        (ExportFile.status == EXPORT_FAILED)
                        & (ExportFile.created_at <= now - timedelta(hours=hours)),
                    )
                )
            )
        )
        expired_files = [export.file_name for export in gone if export.file_name]
        for export in gone:
            db.session.delete(export)
        known = {
            name
            for name in db.session.scalars(
                select(ExportFile.file_name).where(ExportFile.file_name.is_not(None))
            )
        }
        running = set(
            db.session.scalars(select(ExportFile.id).where(ExportFile.status == EXPORT_RUNNING))
        )
    folder = export_folder()
    for name in expired_files:
        (folder / name).unlink(missing_ok=True)
    settled = time.time() - 600  # a file renamed just now may wait for its row's commit
    for path in folder.glob("responses-*-*.*"):
        if path.name not in known and path.stat().st_mtime < settled:
            path.unlink(missing_ok=True)
    for path in folder.glob(".export-*.part"):
        export_id = path.name.split("-")[1]
        if not export_id.isdigit() or int(export_id) not in running:
            path.unlink(missing_ok=True)
    return len(gone)
