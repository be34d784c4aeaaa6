"""The outreach status of a campaign: per country, municipality and role, who was
invited, mailed, bounced, opted out, started and submitted, and the last reminder;
the list of contacts with no answer after two reminders, and its export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress
from surveyapp.models import Invitation
from surveyapp.models.base import utcnow
from surveyapp.outreach import reminders, sending, status
from surveyapp.outreach.facts import Selection
from surveyapp.responses import respondent as responses
from surveyapp.responses import starting
from tests.outreach_support import (
    STAFF,
    bounce,
    deliver,
    demo_campaign,
    mails,
    make_contact,
    with_public_url,
)
from tests.plans import answer_plan, builtin_version

DAY = timedelta(days=1)


@pytest.fixture
def campaign_under_way(app):
    """Six contacts in three countries; two reminders went out; some answered."""
    with_public_url(app)
    now = utcnow()
    with app.app_context():
        make_contact("ana@example.org", "mk-cair", "mayor", "mk", "Ана")
        make_contact("arben@example.org", "mk-cair", "councillor", "sq", "Arben")
        make_contact("goran@example.org", "mk-centar", "councillor", "mk", '=HYPERLINK("x")')
        make_contact("besa@example.org", "al-tirane", "mayor", "sq", "Besa")
        make_contact("milan@example.org", "rs-novi-sad", "councillor", "sr", "Милан")
        make_contact("nina@example.org", "rs-novi-sad", "councillor", "sr", "Нина")
        with write_transaction():
            demo_campaign().opens_at = now - 60 * DAY
        campaign_id = demo_campaign().id
        sending.send_invitations(campaign_id, Selection(), STAFF)
        deliver(at=now - 30 * DAY)
        bounce("besa@example.org")
        with write_transaction():
            suppress("arben@example.org", "opted_out", "one_click")
        for days_ago in (20, 10):
            reminders.send_reminders(campaign_id, Selection(), STAFF, now - days_ago * DAY)
            deliver(at=now - days_ago * DAY)
        # Ana started; Milan submitted after the reminders.
        invitation_of = {m.to_address: m.invitation_id for m in mails(kind="invitation")}
        ana = db.session.get(Invitation, invitation_of["ana@example.org"])
        starting.start_response(ana, "mk")
        milan = db.session.get(Invitation, invitation_of["milan@example.org"])
        response = starting.start_response(milan, "sr")
        version = builtin_version()
        for page, plan in zip(version.pages, answer_plan(version), strict=True):
            responses.save_page(response, page, plan.expected)
        responses.submit(response)
    return app, now


def test_the_status_counts_per_country_municipality_and_role(campaign_under_way):
    app, now = campaign_under_way
    with app.app_context():
        result = status.outreach_status(demo_campaign().id)
    total = result.total
    assert (total.invited, total.mailed, total.bounced, total.opted_out) == (6, 6, 1, 1)
    assert (total.started, total.submitted) == (2, 1)
    by_country = {row.code: row for row in result.countries}
    assert [row.code for row in result.countries] == ["AL", "MK", "RS"]
    assert (by_country["MK"].invited, by_country["MK"].opted_out, by_country["MK"].started) == (
        3,
        1,
        1,
    )
    assert (by_country["AL"].bounced, by_country["RS"].submitted) == (1, 1)
    towns = {row.code: row for row in result.municipalities}
    assert towns["mk-cair"].invited == 2 and towns["mk-centar"].country_code == "MK"
    roles = {row.code: row for row in result.roles}
    assert [row.code for row in result.roles] == ["mayor", "councillor"]
    assert (roles["mayor"].invited, roles["councillor"].invited) == (2, 4)
    # The second reminder went out 10 days ago; Besa (bounced) and Arben (opted out) got none.
    assert towns["mk-centar"].last_reminder_at.date() == (now - 10 * DAY).date()
    assert by_country["AL"].last_reminder_at is None


def test_no_answer_after_two_reminders_lists_those_still_silent(campaign_under_way):
    app, _now = campaign_under_way
    with app.app_context():
        chosen = status.parse_list_filter({"state": "no_answer", "after": "2"})
        silent = status.filtered_contacts(demo_campaign().id, chosen)
        # Ana started but never submitted; Goran never started; Nina was reminded too.
        assert sorted(f.contact.email for f in silent) == [
            "ana@example.org",
            "goran@example.org",
            "nina@example.org",
        ]
        assert all(f.reminders == 2 for f in silent)


def test_the_list_page_and_its_export(campaign_under_way, staff):
    app, _now = campaign_under_way
    admin = staff("admin")
    with app.app_context():
        campaign_id = demo_campaign().id
    outreach = admin.client.get(f"/en/staff/campaigns/{campaign_id}/outreach")
    body = outreach.get_data(as_text=True)
    assert "No answer after two reminders" in body and "Per country" in body
    url = f"/en/staff/campaigns/{campaign_id}/outreach/contacts?state=no_answer&after=2"
    page = admin.client.get(url).get_data(as_text=True)
    assert "3 contacts" in page and "Download this list (CSV)" in page
    exported = admin.client.get(url.replace("/contacts?", "/contacts.csv?"))
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["country", "municipality_code", "municipality", "name"]
    assert len(rows) == 4
    names = {row[3] for row in rows[1:]}
    # A name that a spreadsheet would run as a formula is neutralised.
    assert '\'=HYPERLINK("x")' in names and "Ана" in names
    bounced = admin.client.get(url.replace("state=no_answer&after=2", "state=bounced"))
    assert "Besa" in bounced.get_data(as_text=True)


@pytest.mark.parametrize("blank", ["", "   ", "\u00a0"])
def test_reminder_settings_refuse_a_blank_number_with_a_message(app, staff, blank):
    """Spaces typed as the number of days got past the required check and ended in a
    server error (found by the scanner's payloads); now the form says what is missing."""
    from tests.outreach_support import demo_campaign

    with app.app_context():
        campaign_id = demo_campaign().id
    admin = staff("admin")
    url = f"/en/staff/campaigns/{campaign_id}/outreach/settings"
    reply = admin.post_form(
        url,
        {"settings-interval_days": blank, "settings-limit": "2"},
        form_page=f"/en/staff/campaigns/{campaign_id}/outreach",
    )
    assert reply.status_code == 422
    assert "Please give a number of days." in reply.get_data(as_text=True)
