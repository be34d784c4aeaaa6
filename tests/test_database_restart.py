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


def test_every_kind_of_request_survives_dropped_connections(app, client, respondent, staff):
    """Each request below is the first after the server dropped every connection."""
    from tests.conftest import csrf_token
    from tests.plans import answer_plan, builtin_version

    with app.app_context():
        plans = answer_plan(builtin_version())
        from surveyapp.models import Campaign

        campaign_id, open_token = db.session.execute(select(Campaign.id, Campaign.open_token)).one()
    analyst = staff("analyst")  # (signing in renews the session: fetch pages after it)
    person = respondent()
    start = person.get().get_data(as_text=True)
    staff_pages = [
        "/en/staff/",
        f"/en/staff/campaigns/{campaign_id}",
        f"/en/staff/campaigns/{campaign_id}/profile",
        "/en/staff/questionnaires",
    ]
    for path in staff_pages:
        assert _drop_every_other_connection() >= 1
        assert analyst.client.get(path).status_code == 200, path

    # The respondent's POSTs, each the first request after a drop.
    assert _drop_every_other_connection() >= 1
    assert person.post("/consent", {"action": "accept"}, start).status_code == 303
    for number, plan in enumerate(plans, start=1):
        html = person.get(f"/p/{number}").get_data(as_text=True)
        assert _drop_every_other_connection() >= 1
        saved = person.post(f"/p/{number}", {**plan.form, "action": "next"}, html)
        assert saved.status_code == 303, number
    review = person.get("/review").get_data(as_text=True)
    assert _drop_every_other_connection() >= 1
    assert person.post("/submit", {}, review).status_code == 303

    # Open-link registration and a staff POST.
    form = client.get(f"/mk/o/{open_token}?country=MK").get_data(as_text=True)
    assert _drop_every_other_connection() >= 1
    made = client.post(
        f"/mk/o/{open_token}",
        data={"csrf_token": csrf_token(form), "country": "MK", "municipality": "mk-cair",
              "role": "mayor"},
    )  # fmt: skip
    assert made.status_code == 303
    page = analyst.client.get("/en/staff/questionnaires").get_data(as_text=True)
    assert _drop_every_other_connection() >= 1
    created = analyst.client.post(
        "/en/staff/questionnaires",
        data={"csrf_token": csrf_token(page), "name": "after_restart", "title": "After"},
    )
    assert created.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Response.status)) == "submitted"
