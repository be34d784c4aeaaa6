"""Sending invitations: to a selection, in each contact's language, with a personal
link that opens the questionnaire in that language; scheduled, checked, refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress
from surveyapp.models import AuditEvent, Contact, Invitation, OutboundMail
from surveyapp.models.base import utcnow
from surveyapp.outreach import sending
from surveyapp.outreach.facts import Selection
from tests.conftest import csrf_token
from tests.outreach_support import (
    PUBLIC_URL,
    STAFF,
    deliver,
    demo_campaign,
    mails,
    make_contact,
    with_public_url,
)


@pytest.fixture
def outreach_app(app):
    return with_public_url(app)


@pytest.fixture
def contacts(outreach_app):
    with outreach_app.app_context():
        made = [
            make_contact("ana@example.org", "mk-cair", "mayor", "mk", "Ана Петровска"),
            make_contact("arben@example.org", "mk-cair", "councillor", "sq", "Arben Krasniqi"),
            make_contact("besa@example.org", "al-tirane", "mayor", "sq", "Besa Hoxha"),
            make_contact("milan@example.org", "rs-novi-sad", "mayor", "sr-Latn", "Milan Jović"),
            make_contact(
                "vesna@example.org", "me-kotor", "municipal_staff", "cnr", "Vesna Vuković"
            ),
        ]
        return {contact.email: contact.id for contact in made}


def _send(app, selection: Selection | None = None, **kwargs):
    with app.test_request_context("/en/staff/"):
        return sending.send_invitations(
            demo_campaign().id, selection or Selection(), STAFF, **kwargs
        )


def test_invitations_go_to_the_selection_in_each_contacts_language(outreach_app, contacts):
    app = outreach_app
    plan = _send(app, Selection(country="MK"))
    assert len(plan.mails) == 2
    with app.app_context():
        sent = {mail.to_address: mail for mail in mails()}
        assert set(sent) == {"ana@example.org", "arben@example.org"}
        ana, arben = sent["ana@example.org"], sent["arben@example.org"]
        assert (ana.language, arben.language) == ("mk", "sq")
        assert ana.kind == "invitation" and ana.to_name == "Ана Петровска"
        assert ana.subject.startswith("Покана за учество") and "Чаир" in ana.subject
        assert arben.subject.startswith("Ftesë për pjesëmarrje")
        assert "Почитуван/а Ана Петровска," in ana.text_body
        assert ana.html_body and "<p>Почитуван/а Ана Петровска,</p>" in ana.html_body
        invitation = db.session.get(Invitation, ana.invitation_id)
        assert invitation.contact_id == contacts["ana@example.org"]
        assert invitation.language == "mk" and invitation.role == "mayor"
        assert f"{PUBLIC_URL}/r/{invitation.token}" in ana.text_body
        contact = db.session.get(Contact, contacts["ana@example.org"])
        assert ana.unsubscribe_url == f"{PUBLIC_URL}/u/{contact.opt_out_token}"
        assert f"{PUBLIC_URL}/mk/u/{contact.opt_out_token}" in ana.text_body
        assert ana.contact_id == contact.id and ana.campaign_id == invitation.campaign_id
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "outreach_invitations_queued")
        )
        assert event.details["count"] == 2 and event.details["country"] == "MK"


@pytest.mark.parametrize(
    ("email", "lang"),
    [("ana@example.org", "mk"), ("arben@example.org", "sq"), ("milan@example.org", "sr-Latn")],
)
def test_the_personal_link_opens_the_questionnaire_in_the_language_of_the_mail(
    outreach_app, contacts, client, email, lang
):
    _send(outreach_app)
    with outreach_app.app_context():
        mail = mails(to_address=email)[0]
        token = db.session.get(Invitation, mail.invitation_id).token
    link = f"/r/{token}"
    assert link in mail.text_body
    # A browser that prefers English still gets the mail's language.
    reply = client.get(link, headers={"Accept-Language": "en"})
    assert reply.status_code == 302 and reply.location.endswith(f"/{lang}/r/{token}")
    page = client.get(reply.location)
    assert page.status_code == 200 and f'<html lang="{lang}"' in page.get_data(as_text=True)


def test_a_language_the_campaign_does_not_offer_falls_back_to_one_of_the_country(
    outreach_app, contacts
):
    app = outreach_app
    with app.app_context():
        campaign = demo_campaign()
        campaign.languages = ["en", "sq", "sr", "sr-Latn"]
        db.session.commit()
    plan = _send(app, Selection(country="MK"))
    assert plan.other_language == 1
    with app.app_context():
        # Macedonian is not offered: Ana is written to in Albanian, North Macedonia's other.
        assert mails(to_address="ana@example.org")[0].language == "sq"


def test_those_who_opted_out_bounced_or_were_invited_get_nothing(outreach_app, contacts):
    app = outreach_app
    with app.app_context():
        with write_transaction():
            suppress("besa@example.org", "opted_out", "one_click")
            suppress("vesna@example.org", "bounced", "550")
    first = _send(app)
    assert len(first.mails) == 3
    assert first.skipped == {"opted_out": 1, "bounced": 1}
    with app.app_context():
        deliver()
    with app.test_request_context("/en/staff/"):
        plan = sending.plan_invitations(demo_campaign(), Selection())
        assert plan.skipped == {"opted_out": 1, "bounced": 1, "invited": 3}
        assert not plan.mails
        # Asked for on purpose, the same people get the invitation again, same link.
        plan = sending.plan_invitations(demo_campaign(), Selection(), only_new=False)
        assert len(plan.mails) == 3
    _send(app, only_new=False)
    with app.app_context():
        assert len(mails(to_address="ana@example.org")) == 2
        links = {m.invitation_id for m in mails(to_address="ana@example.org")}
        assert len(links) == 1
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(Invitation.contact_id.is_not(None))
            )
            == 3
        )


def test_a_mail_still_waiting_is_not_doubled(outreach_app, contacts):
    _send(outreach_app)
    with outreach_app.test_request_context("/en/staff/"):
        plan = sending.plan_invitations(demo_campaign(), Selection(), only_new=False)
    assert plan.skipped["pending"] == 5 and not plan.mails


def test_a_send_can_be_scheduled(outreach_app, contacts):
    later = utcnow().replace(microsecond=0) + timedelta(days=3)
    _send(outreach_app, Selection(role="mayor"), send_after=later)
    with outreach_app.app_context():
        assert {mail.send_after for mail in mails()} == {later}
        assert len(mails()) == 3


@pytest.mark.parametrize("problem", ["archived", "closed", "not_open", "past"])
def test_a_campaign_that_cannot_take_answers_then_refuses_the_send(outreach_app, contacts, problem):
    app = outreach_app
    now = utcnow()
    send_after = None
    with app.app_context():
        campaign = demo_campaign()
        if problem == "archived":
            campaign.archived_at = now
        elif problem == "closed":
            campaign.closes_at = now + timedelta(days=1)
            send_after = now + timedelta(days=2)
        elif problem == "not_open":
            campaign.opens_at = now + timedelta(days=5)
        else:
            send_after = now - timedelta(days=1)
        db.session.commit()
    with pytest.raises(sending.SendRefused) as refused:
        _send(app, send_after=send_after)
    assert problem in refused.value.plan.problems
    with app.app_context():
        assert mails() == []
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_outreach_page_checks_first_then_sends(outreach_app, contacts, staff):
    admin = staff("admin")
    with outreach_app.app_context():
        campaign_id = demo_campaign().id
    page = f"/en/staff/campaigns/{campaign_id}/outreach"
    html = admin.client.get(page).get_data(as_text=True)
    assert "Send invitations" in html
    form = {  # as a browser sends it: the empty day and time too
        "csrf_token": csrf_token(html),
        "invite-country": "MK",
        "invite-role": "",
        "invite-only_new": "y",
        "invite-when": "now",
        "invite-send_on": "",
        "invite-send_at": "",
        "invite-step": "check",
    }
    checked = admin.client.post(f"{page}/invitations", data=form)
    body = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "2 invitations would go out now." in body
    assert "Send 2 invitations" in body
    with outreach_app.app_context():
        assert mails() == []
    sent = admin.client.post(f"{page}/invitations", data={**form, "invite-step": "send"})
    assert sent.status_code == 303
    assert "2 invitations are on their way" in admin.client.get(page).get_data(as_text=True)
    with outreach_app.app_context():
        assert len(mails()) == 2


def test_the_page_refuses_a_time_in_the_past_and_a_made_up_country(outreach_app, contacts, staff):
    admin = staff("admin")
    with outreach_app.app_context():
        campaign_id = demo_campaign().id
    page = f"/en/staff/campaigns/{campaign_id}/outreach"
    token = csrf_token(admin.client.get(page).get_data(as_text=True))
    base = {"csrf_token": token, "invite-when": "later", "invite-step": "send"}
    past = admin.client.post(
        f"{page}/invitations",
        data={**base, "invite-send_on": "2020-01-01", "invite-send_at": "09:00"},
    )
    assert past.status_code == 422 and "The time to send is in the past." in past.get_data(
        as_text=True
    )
    garbled = admin.client.post(
        f"{page}/invitations", data={**base, "invite-send_on": "2030-01-01", "invite-send_at": "9h"}
    )
    assert garbled.status_code == 422 and "hh:mm" in garbled.get_data(as_text=True)
    no_day = admin.client.post(
        f"{page}/invitations", data={**base, "invite-send_on": "30.1.", "invite-send_at": "09:00"}
    )
    assert no_day.status_code == 422 and "2025-03-15" in no_day.get_data(as_text=True)
    unknown = admin.client.post(
        f"{page}/invitations", data={**base, "invite-when": "now", "invite-country": "XX"}
    )
    assert unknown.status_code == 422
    with outreach_app.app_context():
        assert mails() == []


def test_a_scheduled_time_is_central_european_time(outreach_app, contacts, staff):
    admin = staff("admin")
    with outreach_app.app_context():
        campaign_id = demo_campaign().id
    page = f"/en/staff/campaigns/{campaign_id}/outreach"
    token = csrf_token(admin.client.get(page).get_data(as_text=True))
    reply = admin.client.post(
        f"{page}/invitations",
        data={
            "csrf_token": token,
            "invite-when": "later",
            "invite-send_on": "2030-07-01",
            "invite-send_at": "09:30",
            "invite-step": "send",
        },
    )
    assert reply.status_code == 303
    with outreach_app.app_context():
        assert {mail.send_after.isoformat() for mail in mails()} == {"2030-07-01T07:30:00"}
        assert all(m.status == "queued" for m in db.session.scalars(select(OutboundMail)))


def test_a_campaign_with_outreach_can_still_be_deleted(outreach_app, contacts):
    from surveyapp.campaigns import lifecycle
    from surveyapp.models import Campaign, Contact, MailTemplate
    from surveyapp.outreach.mail_texts import save_text

    _send(outreach_app)
    with outreach_app.app_context():
        campaign_id = demo_campaign().id
        save_text(campaign_id, "invitation", "bs", "S", "{link} {opt_out_link}", STAFF)
        lifecycle.delete_campaign(campaign_id, "")
        assert db.session.get(Campaign, campaign_id) is None
        assert mails() == []
        assert db.session.scalar(select(func.count()).select_from(MailTemplate)) == 0
        # The contacts stay: they belong to no campaign.
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 5
