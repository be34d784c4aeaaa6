"""Benchmark of outreach: queueing invitations for 2,000 contacts (issue #15's target: < 2 s).

    .venv/bin/python bench/outreach_bench.py                  # SQLite
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/outreach_bench.py   # PostgreSQL too

A fresh database (Alembic, built-in content, the demo campaign), 2,000 contacts spread
over every municipality, role and language, then ``outreach.sending.send_invitations``
timed as staff press "Send": the plan (who, in which language, who is left out), one
personal link per contact, each mail written from the campaign's texts and queued in the
outbox, all in one transaction. Nothing is sent (that is bench/mail_bench.py).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

CONTACTS = 2000
TARGET_SECONDS = 2.0
LANGUAGES = ("sq", "bs", "mk", "sr", "cnr", "hr", "en")
ROLES = ("mayor", "deputy_mayor", "councillor", "municipal_staff")


def bench(url: str) -> float:
    from sqlalchemy import func, select

    from surveyapp.core.database import write_transaction
    from surveyapp.extensions import db
    from surveyapp.models import Campaign, Municipality, OutboundMail
    from surveyapp.models.outreach import Contact
    from surveyapp.outreach import sending
    from surveyapp.outreach.audit import Actor
    from surveyapp.outreach.facts import Selection

    common.prepare_database(url)
    app = common.make_app(url)
    app.config["PUBLIC_URL"] = "https://survey.example.org"
    with app.app_context():
        towns = db.session.scalars(select(Municipality.id).order_by(Municipality.id)).all()
        with write_transaction():
            db.session.add_all(
                Contact(
                    municipality_id=towns[i % len(towns)],
                    name=f"Contact {i}",
                    role=ROLES[i % len(ROLES)],
                    email=f"contact{i}@example.org",
                    language=LANGUAGES[i % len(LANGUAGES)],
                    opt_out_token=secrets.token_urlsafe(24),
                )
                for i in range(CONTACTS)
            )
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        started = time.perf_counter()
        plan = sending.send_invitations(campaign_id, Selection(), Actor(None, "127.0.0.1"))
        seconds = time.perf_counter() - started
        queued = db.session.scalar(select(func.count()).select_from(OutboundMail))
        if queued != CONTACTS or len(plan.mails) != CONTACTS:
            raise SystemExit(f"queued {queued} mails for {CONTACTS} contacts")
        db.engine.dispose()
    return seconds


def main() -> int:
    urls = [f"sqlite:///{tempfile.mkdtemp()}/outreach.sqlite3"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(common.normalise_url(os.environ["TEST_DATABASE_URL"]))
    print(f"machine: {common.machine()}, load: {os.getloadavg()}")
    worst = 0.0
    for url in urls:
        seconds = bench(url)
        worst = max(worst, seconds)
        verdict = "ok" if seconds < TARGET_SECONDS else "SLOWER than"
        print(
            f"{common.database_label(url):<10} queue invitations for {CONTACTS} contacts: "
            f"{seconds:.2f} s  [{verdict} target < {TARGET_SECONDS:.0f} s]"
        )
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
