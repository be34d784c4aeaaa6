"""Staff who forgot their password get a single-use, expiring link by mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from surveyapp.core.access_log import redact
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.mail import delivery
from surveyapp.models import AuditEvent, OutboundMail, PasswordResetToken
from surveyapp.models.base import utcnow
from tests.conftest import PASSWORD, Staff, csrf_token

NEW_PASSWORD = "violet tractor umbrella harbour"
LINK = re.compile(r"https?://[^\s\"<]+/staff/password/reset/[A-Za-z0-9_-]+")


def _ask(client, email: str, lang: str = "en"):
    url = f"/{lang}/staff/password/forgot"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"email": email, "csrf_token": token})


def _mails(app) -> list[OutboundMail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)))


def _link(app) -> str:
    return LINK.search(_mails(app)[-1].text_body).group(0)


def _set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(link, follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return client.post(
        "/en/staff/password/reset",
        data={"csrf_token": csrf_token(html), "password": password, "confirm": confirm or password},
    )


def test_the_sign_in_page_offers_forgot_password(client):
    html = client.get("/en/staff/login").get_data(as_text=True)
    assert 'href="/en/staff/password/forgot"' in html


def test_known_and_unknown_addresses_get_the_same_answer(app, client, make_user):
    email = make_user("analyst")
    known = _ask(client, email)
    known_page = client.get(known.location).get_data(as_text=True)
    unknown = _ask(client, "nobody@example.org")
    unknown_page = client.get(unknown.location).get_data(as_text=True)
    assert known.status_code == unknown.status_code == 303
    assert known.location == unknown.location

    def page(html: str, address: str) -> str:  # CSRF tokens carry the time: left out
        return re.sub(r'name="csrf_token"[^>]*>', "", html.replace(address, "X"))

    assert page(known_page, email) == page(unknown_page, "nobody@example.org")
    [mail] = _mails(app)
    assert mail.to_address == email and mail.kind == "password_reset"
    with app.app_context():
        outcomes = db.session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "password_reset_requested")
        ).all()
        assert sorted(d["outcome"] for d in outcomes) == ["sent", "unknown"]


def test_only_a_hash_of_the_token_is_stored_and_the_link_works_once(app, client, make_user):
    email = make_user("analyst")
    _ask(client, email)
    link = _link(app)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        [row] = db.session.scalars(select(PasswordResetToken))
        assert token not in row.token_hash and len(row.token_hash) == 64
    reply = _set_password(client, link)
    assert reply.status_code == 303 and reply.location.endswith("/en/staff/login")
    assert Staff(client, email).login(NEW_PASSWORD).status_code == 303
    other = app.test_client()
    assert "does not work any more" in _set_password_page(other, link)
    assert Staff(app.test_client(), email).login(PASSWORD).status_code == 401


def _set_password_page(client, link: str) -> str:
    return client.get(link, follow_redirects=True).get_data(as_text=True)


def test_the_token_leaves_the_address_bar_and_the_log(app, client, make_user):
    _ask(client, make_user("analyst"))
    link = _link(app)
    reply = client.get(link)
    assert reply.status_code == 303 and reply.location.endswith("/en/staff/password/reset")
    path = link.split("localhost", 1)[1]
    assert redact(path) == "/en/staff/password/reset/<token>"


def test_the_new_password_follows_the_policy_and_a_refusal_keeps_the_link(app, client, make_user):
    email = make_user("analyst")
    _ask(client, email)
    link = _link(app)
    weak = _set_password(client, link, "password1234")
    assert weak.status_code == 422 and "too common" in weak.get_data(as_text=True)
    mismatch = _set_password(client, link, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 422 and "do not match" in mismatch.get_data(as_text=True)
    assert _set_password(client, link).status_code == 303


def test_setting_the_password_ends_every_other_session(app, client, make_user):
    email = make_user("analyst")
    elsewhere = app.test_client()
    assert Staff(elsewhere, email).login().status_code == 303
    assert elsewhere.get("/en/staff/").status_code == 200
    _ask(client, email)
    _set_password(client, _link(app))
    assert elsewhere.get("/en/staff/").status_code == 302  # sent to sign in


def test_an_expired_link_or_one_replaced_by_a_newer_one_does_not_work(app, client, make_user):
    email = make_user("analyst")
    _ask(client, email)
    first = _link(app)
    _ask(client, email)
    second = _link(app)
    assert "does not work any more" in _set_password_page(app.test_client(), first)
    with app.app_context(), write_transaction():
        db.session.execute(
            update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert "does not work any more" in _set_password_page(app.test_client(), second)


def test_requests_are_rate_limited_per_client_and_per_address(app, client, make_user):
    email = make_user("analyst")
    replies = [_ask(client, email) for _ in range(5)]
    assert [r.status_code for r in replies] == [303] * 5
    assert len(_mails(app)) == 3  # RESET_LINK_ACCOUNT_LIMITS: 3 per hour, silently
    sixth = _ask(client, "someone.else@example.org")
    assert sixth.status_code == 429
    assert "Too many requests from your connection" in sixth.get_data(as_text=True)


def test_an_inactive_account_gets_no_link(app, client, make_user):
    email = make_user("analyst")
    from surveyapp.models import User

    with app.app_context(), write_transaction():
        db.session.execute(update(User).where(User.email == email).values(active=False))
    assert _ask(client, email).status_code == 303
    assert _mails(app) == []


def test_the_mail_goes_out_in_the_pages_language_through_smtp(app_with, smtp_server, make_user):
    app = app_with(**smtp_server.config())
    client = app.test_client()
    with app.app_context():
        from surveyapp.accounts import users

        users.create_user("ana@example.org", PASSWORD, "analyst", name="Ана <b>Петровска</b>")
    _ask(client, "ana@example.org", lang="mk")
    with app.app_context():
        assert delivery.deliver_all().sent == 1
    [got] = smtp_server.received
    message = got.message
    assert message["Content-Language"] == "mk"
    assert message["To"].addresses[0].display_name == "Ана <b>Петровска</b>"
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Петровска&lt;/b&gt;" in html and "<b>" not in html
    text = message.get_body(("plain",)).get_content()
    link = LINK.search(text).group(0)
    assert "/mk/staff/password/reset/" in link
    assert message["List-Unsubscribe"] is None  # a personal mail, not a bulk one


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != SOURCE_LANGUAGE])
def test_the_mail_is_written_in_every_language(app, make_user, lang):
    from surveyapp.accounts.password_reset import reset_mail
    from surveyapp.models import User

    make_user("analyst")
    with app.test_request_context(f"/{lang}/staff/password/forgot"):
        from flask import g

        g.lang = lang
        user = db.session.scalar(select(User))
        subject, text, html = reset_mail(user, "https://example.org/x", 60)
        g.lang = SOURCE_LANGUAGE
        english = reset_mail(user, "https://example.org/x", 60)
    assert subject != english[0] and text != english[1]
    assert "https://example.org/x" in text and "60" in text


def test_no_mail_table_row_without_an_account(app, client):
    _ask(client, "ghost@example.org")
    with app.app_context():
        assert db.session.scalar(select(func.count(PasswordResetToken.id))) == 0
