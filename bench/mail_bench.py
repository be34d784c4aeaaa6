"""Benchmark of mail delivery: the sending rate of ``flask worker`` processes to a
local SMTP server (aiosmtpd on 127.0.0.1), with 1 and 2 worker threads.

    .venv/bin/python bench/mail_bench.py                 # 1,000 mails per run, SQLite
    .venv/bin/python bench/mail_bench.py --mails 3000
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/mail_bench.py   # PostgreSQL too

For each database and worker count: a fresh database (Alembic, built-in content),
``--mails`` mails queued in one transaction (``queue_mail``, timed: the outbox's side
of "queue invitations for 2,000 contacts"), then a worker process started on the
embedded queue (a SQLite file) and timed until every mail is recorded as sent. The
rate counts from the first message the SMTP server received to the last, so the
worker's start-up (about a second) is left out; the whole time is printed too.
Each mail is its own committed outcome with its audit event (see
surveyapp/mail/delivery.py), as in production. No rate limit (MAIL_RATE_PER_MINUTE=0).

Target: at least 50 mails a second. The machine is shared (``load`` is printed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

TARGET = 50.0


def queue_mails(app, count: int) -> float:
    from surveyapp.core.database import write_transaction
    from surveyapp.mail.outbox import queue_mail

    started = time.perf_counter()
    with app.app_context(), write_transaction():
        for n in range(count):
            queue_mail(
                kind="invitation",
                to_address=f"mayor{n:05d}@municipality.example.org",
                to_name=f"Mayor {n}",
                language="sq",
                subject="Ftesë: nevojat dhe prioritetet e bashkisë",
                text_body="Të nderuar,\n\nJu ftojmë të plotësoni pyetësorin: https://hub.example.org/sq/r/x\n",
                html_body='<p>Të nderuar,</p><p><a href="https://hub.example.org/sq/r/x">Pyetësori</a></p>',
                unsubscribe_url="https://hub.example.org/unsubscribe/x",
            )
    return time.perf_counter() - started


def sent(app) -> int:
    from surveyapp.extensions import db

    with app.app_context():
        value = db.session.execute(
            db.text("SELECT count(*) FROM outbound_mail WHERE status = 'sent'")
        ).scalar()
        db.session.remove()
    return int(value or 0)


def run(url: str, workers: int, mails: int, folder: Path) -> dict:
    from tests.smtp_server import SmtpServer

    common.prepare_database(url)
    queue_url = f"sqlite:///{folder / f'jobs-{workers}.sqlite3'}"
    os.environ.update(JOB_QUEUE_URL=queue_url, MAIL_RATE_PER_MINUTE="0")
    app = common.make_app(url)
    app.config.update(JOB_QUEUE_URL=queue_url, JOB_QUEUE_NAME=f"bench{workers}")
    queued = queue_mails(app, mails)
    server = SmtpServer()
    server.controller.start()
    env = {
        **os.environ,
        **server.env(),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": url,
        "JOB_QUEUE_URL": queue_url,
        "JOB_QUEUE_NAME": f"bench{workers}",
        "SECRET_KEY": common.SECRET_KEY,
        "MAIL_RATE_PER_MINUTE": "0",
        "MAIL_SENDER": "Western Balkans Hub <hub@example.org>",
    }
    started = time.perf_counter()
    with open(folder / f"worker-{workers}.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "surveyapp", "worker", "-w", str(workers)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 600
        while sent(app) < mails and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        total = time.perf_counter() - started
        done = sent(app)
    finally:
        worker.terminate()
        worker.wait(30)
        server.controller.stop()
    received = server.received
    span = (received[-1].at - received[0].at) if len(received) > 1 else float("nan")
    return {
        "database": common.database_label(url),
        "workers": workers,
        "mails": mails,
        "sent": done,
        "received": len(received),
        "queue_seconds": queued,
        "total_seconds": total,
        "rate": (len(received) - 1) / span if span and span == span else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {common.machine()}, load: {os.getloadavg()}")
    urls = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = []
        for workers in (1, 2):
            urls = [f"sqlite:///{folder / f'mail-{workers}.sqlite3'}"]
            for url in urls:
                results.append(run(url, workers, args.mails, folder))
        if os.environ.get("TEST_DATABASE_URL"):
            for workers in (1, 2):
                with common.postgres_database(
                    os.environ["TEST_DATABASE_URL"], f"mail_bench_{workers}"
                ) as pg:
                    results.append(run(pg, workers, args.mails, folder))
    for r in results:
        verdict = "ok" if r["rate"] >= TARGET and r["sent"] == r["mails"] else "BELOW TARGET"
        print(
            f"{r['database']:<10} workers={r['workers']}"
            f"  queued {r['mails']} in {r['queue_seconds']:.2f} s"
            f"  sent {r['sent']}/{r['mails']} (server got {r['received']})"
            f"  in {r['total_seconds']:.1f} s with start-up"
            f"  rate {r['rate']:.0f} mails/s  [{verdict}: target >= {TARGET:.0f}/s]"
        )
    print(f"load afterwards: {os.getloadavg()}")


if __name__ == "__main__":
    main()
