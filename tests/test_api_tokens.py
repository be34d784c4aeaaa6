"""The token page: staff make a token for their own account, see it once, see their
tokens with their last use, and revoke one; all of it in the audit log."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import ApiToken, AuditEvent
from tests.api_support import bearer

PAGE = "/en/staff/account/api-tokens"


def _make(member, name="Power BI", scope="responses", lifetime="90"):
    return member.post_form(PAGE, {"name": name, "scope": scope, "lifetime": lifetime})


def test_a_new_token_is_shown_once_and_works(app, client, staff):
    analyst = staff("analyst")
    assert "API tokens" in client.get("/en/staff/account/password").get_data(as_text=True)
    reply = _make(analyst)
    assert reply.status_code == 201
    assert reply.headers["Cache-Control"] == "no-store"
    html = reply.get_data(as_text=True)
    secret = re.search(r'<code id="new-token">(sva_[^<]+)</code>', html).group(1)
    assert "shown only this once" in html
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.scope == "responses" and (token.expires_at - token.created_at).days == 90
    # Never again: the page lists the token by its first characters only.
    page = client.get(PAGE).get_data(as_text=True)
    assert secret not in page and token.prefix in page and "Never" in page
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 200
    page = client.get(PAGE).get_data(as_text=True)
    assert "Never" not in page


def test_a_token_is_revoked_from_the_page(app, client, staff):
    analyst = staff("analyst")
    html = _make(analyst, scope="profiles").get_data(as_text=True)
    secret = re.search(r'<code id="new-token">(sva_[^<]+)</code>', html).group(1)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    reply = analyst.post_form(f"{PAGE}/{token_id}/revoke", {}, form_page=PAGE)
    assert reply.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "was revoked" in page and "Revoked" in page
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 401
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "api_token_created" in actions and "api_token_revoked" in actions


def test_nobody_revokes_another_ones_token(app, client, staff, make_user):
    from tests.api_support import make_token

    secret = make_token(app, "analyst", "profiles", email="someone@example.org")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    admin = staff("admin")
    assert admin.post_form(f"{PAGE}/{token_id}/revoke", {}, form_page=PAGE).status_code == 303
    assert client.get("/api/v1/campaigns", headers=bearer(secret)).status_code == 200


def test_a_bad_token_form_says_what_to_fix_and_makes_nothing(app, client, staff):
    analyst = staff("analyst")
    for data, message in (
        ({"name": "", "scope": "profiles", "lifetime": "90"}, "Please give the token a name"),
        ({"name": "x" * 81, "scope": "profiles", "lifetime": "90"}, "at most 80"),
        ({"name": "R", "scope": "everything", "lifetime": "90"}, "choose what the token"),
        ({"name": "R", "scope": "profiles", "lifetime": "3650"}, "how long the token"),
    ):
        reply = analyst.post_form(PAGE, data)
        assert reply.status_code == 200 and message in reply.get_data(as_text=True), data
    with app.app_context():
        assert db.session.scalar(select(ApiToken.id)) is None


def test_the_token_page_speaks_the_staff_members_language(app, client, staff):
    staff("translator")
    html = client.get("/mk/staff/account/api-tokens").get_data(as_text=True)
    assert "Создајте токен" in html and "Create token" not in html


def test_the_audit_log_says_who_read_what_through_the_api(app, client, staff):
    from tests.api_support import make_token

    secret = make_token(app, "analyst", "profiles", email="reader@example.org")
    client.get("/api/v1/municipalities?country=AL", headers=bearer(secret))
    staff("admin")
    html = client.get("/en/staff/audit?action=api_request").get_data(as_text=True)
    assert "read data through the API" in html and "Analyst" in html
