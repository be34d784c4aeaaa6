"""Opting out without signing in: a page with a confirm button, and the one-click
POST of RFC 8058 that mail providers make; the links in mails match the routes."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEvent, Contact, MailSuppression
from surveyapp.outreach import links, sending
from surveyapp.outreach.facts import Selection
from tests.conftest import csrf_token
from tests.outreach_support import STAFF, demo_campaign, mails, make_contact, with_public_url


@pytest.fixture
def mailed(app):
    """Ana (Macedonian) was sent an invitation that has not gone out yet."""
    with_public_url(app)
    with app.app_context():
        contact = make_contact("ana@example.org", "mk-cair", language="mk")
        sending.send_invitations(demo_campaign().id, Selection(), STAFF)
        return contact.opt_out_token


def _state(app):
    with app.app_context():
        suppression = db.session.scalar(select(MailSuppression))
        return (
            suppression.reason if suppression else None,
            [mail.status for mail in mails()],
        )


def test_the_links_in_mails_are_the_routes(app):
    with app.test_request_context():
        assert url_for("survey.open_invitation", token="T") == links.PERSONAL_LINK.format(token="T")
        assert url_for("outreach.one_click_opt_out", token="T") == links.ONE_CLICK_OPT_OUT.format(
            token="T"
        )
        assert url_for("outreach.opt_out_page", lang="mk", token="T") == links.OPT_OUT_PAGE.format(
            lang="mk", token="T"
        )


def test_following_the_link_only_shows_a_confirm_button_in_the_mails_language(app, client, mailed):
    reply = client.get(f"/u/{mailed}")
    assert reply.status_code == 303 and reply.location.endswith(f"/mk/u/{mailed}")
    page = client.get(reply.location).get_data(as_text=True)
    assert 'lang="mk"' in page and "a•••@example.org" in page
    assert "ana@example.org" not in page
    assert _state(app) == (None, ["queued"])  # a mail scanner's GET changes nothing
    confirmed = client.post(reply.location, data={"csrf_token": csrf_token(page)})
    assert confirmed.status_code == 303
    assert _state(app) == ("opted_out", ["cancelled"])
    done = client.get(reply.location).get_data(as_text=True)
    assert 'name="csrf_token"' not in done


def test_one_click_opts_out_without_a_csrf_token_or_a_session(app, client, mailed):
    reply = client.post(
        f"/u/{mailed}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status_code == 200
    assert _state(app) == ("opted_out", ["cancelled"])
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "outreach_opted_out")
        )
        contact = db.session.scalar(select(Contact))
        assert event.target == f"contact:{contact.id}" and event.user_id is None
        assert event.ip == "" and event.details["how"] == "one_click"
    # Again: still fine, one audit event.
    assert client.post(f"/u/{mailed}", data="List-Unsubscribe=One-Click").status_code == 200
    with app.app_context():
        assert (
            len(
                list(
                    db.session.scalars(
                        select(AuditEvent).where(AuditEvent.action == "outreach_opted_out")
                    )
                )
            )
            == 1
        )


def test_the_confirm_page_still_needs_its_csrf_token(app, client, mailed):
    assert client.post(f"/mk/u/{mailed}", data={}).status_code == 400
    assert _state(app) == (None, ["queued"])


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00"])
def test_an_unknown_token_is_a_404(app, client, mailed, token):
    assert client.get(f"/u/{token}").status_code == 404
    assert client.post(f"/u/{token}", data="List-Unsubscribe=One-Click").status_code == 404
    assert client.get(f"/en/u/{token}").status_code == 404
    assert _state(app) == (None, ["queued"])


def test_an_opted_out_contact_is_left_out_of_later_sends(app, client, mailed):
    client.post(f"/u/{mailed}", data="List-Unsubscribe=One-Click")
    with app.test_request_context("/en/staff/"):
        plan = sending.plan_invitations(demo_campaign(), Selection(), only_new=False)
    assert plan.skipped == {"opted_out": 1} and not plan.mails


def test_the_access_log_hides_opt_out_tokens():
    from surveyapp.core.access_log import redact

    assert redact("/u/abcDEF123") == "/u/<token>"
    assert redact("/mk/u/abcDEF123?x=1") == "/mk/u/<token>?x=1"
