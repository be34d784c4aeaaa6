"""The audit log names people and objects, not ids: found in bulk, gracefully when they
were deleted since; filtered by who, action and date, and paged."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import event, select

from surveyapp.accounts import audit_log
from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Campaign, Municipality, User
from tests.plans import builtin_version


def _ids(app) -> tuple[int, int, int]:
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).order_by(Campaign.id))
        analyst_id = db.session.scalar(select(User.id).where(User.email == "analyst@example.org"))
        return campaign_id, builtin_version().id, analyst_id


def _record(app, action: str, target: str = "", user: str | None = None, at=None, **details):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == user)) if user else None
        db.session.add(
            AuditEvent(
                action=action,
                target=target,
                user_id=user_id,
                details=details or None,
                ip="127.0.0.1",
                **({"at": at} if at else {}),
            )
        )
        db.session.commit()


def _rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


@contextmanager
def _statements(app):
    """The SQL statements run on the app's database meanwhile."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_log_names_people_campaigns_versions_responses_places_and_roles(
    app, staff, make_user, make_response
):
    admin = staff("admin")
    make_user("analyst")
    campaign_id, version_id, analyst_id = _ids(app)
    response_id = make_response(municipality="mk-cair", role="mayor")
    _record(app, "campaign_changed", f"campaign:{campaign_id}", "analyst@example.org")
    _record(app, "published", f"version:{version_id}", "analyst@example.org")
    _record(
        app,
        "response_viewed",
        f"response:{response_id}",
        "analyst@example.org",
        campaign=campaign_id,
    )
    _record(
        app,
        "profile_viewed",
        f"campaign:{campaign_id}",
        "analyst@example.org",
        scope="mk-cair",
        role="mayor",
    )
    _record(app, "account_created", f"user:{analyst_id}", "admin@example.org", role="analyst")
    html = admin.client.get("/mk/staff/audit").get_data(as_text=True)
    rows = _rows(html)
    text = " ".join(rows)
    assert "City needs and priorities (demo)" in text  # the campaign's name
    assert "Локални потреби и приоритети" in text  # the version's title in Macedonian
    assert "Analyst" in text and "analyst@example.org" in text
    assert f"{response_id}, Чаир, Градоначалник" in text
    assert "Чаир" in rows[1] and "Градоначалник" in rows[1]  # the profile's scope and role
    assert "Аналитичар" in rows[0]  # a staff role, as the accounts page names it
    for raw in ("campaign:", "version:", "response:", "user:", "scope=", "mk-cair"):
        assert raw not in text, raw
    # Objects staff may open are linked.
    assert f'href="/mk/staff/campaigns/{campaign_id}"' in html
    assert f"/mk/staff/campaigns/{campaign_id}/responses/{response_id}" in html
    assert f'href="/mk/staff/questionnaires/{version_id}"' in html


def test_a_deleted_object_is_named_as_deleted_and_not_linked(app, staff):
    admin = staff("admin")
    _record(app, "export", "campaign:912345", "admin@example.org", format="xlsx")
    _record(app, "campaign_deleted", "campaign:912346", "admin@example.org", name="Spring test")
    _record(app, "published", "version:912347", "admin@example.org")
    _record(app, "response_deleted", "response:912348", "admin@example.org", campaign=912345)
    html = admin.client.get("/en/staff/audit").get_data(as_text=True)
    text = " ".join(_rows(html))
    assert "deleted campaign #912345" in text
    assert "deleted campaign “Spring test” (#912346)" in text
    assert "deleted questionnaire version #912347" in text
    assert "deleted response #912348" in text
    assert "/staff/campaigns/912345" not in html


def test_sign_ins_do_not_repeat_the_actor_and_failed_ones_stand_alone(app, staff):
    admin = staff("admin")  # signs in: "Admin signed in"
    _record(app, "login_failed", audit_log.NOT_AN_EMAIL, outcome="invalid")
    _record(app, "login_failed", "someone@example.org", outcome="throttled")
    rows = _rows(admin.client.get("/en/staff/audit").get_data(as_text=True))
    signed_in = next(row for row in rows if "signed in" in row and "nobody" not in row)
    assert signed_in.count("Admin") == 1, signed_in  # the name, once (the e-mail beside it)
    failed = [row for row in rows if "Failed sign-in" in row]
    assert len(failed) == 2 and all("nobody signed in" in row for row in failed)
    assert "Failed sign-in: not an e-mail address" in failed[1]
    assert "wrong e-mail address or password" in failed[1]
    assert "Failed sign-in: someone@example.org" in failed[0]
    assert "too many attempts for this account" in failed[0]


