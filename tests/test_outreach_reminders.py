"""Reminders: only to people whose invitation reached them and who have not submitted,
opted out or bounced; never sooner than the campaign's interval, never more than its
limit; by hand or by the campaign's schedule (``due_reminders``), idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress
from surveyapp.models import AuditEvent, Invitation, Response
from surveyapp.models.base import utcnow
from surveyapp.outreach import reminders, sending
from surveyapp.outreach.facts import Selection
from surveyapp.outreach.mail_texts import save_text
from surveyapp.outreach.reminders import ReminderSettings, due_reminders, save_settings
from surveyapp.responses import respondent as responses
from surveyapp.responses import starting
from tests.conftest import csrf_token
from tests.outreach_support import (
    STAFF,
    bounce,
    deliver,
    demo_campaign,
    mails,
    make_contact,
    with_public_url,
)

EMAILS = ("ana@example.org", "besa@example.org", "milan@example.org", "vesna@example.org")
DAY = timedelta(days=1)


@pytest.fixture
def invited(app):
    """Four contacts invited 10 days ago (their invitations delivered then)."""
    with_public_url(app)
    with app.app_context():
        make_contact(EMAILS[0], "mk-cair", "mayor", "mk")
        make_contact(EMAILS[1], "al-tirane", "mayor", "sq", "Besa Hoxha")
        make_contact(EMAILS[2], "rs-novi-sad", "councillor", "sr", "Милан Јовић")
        make_contact(EMAILS[3], "me-kotor", "mayor", "cnr", "Vesna Vuković")
        sending.send_invitations(demo_campaign().id, Selection(), STAFF)
        deliver(at=utcnow() - 10 * DAY)
    return app


def _remind(app, now=None, selection=None):
    with app.app_context():
        return reminders.send_reminders(
            demo_campaign().id, selection or Selection(), STAFF, now or utcnow()
        )


def _plan(app, now=None):
    with app.app_context():
        return reminders.plan_reminders(demo_campaign(), Selection(), now or utcnow())


def _reminded(app) -> list[str]:
    with app.app_context():
        return sorted(mail.to_address for mail in mails(kind="reminder"))


def _token(app, email: str) -> str:
    with app.app_context():
        return db.session.get(Invitation, mails(to_address=email)[0].invitation_id).token


def _submit(app, email: str) -> None:
    """The contact answers and submits (through the use cases the pages call)."""
    from tests.plans import answer_plan, builtin_version

    with app.app_context():
        invitation = starting.find_invitation(_token(app, email))
        response = starting.start_response(invitation, "en")
        version = builtin_version()
        for page, plan in zip(version.pages, answer_plan(version), strict=True):
            responses.save_page(response, page, plan.expected)
        responses.submit(response)


def test_reminders_go_only_to_those_who_have_not_submitted_opted_out_or_bounced(invited):
    app = invited
    _submit(app, EMAILS[0])
    with app.app_context():
        with write_transaction():
            suppress(EMAILS[1], "opted_out", "one_click")
    with app.app_context():
        bounce(EMAILS[2])
    # Vesna started but did not submit: she is reminded.
    with app.app_context():
        starting.start_response(starting.find_invitation(_token(app, EMAILS[3])), "cnr")
    plan = _remind(app)
    assert plan.skipped == {"submitted": 1, "opted_out": 1, "bounced": 1}
    assert _reminded(app) == [EMAILS[3]]
    with app.app_context():
        reminder = mails(kind="reminder")[0]
        assert reminder.language == "cnr" and reminder.subject.startswith("Podsjetnik")
        assert _token(app, EMAILS[3]) in reminder.text_body
        assert reminder.invitation_id == mails(to_address=EMAILS[3])[0].invitation_id


def test_reminders_respect_the_interval_and_the_limit(invited):
    app = invited
    with app.app_context():
        save_settings(demo_campaign().id, ReminderSettings(False, 7, 2), STAFF)
    now = utcnow()
    # The invitations went out 10 days ago: one reminder each now.
    assert len(_remind(app, now).mails) == 4
    # Nothing more while those wait to go out, nor within 7 days of their delivery.
    assert _plan(app, now).skipped == {"pending": 4}
    with app.app_context():
        deliver(at=now)
    assert _plan(app, now + 6 * DAY).skipped == {"too_soon": 4}
    assert len(_remind(app, now + 7 * DAY).mails) == 4
    with app.app_context():
        deliver(at=now + 7 * DAY)
    # Two reminders each: the limit.
    assert _plan(app, now + 30 * DAY).skipped == {"limit": 4}
    with pytest.raises(sending.SendRefused):
        _remind(app, now + 30 * DAY)
    assert len(_reminded(app)) == 8


def test_no_reminder_before_the_invitation_reached_them(app):
    with_public_url(app)
    with app.app_context():
        make_contact(EMAILS[0])
        make_contact(EMAILS[1], "al-tirane", language="sq", name="Besa")
        sending.send_invitations(demo_campaign().id, Selection(), STAFF)
    plan = _plan(app, utcnow() + 30 * DAY)
    assert plan.skipped == {"pending": 2} and not plan.mails
    with app.app_context():
        make_contact(EMAILS[2], "rs-novi-sad", language="sr", name="Милан")
        plan = reminders.plan_reminders(demo_campaign(), Selection())
    assert plan.skipped["not_invited"] == 1


def test_staff_reminders_are_refused_whole_when_a_text_is_missing(invited):
    app = invited
    with app.app_context():
        save_text(demo_campaign().id, "reminder", "en", "R", "{link} {opt_out_link}", STAFF)
    with pytest.raises(sending.SendRefused) as refused:
        _remind(app)
    assert set(refused.value.plan.missing) == {"mk", "sq", "sr", "cnr"}
    assert _reminded(app) == []


def test_due_reminders_queue_what_is_due_once(invited):
    app = invited
    with app.app_context():
        campaign_id = demo_campaign().id
        assert due_reminders() == 0  # reminders do not go out by themselves by default
        save_settings(campaign_id, ReminderSettings(True, 7, 2), STAFF)
        now = utcnow()
        assert due_reminders(now) == 4
        assert due_reminders(now) == 0
        assert due_reminders(now + DAY) == 0
        assert len(mails(kind="reminder")) == 4
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == "outreach_reminders_queued")
            )
        )
        assert len(events) == 1 and events[0].user_id is None
        assert events[0].details["automatic"] is True and events[0].details["count"] == 4
        deliver(at=now)
        assert due_reminders(now + 8 * DAY) == 4
        deliver(at=now + 8 * DAY)
        assert due_reminders(now + 30 * DAY) == 0  # the limit of 2


def test_due_reminders_skip_closed_and_archived_campaigns(invited):
    app = invited
    with app.app_context():
        campaign = demo_campaign()
        save_settings(campaign.id, ReminderSettings(True, 7, 2), STAFF)
        with write_transaction():
            demo_campaign().closes_at = utcnow() - DAY
        assert due_reminders() == 0
        with write_transaction():
            campaign = demo_campaign()
            campaign.closes_at, campaign.archived_at = None, utcnow()
        assert due_reminders() == 0


def test_due_reminders_leave_out_a_language_without_text(invited):
    app = invited
    with app.app_context():
        campaign_id = demo_campaign().id
        save_settings(campaign_id, ReminderSettings(True, 7, 2), STAFF)
        # Staff rewrite the English reminder and only the Albanian one after it.
        save_text(
            campaign_id, "reminder", "en", "R {municipality}", "{link}\n{opt_out_link}", STAFF
        )
        save_text(
            campaign_id, "reminder", "sq", "K {municipality}", "{link}\n{opt_out_link}", STAFF
        )
        assert due_reminders() == 1
        assert [mail.to_address for mail in mails(kind="reminder")] == [EMAILS[1]]


def test_due_reminders_need_a_public_address(invited, caplog):
    app = invited
    with app.app_context():
        save_settings(demo_campaign().id, ReminderSettings(True, 7, 2), STAFF)
        app.config["PUBLIC_URL"] = None
        assert due_reminders() == 0
    assert "PUBLIC_URL" in caplog.text
    assert _reminded(app) == []


def test_automatic_reminders_need_a_text_in_every_language_of_the_campaign(invited, staff):
    app = invited
    admin = staff("admin")
    with app.app_context():
        campaign_id = demo_campaign().id
        save_text(campaign_id, "reminder", "en", "R", "{link} {opt_out_link}", STAFF)
    page = f"/en/staff/campaigns/{campaign_id}/outreach"
    token = csrf_token(admin.client.get(page).get_data(as_text=True))
    form = {
        "csrf_token": token,
        "settings-interval_days": "5",
        "settings-limit": "3",
        "settings-automatic": "y",
    }
    refused = admin.client.post(f"{page}/settings", data=form)
    assert refused.status_code == 422
    assert "no reminder text in" in refused.get_data(as_text=True)
    with app.app_context():
        assert demo_campaign().reminders_automatic is False
    del form["settings-automatic"]
    assert admin.client.post(f"{page}/settings", data=form).status_code == 303
    with app.app_context():
        campaign = demo_campaign()
        assert (campaign.reminder_interval_days, campaign.reminder_limit) == (5, 3)
    bad = admin.client.post(f"{page}/settings", data={**form, "settings-limit": "99"})
    assert bad.status_code == 422


def test_staff_send_reminders_from_the_page_after_checking(invited, staff):
    app = invited
    admin = staff("admin")
    _submit(app, EMAILS[0])
    with app.app_context():
        campaign_id = demo_campaign().id
    page = f"/en/staff/campaigns/{campaign_id}/outreach"
    token = csrf_token(admin.client.get(page).get_data(as_text=True))
    form = {"csrf_token": token, "remind-country": "", "remind-role": "mayor"}
    checked = admin.client.post(f"{page}/reminders", data={**form, "remind-step": "check"})
    body = checked.get_data(as_text=True)
    assert "2 reminders would go out now." in body and "already answered: 1" in body
    assert _reminded(app) == []
    sent = admin.client.post(f"{page}/reminders", data={**form, "remind-step": "send"})
    assert sent.status_code == 303
    assert _reminded(app) == [EMAILS[1], EMAILS[3]]
    with app.app_context():
        assert db.session.scalar(select(Response.status).limit(1)) == "submitted"


def test_the_workers_run_due_reminders_every_quarter_hour(invited):
    from datetime import datetime

    from surveyapp.jobs.registry import JOBS

    job = JOBS["outreach.due_reminders"]
    assert job.schedule is not None
    assert job.schedule(datetime(2027, 3, 1, 9, 15)) and not job.schedule(
        datetime(2027, 3, 1, 9, 7)
    )
    app = invited
    with app.app_context():
        save_settings(demo_campaign().id, ReminderSettings(True, 7, 2), STAFF)
        job()  # as a worker runs it, in an application context of its own
        assert len(mails(kind="reminder")) == 4


def test_a_reminder_queued_before_its_recipient_answered_is_not_sent(invited):
    """Staff queue reminders; Ana submits before a worker picks hers up: the worker
    cancels her reminder (recorded) and sends only the others."""
    from surveyapp.mail.claims import claim_batch

    app = invited
    _remind(app)
    assert _reminded(app) == sorted(EMAILS)
    _submit(app, EMAILS[0])
    with app.app_context():
        claimed, cancelled = claim_batch("test-worker", 50)
        reminders_ = {mail.to_address: mail for mail in mails(kind="reminder")}
        assert cancelled == 1
        assert reminders_[EMAILS[0]].status == "cancelled"
        assert reminders_[EMAILS[0]].id not in claimed
        assert {reminders_[email].id for email in EMAILS[1:]} <= set(claimed)
        assert all(reminders_[email].status == "sending" for email in EMAILS[1:])
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_not_needed"))
        assert event is not None and event.target == f"mail:{reminders_[EMAILS[0]].id}"
