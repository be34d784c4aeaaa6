"""A database restart drops every pooled connection: the next requests, the
respondent's and the staff's, still succeed (PostgreSQL; a SQLite file has no
connection to lose)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select

from config import normalise_database_url
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")


def _drop_every_other_connection() -> int:
    """What a server restart does to the application's pooled connections."""
    url = normalise_database_url(PG_URL).replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_pages_survive_dropped_connections(app, client, respondent, staff):
    person = respondent()
    assert person.consent().status_code == 303
    assert person.get("/p/1").status_code == 200
    admin = staff("admin")  # (signing in renews the session: fetch pages to post again)
    assert client.get("/en/staff/").status_code == 200

    assert _drop_every_other_connection() >= 1
    # The respondent's read finds its connection gone and reads again on a new one.
    page = person.get("/p/1")
    assert page.status_code == 200

    assert _drop_every_other_connection() >= 1
    # A save, after the same: nothing typed is lost.
    saved = person.post("/p/1", {"action": "later"}, page.get_data(as_text=True))
    assert saved.status_code == 303 and saved.location.endswith("/saved")

    assert _drop_every_other_connection() >= 1
    # The staff's pages use the ORM session, whose connections are checked before use.
    assert admin.client.get("/en/staff/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "in_progress"
