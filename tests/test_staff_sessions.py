"""Staff sessions end when they should: sign-out, absolute lifetime, password
change; the most sensitive actions ask for the password again (#13 finding 3)."""

from __future__ import annotations

import time

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Campaign, User
from tests.conftest import PASSWORD, Staff

NEW_PASSWORD = "quiet lantern over Ohrid"


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def test_a_cookie_copied_before_sign_out_no_longer_downloads_responses(app, client, make_user):
    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    csv = f"/en/staff/campaigns/{_campaign_id(app)}/responses.csv"
    copied = client.get_cookie("session").value
    assert client.get(csv).status_code == 200
    member.post_form("/en/staff/logout", {}, form_page="/en/staff/")

    thief = app.test_client()
    thief.set_cookie("session", copied)
    refused = thief.get(csv)
    assert refused.status_code == 302 and "/staff/login" in refused.location


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(app, client, make_user):
    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    assert client.get("/en/staff/").status_code == 200
    lifetime = app.config["STAFF_SESSION_MAX_AGE"]
    with client.session_transaction() as session:
        session["login_at"] = time.time() - lifetime - 1
    assert client.get("/en/staff/").status_code == 302


def test_a_session_without_its_login_time_is_not_accepted(app, client, make_user):
    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    with client.session_transaction() as session:
        session.pop("login_at", None)
    assert client.get("/en/staff/").status_code == 302


def test_staff_change_their_password_with_the_current_one(app, client, make_user):
    email = make_user("translator")
    member = Staff(client, email)
    assert member.login().status_code == 303
    elsewhere = app.test_client()
    assert Staff(elsewhere, email).login().status_code == 303
    url = "/en/staff/account/password"

    wrong = member.post_form(
        url,
        {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    assert "current password is not correct" in wrong.get_data(as_text=True)
    mismatch = member.post_form(
        url, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert "do not match" in mismatch.get_data(as_text=True)
    weak = member.post_form(url, {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert "at least 12 characters" in weak.get_data(as_text=True)
    with app.app_context():
        from werkzeug.security import check_password_hash

        user = db.session.scalar(select(User).where(User.email == email))
        assert check_password_hash(user.password_hash, PASSWORD)

    changed = member.post_form(
        url, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert changed.status_code == 303
    assert client.get("/en/staff/").status_code == 200  # this session goes on
    assert elsewhere.get("/en/staff/").status_code == 302  # every other one ended
    client.post("/en/staff/logout")
    assert Staff(app.test_client(), email).login(password=NEW_PASSWORD).status_code == 303


def _status(client, url: str) -> int:
    with client.get(url) as reply:  # closes the file of a download
        return reply.status_code


def test_raw_responses_ask_for_the_password_again_after_a_while(app, client, make_user):
    member = Staff(client, make_user("analyst"))
    assert member.login().status_code == 303
    for suffix in ("responses.csv", "responses.xlsx"):
        url = f"/en/staff/campaigns/{_campaign_id(app)}/{suffix}"
        assert _status(client, url) == 200  # just signed in
        with client.session_transaction() as session:
            session["reauth_at"] = time.time() - app.config["STAFF_REAUTH_MAX_AGE"] - 1
        asked = client.get(url)
        assert asked.status_code == 303 and "/en/staff/confirm" in asked.location
        confirm_page = asked.location
        wrong = member.post_form(confirm_page, {"password": "not my password"})
        assert wrong.status_code == 200
        assert "password is not correct" in wrong.get_data(as_text=True)
        confirmed = member.post_form(confirm_page, {"password": PASSWORD})
        assert confirmed.status_code == 303 and confirmed.location.endswith(url)
        assert _status(client, url) == 200


def test_account_changes_ask_for_the_password_again_after_a_while(app, staff, make_user):
    admin = staff("admin")
    make_user("analyst")
    with app.app_context():
        analyst_id = db.session.scalar(select(User.id).where(User.role == "analyst"))
    page = admin.client.get("/en/staff/users").get_data(as_text=True)
    with admin.client.session_transaction() as session:
        session["reauth_at"] = time.time() - 3600
    from tests.conftest import csrf_token

    stale = admin.client.post(
        f"/en/staff/users/{analyst_id}",
        data={"csrf_token": csrf_token(page), f"u{analyst_id}-role": "translator"},
    )
    assert stale.status_code == 303 and "/en/staff/confirm" in stale.location
    with app.app_context():
        assert db.session.get(User, analyst_id).active  # nothing changed
    assert admin.client.get("/en/staff/users").status_code == 303
