"""Passwords strong enough, a production key with real entropy, and TOTP
two-factor sign-in for staff (#13 finding 9)."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from config import ProductionConfig
from surveyapp.extensions import db
from surveyapp.models import User
from tests.conftest import PASSWORD, Staff, csrf_token

ENROL = "/en/staff/account/two-factor"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("eleven char", "too_short"),
        ("password1234", "common"),
        ("qwertyuiop12", "common"),
        ("MarijaPetrovska1", "common"),  # the user's own name
        ("petrovska.skopje", "common"),  # part of the e-mail address
        ("quiet lantern over Ohrid", None),
    ],
)
def test_passwords_are_long_and_not_guessable(app, password, problem):
    from surveyapp.accounts.users import password_problem

    with app.app_context():
        found = password_problem(
            password, "marija.petrovska@skopje.example", name="Marija Petrovska"
        )
    assert found == problem


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("a" * 64, False),
        ("change-me-change-me-change-me-change-me", False),
        ("0123456789abcdef0123456789abcde", False),  # 31 characters
        ("f3c1e9a07b52d4e8a6c0b9d2e7f1a3c5b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f8", True),
        ("kQ2v_Zp9Lw-Rt7Xb4Nd1Mh8Sj6Fc3Gy0", True),
    ],
)
def test_production_refuses_low_entropy_secret_keys(monkeypatch, key, accepted):
    monkeypatch.setenv("SECRET_KEY", key)
    config: dict = {}
    if accepted:
        ProductionConfig.check(config)
        assert config["SECRET_KEY"] == key
    else:
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            ProductionConfig.check(config)


def _secret_on(page: str) -> str:
    match = re.search(r"otpauth://totp/[^\s<\"]*secret=([A-Z2-7]+)", page)
    assert match, "the page shows the otpauth:// address"
    return match.group(1)


def _enrol(member: Staff) -> str:
    page = member.client.get(ENROL).get_data(as_text=True)
    secret = _secret_on(page)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    now = pyotp.TOTP(secret).now()
    wrong = member.post_form(ENROL, {"code": "000000" if now != "000000" else "111111"})
    assert wrong.status_code == 200 and "code is not correct" in wrong.get_data(as_text=True)
    done = member.post_form(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    return secret


def test_staff_enrol_and_then_sign_in_with_a_code(app, client, make_user):
    email = make_user("analyst")
    member = Staff(client, email)
    assert member.login().status_code == 303
    secret = _enrol(member)
    with app.app_context():
        assert db.session.scalar(select(User.totp_secret).where(User.email == email)) == secret
    member.post_form("/en/staff/logout", {}, form_page="/en/staff/")

    first = member.login()
    assert first.status_code == 303 and first.location.endswith("/en/staff/login/code")
    assert client.get("/en/staff/").status_code == 302  # not signed in yet
    wrong = member.post_form("/en/staff/login/code", {"code": "12345x"})
    assert wrong.status_code == 401 and "code is not correct" in wrong.get_data(as_text=True)
    # The code of the enrolment's step is spent; the next step's is accepted (window ±1).
    code = pyotp.TOTP(secret).at(time.time() + 30)
    signed_in = member.post_form("/en/staff/login/code", {"code": code})
    assert signed_in.status_code == 303 and signed_in.location.endswith("/en/staff/")
    assert client.get("/en/staff/").status_code == 200

    member.post_form("/en/staff/logout", {}, form_page="/en/staff/")
    assert member.login().status_code == 303
    replayed = member.post_form("/en/staff/login/code", {"code": code})
    assert replayed.status_code == 401  # a used code does not open a second session
    assert client.get("/en/staff/").status_code == 302


def test_the_code_step_cannot_be_skipped_or_reached_without_a_password(client, make_user):
    assert client.get("/en/staff/login/code").status_code == 303
    page = client.get("/en/staff/login").get_data(as_text=True)
    reply = client.post(
        "/en/staff/login/code", data={"code": "123456", "csrf_token": csrf_token(page)}
    )
    assert reply.status_code == 303 and reply.location.endswith("/en/staff/login")


def test_admins_enrol_before_anything_else_when_required(app_with):
    app = app_with(REQUIRE_TWO_FACTOR_FOR_ADMINS=True)
    with app.app_context():
        from surveyapp.accounts import users

        users.create_user("boss@example.org", PASSWORD, "admin")
        users.create_user("ana@example.org", PASSWORD, "analyst")
    admin = Staff(app.test_client(), "boss@example.org")
    assert admin.login().status_code == 303
    for page in ("/en/staff/users", "/en/staff/", "/mk/staff/audit"):
        sent = admin.client.get(page)
        assert sent.status_code == 303 and "/staff/account/two-factor" in sent.location
    _enrol(admin)
    assert admin.client.get("/en/staff/users").status_code == 200
    analyst = Staff(app.test_client(), "ana@example.org")
    assert analyst.login().status_code == 303
    assert analyst.client.get("/en/staff/").status_code == 200


def test_a_lost_phone_is_handled_from_the_command_line(app, client, make_user, runner):
    email = make_user("analyst")
    member = Staff(client, email)
    assert member.login().status_code == 303
    _enrol(member)
    result = runner.invoke(args=["users", "reset-two-factor", email.upper()])
    assert result.exit_code == 0, result.output
    assert client.get("/en/staff/").status_code == 302  # the session ended
    with app.app_context():
        assert db.session.scalar(select(User.totp_secret).where(User.email == email)) is None
    assert member.login().location.endswith("/en/staff/")  # no code step any more
    unknown = runner.invoke(args=["users", "reset-two-factor", "nobody@example.org"])
    assert unknown.exit_code != 0 and "No account" in unknown.output
