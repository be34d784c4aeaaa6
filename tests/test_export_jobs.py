"""Large exports run on the job queue: staff start one, watch its progress (a page that
refreshes itself, and a script), download the file when it is ready (password asked
again, audited, formulas defused); files are listed per campaign and deleted when they
expire; a worker killed in the middle leaves no half-written file and the export is run
again."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.models import AuditEvent, Campaign, ExportFile
from surveyapp.models.base import utcnow
from surveyapp.responses import export_files
from tests.conftest import Staff

ROOT = Path(__file__).resolve().parents[1]
FORMULA = "=HYPERLINK(1)"


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _page(app, lang: str = "en") -> str:
    return f"/{lang}/staff/campaigns/{_campaign_id(app)}/export"


def _export_row(app, export_id: int | None = None) -> ExportFile | None:
    with app.app_context():
        query = select(ExportFile).order_by(ExportFile.id.desc())
        if export_id is not None:
            query = query.where(ExportFile.id == export_id)
        row = db.session.scalars(query).first()
        db.session.remove()
        return row


def _actions(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def queued(app, tmp_path):
    """Every CSV and XLSX export of ``app`` goes to the queue; files under tmp_path."""
    app.config.update(EXPORT_DIRECT_MAX_ROWS=0, EXPORT_DIR=str(tmp_path / "exports"))
    return app


def _start(analyst, app, **form) -> str:
    choice = {"format": "csv", "values": "labels", "language": "mk", **form}
    reply = analyst.post_form(_page(app), choice)
    assert reply.status_code == 303, reply.status_code
    assert "/exports/" in reply.location
    return reply.location


def test_a_large_export_is_a_job_with_progress_then_a_download(queued, staff, make_response):
    app = queued
    make_response(municipality="mk-bitola", good_practice=FORMULA)
    make_response(municipality="mk-ohrid", variant=1)
    analyst = staff("analyst")
    job_page = _start(analyst, app)
    export = _export_row(app)
    assert export.status == "queued" and export.rows_total == 2
    (started,) = _actions(app, "export")
    assert started.details["export_file"] == export.id and started.details["format"] == "csv"

    waiting = analyst.client.get(job_page).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in waiting, "refreshes itself without JS"
    assert 'src="/static/export_progress.js"' in waiting and "<progress" in waiting
    assert "Waiting for a worker." in waiting
    status = analyst.client.get(job_page + "/status.json").get_json()
    assert status == {
        "status": "queued",
        "percent": 0,
        "rows_done": 0,
        "rows_total": 2,
        "page": job_page,
    }
    listed = analyst.client.get(_page(app)).get_data(as_text=True)
    assert job_page in listed, "the export page lists it"
    assert analyst.client.get(job_page + "/download").status_code == 404, "not ready yet"

    assert queue.run_pending(app) == 1
    ready = analyst.client.get(job_page).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in ready and "export_progress.js" not in ready
    assert job_page + "/download" in ready
    assert analyst.client.get(job_page + "/status.json").get_json()["percent"] == 100
    with analyst.client.get(job_page + "/download") as reply:
        assert reply.status_code == 200 and reply.mimetype == "text/csv"
        assert "filename=responses-" in reply.headers["Content-Disposition"]
        text = reply.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["municipality"] for row in rows] == ["Битола", "Охрид"]
    assert rows[0]["good_practice"] == "'" + FORMULA, "formulas defused as in every export"
    (downloaded,) = _actions(app, "export_download")
    assert downloaded.details["export_file"] == export.id
    assert downloaded.target == f"campaign:{_campaign_id(app)}"


def test_downloading_a_file_asks_for_the_password_again_after_a_while(
    queued, client, make_user, make_response
):
    app = queued
    make_response()
    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    job_page = _start(member, app, format="xlsx")
    queue.run_pending(app)
    with client.session_transaction() as session:
        session["reauth_at"] = time.time() - app.config["STAFF_REAUTH_MAX_AGE"] - 1
    asked = client.get(job_page + "/download")
    assert asked.status_code == 303 and "/en/staff/confirm" in asked.location
    assert _actions(app, "export_download") == []
    assert client.get(job_page).status_code == 200, "the progress holds no answers"


def test_files_are_kept_for_the_configured_time_then_deleted(queued, staff, make_response):
    app = queued
    app.config["EXPORT_KEEP_HOURS"] = 2
    make_response()
    analyst = staff("analyst")
    job_page = _start(analyst, app, format="xlsx")
    queue.run_pending(app)
    export = _export_row(app)
    assert export.status == "ready"
    assert timedelta(hours=2) - (export.expires_at - export.finished_at) < timedelta(seconds=1)
    folder = Path(app.config["EXPORT_DIR"])
    assert (folder / export.file_name).is_file()
    with app.app_context():
        assert export_files.delete_expired(utcnow()) == 0, "not yet"
        assert export_files.delete_expired(utcnow() + timedelta(hours=2, minutes=1)) == 1
    assert not (folder / export.file_name).exists()
    assert _export_row(app) is None
    assert analyst.client.get(job_page).status_code == 404
    assert job_page not in analyst.client.get(_page(app)).get_data(as_text=True)


def test_the_sweep_is_a_periodic_job_and_runs_exports_whose_job_was_lost(queued, staff):
    from surveyapp.jobs.registry import JOBS

    app = queued
    assert JOBS["exports.sweep"].schedule is not None
    assert JOBS["exports.resume"].on_worker_start
    analyst = staff("analyst")
    _start(analyst, app, format="sav")
    queue.huey_for(app).flush()  # as if the queue had lost the job
    with app.app_context(), write_transaction():
        db.session.execute(
            ExportFile.__table__.update().values(created_at=utcnow() - timedelta(minutes=5))
        )
    with app.app_context():
        export_files.sweep_exports()
    assert queue.run_pending(app) == 1
    assert _export_row(app).status == "ready"


def test_an_export_that_keeps_failing_is_retried_then_marked_failed(queued, staff, monkeypatch):
    from surveyapp.jobs.registry import JOBS

    app = queued
    limit = app.config["EXPORT_MAX_ATTEMPTS"]
    assert JOBS["exports.write_file"].retries == limit - 1, "the queue retries it"
    analyst = staff("analyst")
    job_page = _start(analyst, app, format="dta")
    export_id = _export_row(app).id

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export_files.statistical_files, "write_statistical_file", broken)
    for attempt in range(1, limit + 1):
        with app.app_context(), pytest.raises(OSError):
            export_files.write_export(export_id)
        expected = "failed" if attempt == limit else "queued"
        assert _export_row(app, export_id).status == expected
    assert _export_row(app, export_id).attempts == limit
    assert list(Path(app.config["EXPORT_DIR"]).iterdir()) == [], "no file, not even a part"
    page = analyst.client.get(job_page).get_data(as_text=True)
    assert "Failed. Please start the export again" in page


# --- a worker killed in the middle -----------------------------------------------------------


def _start_worker(app, tmp_path: Path, name: str) -> subprocess.Popen:
    config = app.config
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "MAIL_", "JOB_", "EXPORT_", "DATABASE_URL"))
    }
    environ.update(
        PYTHONPATH=str(ROOT),
        SECRET_KEY=uuid.uuid4().hex * 2,
        DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
        JOB_QUEUE_URL=config["JOB_QUEUE_URL"],
        JOB_QUEUE_NAME=config["JOB_QUEUE_NAME"],
        EXPORT_DIR=config["EXPORT_DIR"],
        EXPORT_CLAIM_SECONDS=str(config["EXPORT_CLAIM_SECONDS"]),
        EXPORT_PROGRESS_SECONDS=str(config["EXPORT_PROGRESS_SECONDS"]),
    )
    with open(tmp_path / f"{name}.log", "wb") as log:  # the worker keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "surveyapp", "worker", "-w", "1"]
            + ["--no-periodic"],
            env=environ,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_for(condition, seconds: float, what: str, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker stopped (exit {process.returncode}) before {what}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_worker_killed_mid_export_leaves_no_half_file_and_the_export_runs_again(
    app_with, tmp_path, fmt
):
    from openpyxl import load_workbook

    from surveyapp.demo.seed import seed_demo

    app = app_with(
        JOB_QUEUE_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        JOB_QUEUE_NAME=f"exports_{uuid.uuid4().hex[:8]}",
        EXPORT_DIR=str(tmp_path / "exports"),
        EXPORT_CLAIM_SECONDS=2,
        EXPORT_PROGRESS_SECONDS=0.02,
    )
    with app.app_context():
        campaign_id = seed_demo(1500, seed=3).id
        export_id = export_files.start_export(campaign_id, fmt, "mk", "mk", False, None).id
        total = db.session.get(ExportFile, export_id).rows_total
        db.session.remove()
    assert total > 1000
    folder = Path(app.config["EXPORT_DIR"])
    workers = []
    try:
        first = _start_worker(app, tmp_path, "first")
        workers.append(first)

        def half_way() -> bool:
            row = _export_row(app, export_id)
            return row.status == "running" and 0 < row.rows_done < total // 2

        _wait_for(half_way, 120, "the export half-way", first)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        row = _export_row(app, export_id)
        assert row.status == "running" and row.rows_done < total, "killed in the middle"
        assert list(folder.glob("responses-*")) == [], "no file under the name it is served by"
        # XlsxWriter keeps the rows in anonymous temporary files until it writes the
        # workbook, so there may be no temporary file of ours yet; a CSV has one
        parts = list(folder.glob(".export-*.part"))
        assert len(parts) == (1 if fmt == "csv" else len(parts)) and len(parts) <= 1

        time.sleep(app.config["EXPORT_CLAIM_SECONDS"] + 0.5)  # the dead worker's claim runs out
        second = _start_worker(app, tmp_path, "second")
        workers.append(second)
        _wait_for(lambda: _export_row(app, export_id).status == "ready", 180, "ready", second)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
            worker.wait(10)
    row = _export_row(app, export_id)
    assert row.attempts == 2
    assert list(folder.glob(".export-*.part")) == [], "the leftover was deleted"
    (path,) = folder.glob("responses-*")
    assert path.name == row.file_name and path.stat().st_size == row.size
    if fmt == "xlsx":
        workbook = load_workbook(path, read_only=True)
        lines = workbook["responses"].max_row
        workbook.close()
    else:
        lines = len(list(csv.reader(io.StringIO(path.read_text("utf-8-sig")))))
    assert lines == total + 1, "the header and every response, once"
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportFile.id))) == 1
