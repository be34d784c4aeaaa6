"""Benchmark of the read-only API: one page of 500 responses, as Power BI asks for it.

    .venv/bin/python bench/api_bench.py                  # SQLite
    TEST_DATABASE_URL=postgresql://... .venv/bin/python bench/api_bench.py   # PostgreSQL too

A fresh database (Alembic, built-in content) with the demo campaign of 2,000 submitted
responses (``demo.seed.seed_demo``), a token of an analyst, then
``GET /api/v1/responses?campaign=..&per_page=500&page=2`` through the app in this
process (Werkzeug's test client: the app's own cost, no server or network), timed as
the median of several requests: JSON with codes, JSON with labels in Macedonian, CSV;
and a refresh that finds nothing new (If-None-Match: 304). Every request is checked
(status, 500 rows) and is in the audit log, as in use. Responses per second is 500
divided by the median time of one page.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "bench")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import common  # noqa: E402  (needs the paths above)

RESPONSES = 2000
PER_PAGE = 500
REPEAT = 7


def bench(url: str) -> dict[str, float]:
    from sqlalchemy import select

    from surveyapp.accounts import users
    from surveyapp.api_access import tokens
    from surveyapp.demo.seed import seed_demo
    from surveyapp.extensions import db

    common.prepare_database(url)
    app = common.make_app(url)
    app.config["API_TOKEN_LIMITS"] = "100000 per minute"
    with app.app_context():
        campaign = seed_demo(RESPONSES)
        campaign_id = campaign.id
        user = users.create_user("bench@example.org", "correct horse battery", "analyst")
        secret = tokens.create_token(user, "bench", "responses", 30).secret
        db.session.remove()
    common.analyze(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/responses?campaign={campaign_id}&per_page={PER_PAGE}&page=2"

    def page(query: str = "", extra: dict | None = None, status: int = 200):
        def get():
            reply = client.get(base + query, headers={**headers, **(extra or {})})
            assert reply.status_code == status, (reply.status_code, reply.get_data()[:300])
            if status == 200 and "format=csv" not in query:
                assert len(reply.get_json()["responses"]) == PER_PAGE
            return reply

        return get

    etag = page()().headers["ETag"]
    result = {
        "json": common.median_time(page(), REPEAT),
        "json_mk": common.median_time(page("&labels=mk"), REPEAT),
        "csv": common.median_time(page("&format=csv"), REPEAT),
        "not_modified": common.median_time(page("", {"If-None-Match": etag}, 304), REPEAT),
    }
    with app.app_context():
        from surveyapp.models import AuditEvent

        logged = db.session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "api_request")
        ).all()
        assert len(logged) == 1 + 4 * REPEAT, len(logged)
        db.session.remove()
        db.engine.dispose()
    return result


def main() -> int:
    urls = [f"sqlite:///{tempfile.mkdtemp(prefix='api-bench-')}/api.sqlite3"]
    if os.environ.get("TEST_DATABASE_URL"):
        urls.append(os.environ["TEST_DATABASE_URL"])
    print(f"API: one page of {PER_PAGE} responses (of {RESPONSES}), median of {REPEAT}")
    print(f"{'database':<11} {'kind':<22} {'seconds':>8} {'responses/s':>12}")
    for url in urls:
        label = common.database_label(url)
        for kind, seconds in bench(url).items():
            rate = "" if kind == "not_modified" else f"{PER_PAGE / seconds:,.0f}"
            name = {
                "json": "JSON, codes",
                "json_mk": "JSON, labels (mk)",
                "csv": "CSV, codes",
                "not_modified": "refresh, nothing new (304)",
            }[kind]
            print(f"{label:<11} {name:<22} {seconds:>8.3f} {rate:>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