def test_names_are_found_in_bulk_not_per_row(app, staff, make_response):
    admin = staff("admin")
    campaign_id, version_id, _analyst = _ids(app)
    responses = [make_response(municipality=code) for code in ("mk-cair", "rs-nis")]

    def add(count: int) -> None:
        for i in range(count):
            _record(app, "export", f"campaign:{campaign_id}", "admin@example.org", scope="MK")
            _record(app, "published", f"version:{version_id}", "admin@example.org")
            _record(app, "response_viewed", f"response:{responses[i % 2]}", "admin@example.org")
            _record(app, "export", f"campaign:{900000 + i}", "admin@example.org")

    add(3)
    with _statements(app) as few:
        assert admin.client.get("/en/staff/audit").status_code == 200
    add(9)
    with _statements(app) as many:
        html = admin.client.get("/en/staff/audit").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) > 3 * 4
    assert sum("City needs and priorities (demo)" in row for row in rows) == 12
    assert sum(f"Response #{responses[1]}, Niš" in row for row in rows) == 5
    assert sum("deleted campaign #9000" in row for row in rows) == 12
    assert len(many) == len(few), "a query per row"
    assert len(few) <= 15


def test_filters_by_who_action_and_day_and_pages(app, staff, make_user):
    admin = staff("admin")
    make_user("analyst")
    campaign_id, _version, _analyst = _ids(app)
    start = datetime(2026, 3, 1, 12, 0)
    for i in range(120):
        _record(
            app,
            "export" if i % 2 else "response_viewed",
            f"campaign:{campaign_id}",
            "analyst@example.org" if i % 3 else "admin@example.org",
            at=start + timedelta(hours=i),
        )
    with app.app_context():
        analyst = db.session.scalar(select(User.id).where(User.email == "analyst@example.org"))

    def page(query: str) -> tuple[str, list[str]]:
        reply = admin.client.get(f"/en/staff/audit?{query}")
        assert reply.status_code == 200
        html = reply.get_data(as_text=True)
        return html, _rows(html)

    html, rows = page("")
    assert len(rows) == audit_log.PER_PAGE and "Page 1 of 3" in html and 'rel="next"' in html
    html, rows = page("page=3")
    assert 0 < len(rows) <= audit_log.PER_PAGE and 'rel="prev"' in html
    html, rows = page(f"user={analyst}&page=2")  # 80 of the 120 are the analyst's
    assert "Page 2 of 2" in html and len(rows) == 80 - audit_log.PER_PAGE
    html, rows = page(f"user={analyst}&action=export")  # 40 of them exports
    assert len(rows) == 40 and 'class="pager"' not in html
    assert all("Analyst" in row and "exported data" in row for row in rows)
    # Days are the staff's (Europe/Belgrade): 2 March from 00:00 to 24:00 local time.
    _html, rows = page("since=2026-03-02&until=2026-03-02&action=export")
    assert len(rows) == 12
    html, rows = page("user=abc&since=yesterday&action=%3Cscript%3E")
    assert "not understood" in html and "<script>" not in html
    html, rows = page("action=never_happened")
    assert rows == [] and "No entry matches these filters." in html


def test_a_campaigns_changes_show_dates_and_languages_in_the_pages_language(app, staff):
    admin = staff("admin")
    campaign_id, _version, _analyst = _ids(app)
    _record(
        app,
        "campaign_changed",
        f"campaign:{campaign_id}",
        "admin@example.org",
        changes={
            "closes_at": [None, "2027-06-30T00:00:00"],
            "languages": [None, ["mk", "sq"]],
            "min_group_size": [None, 7],
        },
    )
    text = " ".join(_rows(admin.client.get("/mk/staff/audit").get_data(as_text=True)))
    assert "30 јун. 2027 г." in text, text
    assert "Македонски, Shqip" in text
    assert "2027-06-30" not in text


def test_the_staff_home_names_the_actor_once(app, staff, make_response):
    admin = staff("admin")
    response_id = make_response(municipality="mk-cair", role="mayor")
    _record(app, "response_viewed", f"response:{response_id}", "admin@example.org")
    html = admin.client.get("/mk/staff/").get_data(as_text=True)
    items = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", html.split('class="activity"')[1], re.S)
    ]
    signed_in = next(item for item in items if "се најави" in item)
    assert signed_in.endswith("Admin се најави"), signed_in
    assert ": Admin" not in signed_in
    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.code == "mk-cair"))
        assert town.name("mk") == "Чаир"
    opened = next(item for item in items if "Чаир" in item)
    assert f"{response_id}, Чаир, Градоначалник" in opened


def test_every_recorded_action_has_words_for_people():
    """An action code written anywhere in the app reads as words on the staff home and in
    the audit log (a new action without a label would show its code)."""
    import re
    from pathlib import Path

    from surveyapp.web.review.activity_labels import ACTION_LABELS, ACTIONS_OF_NOBODY

    source = Path(__file__).resolve().parents[1] / "surveyapp"
    recorded = set()
    for path in source.rglob("*.py"):
        text = path.read_text()
        recorded |= set(re.findall(r"record_action\(\s*\"([a-z_]+)\"", text))
        recorded |= set(re.findall(r"\baction=\"([a-z_]+)\"", text))
        recorded |= set(re.findall(r"\baudit\.note\(\s*\"([a-z_]+)\"", text))
    assert recorded, "no recorded actions found: the search is broken"
    unlabelled = sorted(
        a for a in recorded if a not in ACTION_LABELS and a not in ACTIONS_OF_NOBODY
    )
    assert unlabelled == []
