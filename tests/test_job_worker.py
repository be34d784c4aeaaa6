"""The worker tier: ``flask worker`` processes against the embedded queue (a SQLite file)
and against Redis (when TEST_REDIS_URL or REDIS_URL is set; CI sets it), sending through
a real SMTP server; and a worker killed with SIGKILL in the middle of a batch of 500."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.mail.outbox import queue_mail
from surveyapp.models import OutboundMail

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")


def _queue_url(kind: str, tmp_path: Path) -> str:
    if kind == "redis":
        if not REDIS_URL:
            pytest.skip(
                "set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to test the Redis queue"
            )
        return REDIS_URL
    return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(app, *args: str, **env: str) -> subprocess.Popen:
        config = app.config
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FLASK_", "MAIL_", "JOB_", "DATABASE_URL"))
        }
        environ.update(
            PYTHONPATH=str(ROOT),
            SECRET_KEY=uuid.uuid4().hex * 2,
            DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
            JOB_QUEUE_URL=config["JOB_QUEUE_URL"],
            JOB_QUEUE_NAME=config["JOB_QUEUE_NAME"],
            MAIL_SERVER=str(config["MAIL_SERVER"]),
            MAIL_PORT=str(config["MAIL_PORT"]),
            MAIL_SENDER=config["MAIL_SENDER"],
            MAIL_RATE_PER_MINUTE=str(config["MAIL_RATE_PER_MINUTE"]),
            MAIL_CLAIM_SECONDS=str(config["MAIL_CLAIM_SECONDS"]),
            MAIL_BATCH_SIZE=str(config["MAIL_BATCH_SIZE"]),
            **env,
        )
        with open(tmp_path / f"worker-{len(started)}.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "surveyapp", "worker", *args],
                env=environ,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(10)


@pytest.fixture
def worker_app(app_with, smtp_server, tmp_path):
    """Factory: an app whose queue (SQLite file or Redis) worker processes share, with a
    name of its own (its Redis keys), flushed afterwards."""
    made = []

    def make(backend: str, **overrides):
        config = {
            **smtp_server.config(),
            "JOB_QUEUE_URL": _queue_url(backend, tmp_path),
            "JOB_QUEUE_NAME": f"surveyapp_test_{uuid.uuid4().hex[:10]}",
            "MAIL_RATE_PER_MINUTE": 0,
            "MAIL_CLAIM_SECONDS": 120,
            "MAIL_BATCH_SIZE": 50,
        }
        app = app_with(**{**config, **overrides})
        made.append(app)
        return app

    yield make
    for app in made:
        queue.huey_for(app).flush()


def _queue_mails(app, count: int) -> None:
    with app.app_context(), write_transaction():
        for n in range(count):
            queue_mail(
                kind="invitation",
                to_address=f"m{n:04d}@example.org",
                to_name=f"Municipality {n}",
                language="en",
                subject=f"Invitation {n}",
                text_body="Please answer.",
            )


def _count(app, status: str | None = None) -> int:
    with app.app_context():
        query = select(func.count(OutboundMail.id))
        if status:
            query = query.where(OutboundMail.status == status)
        result = db.session.scalar(query)
        db.session.remove()
        return int(result or 0)


def _wait_for(condition: Callable[[], bool], seconds: float, what: str, process=None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker stopped (exit {process.returncode}) before {what}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_worker_process_sends_what_the_app_queued(worker_app, smtp_server, start_worker, backend):
    app = worker_app(backend)
    worker = start_worker(app, "-w", "2")
    _queue_mails(app, 30)  # the commit queues a delivery on the shared queue
    _wait_for(lambda: _count(app, "sent") == 30, 60, "30 mails sent", worker)
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        f"m{n:04d}@example.org" for n in range(30)
    ]
    # a mail queued while the worker runs goes out too, then SIGINT stops it cleanly
    _queue_mails(app, 1)
    _wait_for(lambda: len(smtp_server.received) == 31, 30, "one more mail", worker)
    worker.send_signal(signal.SIGINT)
    assert worker.wait(30) == 0


def test_mail_queued_while_no_worker_ran_goes_out_when_one_starts(
    worker_app, smtp_server, start_worker
):
    app = worker_app("sqlite")
    _queue_mails(app, 5)
    queue.huey_for(app).flush()  # as if the queue had lost the job (the row is still due)
    worker = start_worker(app, "-w", "1")
    _wait_for(lambda: _count(app, "sent") == 5, 60, "5 mails sent", worker)


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(
    worker_app, smtp_server, start_worker
):
    """500 mails; the first worker (2 threads) is killed with SIGKILL after about a third;
    a second finishes. Every mail arrives; a mail arrives twice only if the killed worker
    was handing it over when it died (at most one per thread: see the README)."""
    app = worker_app("sqlite", MAIL_CLAIM_SECONDS=4)
    _queue_mails(app, 500)
    first = start_worker(app, "-w", "2")
    _wait_for(lambda: len(smtp_server.received) >= 150, 120, "150 mails received", first)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = time.time()
    time.sleep(0.2)  # a message the server was still reading
    received_before = smtp_server.message_ids()
    assert 150 <= sum(received_before.values()) < 500, "killed in the middle"
    with app.app_context():
        in_flight = db.session.scalar(
            select(func.count(OutboundMail.id)).where(OutboundMail.status == "sending")
        )
        db.session.remove()
    assert in_flight > 0, "the killed worker held claims"

    second = start_worker(app, "-w", "2")
    _wait_for(lambda: _count(app, "sent") == 500, 180, "all 500 mails sent", second)
    second.send_signal(signal.SIGINT)
    second.wait(30)

    with app.app_context():
        expected = set(db.session.scalars(select(OutboundMail.message_id)))
    received = smtp_server.message_ids()
    assert set(received) == expected, "every mail arrived"
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    assert all(n == 2 for n in duplicates.values())
    assert len(duplicates) <= 2, f"at most one per thread of the killed worker: {duplicates}"
    # each one was first received before the kill: it was being handed over when it died
    for mid in duplicates:
        assert received_before[mid] == 1, mid
        first_at = min(r.at for r in smtp_server.received if r.message_id == mid)
        assert first_at <= killed_at
