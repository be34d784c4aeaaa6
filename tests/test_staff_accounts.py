"""Staff sign in, roles, account management and the first admin from the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import User
from tests.conftest import PASSWORD, Staff


def test_a_staff_member_signs_in_and_out(client, make_user):
    member = Staff(client, make_user("analyst"))
    signed_in = member.login()
    assert signed_in.status_code == 303 and signed_in.location.endswith("/en/staff/")
    assert "analyst@example.org" in client.get("/en/staff/").get_data(as_text=True)
    out = member.post_form("/en/staff/logout", {}, form_page="/en/staff/")
    assert out.status_code == 303
    assert client.get("/en/staff/").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part(client, make_user):
    member = Staff(client, make_user("analyst"))
    refused = member.login(password="wrong password")
    assert refused.status_code == 401
    assert "e-mail address or password is not correct" in refused.get_data(as_text=True)
    unknown = Staff(client, "nobody@example.org").login()
    assert unknown.status_code == 401


def test_repeated_failures_lock_the_account_for_a_while(app, client, make_user):
    member = Staff(client, make_user("admin"))
    for _ in range(5):
        assert member.login(password="wrong password").status_code == 401
    locked = member.login()  # even the right password waits
    assert locked.status_code == 401
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.locked_until is not None and user.failed_logins == 5


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    page = client.get("/en/staff/translations")
    assert page.status_code == 302
    assert "/en/staff/login?next=/en/staff/translations" in page.location


def test_signing_in_returns_to_the_page_asked_for_but_never_to_another_site(client, make_user):
    member = Staff(client, make_user("translator"))
    assert member.login(next_url="/en/staff/translations").location.endswith(
        "/en/staff/translations"
    )
    member.post_form("/en/staff/logout", {}, form_page="/en/staff/")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert member.login(next_url=evil).location.endswith("/en/staff/")


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("analyst", 403), ("translator", 403)]
)
def test_only_admins_manage_accounts(staff, role, status):
    assert staff(role).client.get("/en/staff/users").status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("analyst", 403), ("translator", 200)]
)
def test_translators_and_admins_see_translation_status(staff, role, status):
    assert staff(role).client.get("/en/staff/translations").status_code == status


def test_an_admin_creates_and_deactivates_an_account(app, staff):
    admin = staff("admin")
    created = admin.post_form(
        "/en/staff/users",
        {
            "email": "New.Analyst@Example.org",
            "name": "Ana",
            "role": "analyst",
            "password": "long enough pass",
        },
    )
    assert created.status_code == 303
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.analyst@example.org"))
        assert user.role == "analyst" and user.password_hash != "long enough pass"
        user_id = user.id
    too_short = admin.post_form(
        "/en/staff/users", {"email": "x@example.org", "role": "analyst", "password": "short"}
    )
    assert too_short.status_code == 200
    assert "at least 12 characters" in too_short.get_data(as_text=True)
    edited = admin.post_form(
        f"/en/staff/users/{user_id}",
        {f"u{user_id}-role": "translator"},
        form_page="/en/staff/users",
    )
    assert edited.status_code == 303
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.role == "translator" and not user.active


def test_the_last_admin_cannot_lock_themselves_out(app, staff):
    admin = staff("admin")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id))
    admin.post_form(
        f"/en/staff/users/{admin_id}", {f"u{admin_id}-role": "analyst"}, form_page="/en/staff/users"
    )
    with app.app_context():
        assert db.session.get(User, admin_id).role == "admin"


def test_staff_pages_speak_the_chosen_language(staff):
    page = staff("admin").client.get("/mk/staff/users").get_data(as_text=True)
    assert '<html lang="mk"' in page


def test_the_first_admin_is_created_from_the_command_line(app, runner, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_PASSWORD", PASSWORD)
    result = runner.invoke(args=["users", "create", "Boss@Example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.email == "boss@example.org")) == "admin"
        )
    again = runner.invoke(args=["users", "create", "boss@example.org"])
    assert again.exit_code != 0 and "exists" in again.output


def test_the_cli_prompts_for_the_password_without_echoing(app, runner, monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PASSWORD", raising=False)
    result = runner.invoke(
        args=["users", "create", "t@example.org", "--role", "translator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize("weak", ["password1234", "qwertyuiop12", "iloveyou1234", "newanalyst2024"])
def test_common_passwords_are_refused(app, staff, weak):
    admin = staff("admin")
    refused = admin.post_form(
        "/en/staff/users", {"email": "newanalyst@example.org", "role": "analyst", "password": weak}
    )
    assert refused.status_code == 200
    assert "too common" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "newanalyst@example.org")) is None


def test_the_session_is_renewed_at_sign_in_and_ends_when_idle(app, client, make_user):
    client.get("/en/")
    with client.session_transaction() as before:
        before["marker"] = "set before signing in"
    Staff(client, make_user("analyst")).login()
    with client.session_transaction() as after:
        assert "marker" not in after and after.permanent
    assert app.permanent_session_lifetime.total_seconds() <= 8 * 3600


def test_staff_actions_are_in_the_audit_log_that_only_admins_read(app, client, staff, make_user):
    Staff(client, make_user("translator")).login(password="wrong password")
    admin = staff("admin")
    admin.post_form(
        "/en/staff/users",
        {"email": "auditor@example.org", "role": "analyst", "password": "long enough pass"},
    )
    with app.app_context():
        from surveyapp.models import Campaign

        campaign_id = db.session.scalar(select(Campaign.id))
    with admin.client.get(f"/en/staff/campaigns/{campaign_id}/responses.csv"):
        pass
    log = admin.client.get("/en/staff/audit").get_data(as_text=True)
    # In words, with people and campaigns named (tests/test_audit_log_page.py).
    for action in ("Failed sign-in", "signed in", "created a staff account", "exported data"):
        assert action in log, action
    assert "admin@example.org" in log and f'href="/en/staff/campaigns/{campaign_id}"' in log
    assert f"campaign:{campaign_id}" not in log
    only_exports = admin.client.get("/en/staff/audit?action=export").get_data(as_text=True)
    assert "exported data" in only_exports and "signed in</td>" not in only_exports


def _checkbox_checked(html: str, name: str) -> bool:
    import re

    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert tag, name
    return "checked" in tag.group(0)


def test_a_failed_new_account_leaves_every_active_box_ticked(app, staff, make_user):
    """The trap of #14: after a refused "New account", every row's "Active" came
    back unticked, and saving a row then deactivated that user."""
    admin = staff("admin")
    colleague = make_user("analyst", email="colleague@example.org")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == colleague))
    refused = admin.post_form("/en/staff/users", {"email": "", "role": "analyst", "password": ""})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert _checkbox_checked(html, f"u{user_id}-active")
    # Saving the row as the page shows it keeps the colleague active.
    saved = admin.post_form(
        f"/en/staff/users/{user_id}",
        {f"u{user_id}-role": "analyst", f"u{user_id}-active": "y"},
        form_page="/en/staff/users",
    )
    assert saved.status_code == 303
    with app.app_context():
        assert db.session.get(User, user_id).active


def test_a_new_account_defaults_to_the_least_privilege(staff):
    import re

    html = staff("admin").client.get("/en/staff/users").get_data(as_text=True)
    form = html[html.index('<form method="post" class="narrow-form"') :]
    selected = re.findall(
        r'<option[^>]*selected[^>]*value="([^"]+)"|<option[^>]*value="([^"]+)"[^>]*selected', form
    )
    assert [a or b for a, b in selected][:1] == ["translator"]


def test_the_default_role_can_do_least_and_sees_no_responses():
    from surveyapp.accounts.permissions import LEAST_PRIVILEGE, PERMISSIONS
    from surveyapp.models import STAFF_ROLES

    def powers(role: str) -> set[str]:
        return {name for name, roles in PERMISSIONS.items() if role in roles}

    assert all(len(powers(LEAST_PRIVILEGE)) <= len(powers(role)) for role in STAFF_ROLES)
    assert "run_campaigns" not in powers(LEAST_PRIVILEGE)


@pytest.mark.parametrize(
    "password",
    ["a long passphrase of many words " * 4, "Ščepan " * 20, "a" + "\u0301" * 200],
)
def test_a_long_password_is_judged_not_refused_with_an_error(app, staff, password):
    """zxcvbn refuses (ValueError) to judge more than 72 characters: a passphrase that
    long was a server error when creating an account or changing a password (found by
    the scanner's payloads, tests/test_scanner_payloads.py)."""
    from surveyapp.accounts import users

    admin = staff("admin")
    created = admin.post_form(
        "/en/staff/users",
        {"email": "long@example.org", "name": "Long", "role": "analyst", "password": password},
    )
    assert created.status_code in (200, 303), created.status_code
    changed = admin.post_form(
        "/en/staff/account/password",
        {"current": PASSWORD, "password": password, "confirm": password},
    )
    assert changed.status_code in (200, 303), changed.status_code
    assert users.password_problem("Fw9!" + password) in (None, "common")
