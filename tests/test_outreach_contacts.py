"""Contacts, one by one: adding, changing and deleting them through the staff pages,
with every bad value refused and nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail.outbox import suppress
from surveyapp.models import AuditEvent, Contact, Invitation
from surveyapp.outreach import sending
from surveyapp.outreach.facts import Selection
from tests.outreach_support import STAFF, demo_campaign, mails, make_contact, with_public_url

GOOD = {
    "name": "Ана Петровска",
    "municipality": "mk-cair",
    "role": "mayor",
    "email": "Ana.Petrovska@Cair.gov.mk ",
    "language": "mk",
}


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Contact))


def test_staff_add_a_contact(app, staff):
    admin = staff("admin")
    reply = admin.post_form("/en/staff/contacts/new", GOOD)
    assert reply.status_code == 303
    listing = admin.client.get("/en/staff/contacts").get_data(as_text=True)
    assert "Ана Петровска" in listing and "ana.petrovska@cair.gov.mk" in listing
    with app.app_context():
        contact = db.session.scalar(select(Contact))
        assert contact.email == "ana.petrovska@cair.gov.mk"
        assert contact.municipality.code == "mk-cair" and len(contact.opt_out_token) >= 32
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_created"))
        assert event.target == f"contact:{contact.id}"
        assert "ana" not in str(event.details or "")  # no personal data in the log


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not an address", "Please give an e-mail address such as name@example.org."),
        ("email", "a@b.org\r\nBcc: x@y.org", "Please give an e-mail address"),
        ("email", "Ana <ana@example.org>", "Please give an e-mail address"),
        ("name", "Ana\nBcc: x@y.org", "The name must be one line"),
        ("name", "", "Please give the person's name."),
        ("name", "x" * 201, "Please use at most 200 characters."),
        ("municipality", "xx-nowhere", "Please choose one of the municipalities in the list."),
        ("role", "king", "Please choose one of the roles in the list."),
        ("language", "de", "Please choose one of the languages in the list."),
    ],
)
def test_bad_values_are_refused_with_a_message(app, staff, field, value, message):
    admin = staff("admin")
    reply = admin.post_form("/en/staff/contacts/new", {**GOOD, field: value})
    assert reply.status_code == 422
    assert message in reply.get_data(as_text=True)
    assert _count(app) == 0


def test_one_contact_per_address(app, staff):
    admin = staff("admin")
    admin.post_form("/en/staff/contacts/new", GOOD)
    again = admin.post_form(
        "/en/staff/contacts/new", {**GOOD, "email": "ANA.petrovska@cair.gov.mk"}
    )
    assert again.status_code == 422
    body = again.get_data(as_text=True)
    assert "Another contact has this e-mail address." in body
    assert "Open the contact with this address" in body
    assert _count(app) == 1


def test_staff_change_a_contact_and_the_log_names_the_fields_only(app, staff):
    admin = staff("admin")
    with app.app_context():
        contact_id = make_contact("ana@example.org").id
    url = f"/en/staff/contacts/{contact_id}"
    assert "Ана Петровска" in admin.client.get(url).get_data(as_text=True)
    reply = admin.post_form(url, {**GOOD, "email": "ana@example.org", "role": "deputy_mayor"})
    assert reply.status_code == 303
    with app.app_context():
        assert db.session.get(Contact, contact_id).role == "deputy_mayor"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact_changed"))
        assert event.details == {"fields": ["role"]}


def test_an_opted_out_contacts_address_cannot_change(app, staff):
    admin = staff("admin")
    with app.app_context():
        contact_id = make_contact("ana@example.org").id
        with write_transaction():
            suppress("ana@example.org", "opted_out", "one_click")
    url = f"/en/staff/contacts/{contact_id}"
    assert "opted out of our mails" in admin.client.get(url).get_data(as_text=True)
    reply = admin.post_form(url, {**GOOD, "email": "ana.new@example.org"})
    assert reply.status_code == 422
    assert "cannot change" in reply.get_data(as_text=True)
    # Her name may still be corrected.
    fixed = admin.post_form(url, {**GOOD, "email": "ana@example.org", "name": "Ana Petrovska"})
    assert fixed.status_code == 303


def test_a_bounced_contacts_address_can_be_corrected(app, staff):
    admin = staff("admin")
    with app.app_context():
        contact_id = make_contact("ana@exmaple.org").id
        with write_transaction():
            suppress("ana@exmaple.org", "bounced", "550 5.1.2 bad domain")
    listing = admin.client.get("/en/staff/contacts").get_data(as_text=True)
    assert "bounced" in listing
    reply = admin.post_form(
        f"/en/staff/contacts/{contact_id}", {**GOOD, "email": "ana@example.org"}
    )
    assert reply.status_code == 303
    assert (
        "bounced"
        not in admin.client.get("/en/staff/contacts").get_data(as_text=True).split("<table", 1)[-1]
    )


def test_deleting_a_contact_cancels_their_waiting_mails_and_keeps_the_link(app, staff):
    with_public_url(app)
    admin = staff("admin")
    with app.app_context():
        contact_id = make_contact("ana@example.org").id
        sending.send_invitations(demo_campaign().id, Selection(), STAFF)
    url = f"/en/staff/contacts/{contact_id}/delete"
    assert "will be deleted" in admin.client.get(url).get_data(as_text=True)
    assert admin.post_form(url, {}).status_code == 303
    with app.app_context():
        assert db.session.get(Contact, contact_id) is None
        assert [mail.status for mail in mails()] == ["cancelled"]
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.id == mails()[0].invitation_id)
        )
        assert invitation is not None and invitation.contact_id is None


def test_the_list_filters_by_country_role_and_text(app, staff):
    admin = staff("admin")
    with app.app_context():
        make_contact("ana@example.org", "mk-cair", "mayor", "mk", "Ана Петровска")
        make_contact("besa@example.org", "al-tirane", "councillor", "sq", "Besa Hoxha")
    listing = admin.client.get("/en/staff/contacts?country=AL").get_data(as_text=True)
    assert "Besa Hoxha" in listing and "Ана" not in listing
    listing = admin.client.get("/en/staff/contacts?role=mayor").get_data(as_text=True)
    assert "Besa Hoxha" not in listing and "Ана" in listing
    listing = admin.client.get("/en/staff/contacts?q=hoxha").get_data(as_text=True)
    assert "Besa Hoxha" in listing and "Ана" not in listing
    odd = admin.client.get("/en/staff/contacts?country=<x>&role=king&page=-1")
    assert odd.status_code == 200 and "were not understood" in odd.get_data(as_text=True)


def test_translators_see_no_contacts(app, staff):
    translator = staff("translator")
    assert translator.client.get("/en/staff/contacts").status_code == 403


def test_the_audit_log_and_staff_home_tell_outreach_in_words(app, staff, client):
    admin = staff("admin")
    admin.post_form("/en/staff/contacts/new", GOOD)
    from surveyapp.outreach.opt_out import opt_out

    with app.app_context():
        opt_out(db.session.scalar(select(Contact.opt_out_token)), "one_click")
    log = admin.client.get("/en/staff/audit").get_data(as_text=True)
    assert "added a contact" in log and "A contact opted out of our mails" in log
    assert "ana.petrovska" not in log  # the log names no address
    home = admin.client.get("/en/staff/").get_data(as_text=True)
    assert "added a contact" in home
