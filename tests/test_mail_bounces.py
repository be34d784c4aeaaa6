"""Bounce reports (RFC 3464 delivery status notifications) from an uploaded .eml or
mbox file mark their addresses bounced, and the mail they report."""

from __future__ import annotations

import io
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail import bounces
from surveyapp.mail.outbox import queue_mail, suppression_of
from surveyapp.models import AuditEvent, OutboundMail
from tests.conftest import csrf_token

DATA = Path(__file__).parent / "data"
DSN = (DATA / "dsn_bounce.eml").read_bytes()
MBOX = (DATA / "bounces.mbox").read_bytes()
BOUNCED = "kryetari@komuna-example.org"
MESSAGE_ID = "<176509523812.4242.1234567890@example.org>"


def _sent_mail(
    app, to: str = "Kryetari@Komuna-Example.org", message_id: str | None = MESSAGE_ID
) -> int:
    with app.app_context(), write_transaction():
        mail = queue_mail(
            kind="invitation", to_address=to, language="sq", subject="Ftesë", text_body="…"
        )
        if message_id:
            mail.message_id = message_id
        mail.status = "sent"
        db.session.flush()
        return mail.id


def test_a_delivery_status_notification_names_the_failed_recipient_and_the_mail():
    [bounce] = bounces.bounces_in(message_from_bytes(DSN, policy=default))
    assert bounce.address == BOUNCED
    assert bounce.status == "5.1.1"
    assert bounce.message_id == MESSAGE_ID
    assert "User unknown" in bounce.diagnostic


def test_an_mbox_is_read_message_by_message_and_only_failures_count():
    report = bounces.read_reports(bounces.messages_in(MBOX))
    assert report.messages == 3
    assert report.ignored == 2  # a delay notice and an out-of-office reply
    assert [b.address for b in report.bounces] == [BOUNCED]


@pytest.mark.parametrize("data", [b"", b"\x00\x01 not mail", b"   \n"])
def test_a_file_that_is_no_mail_is_refused(data):
    with pytest.raises(bounces.NotAMailbox):
        list(bounces.messages_in(data))


def test_importing_the_dsn_marks_the_mail_and_the_address_bounced(app):
    mail_id = _sent_mail(app)
    with app.app_context():
        report = bounces.import_file(DSN)
        assert report.addresses == [BOUNCED] and report.mails == [mail_id]
        mail = db.session.get(OutboundMail, mail_id)
        assert mail.status == "bounced" and mail.last_error.startswith("5.1.1")
        suppressed = suppression_of(BOUNCED)
        assert suppressed.reason == "bounced" and "5.1.1" in suppressed.detail
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_bounced"))
        assert event.target == f"mail:{mail_id}" and event.details["status"] == "5.1.1"
        # reading the same report again changes nothing more
        again = bounces.import_file(DSN)
        assert again.mails == [] and again.addresses == [BOUNCED]


def test_without_a_known_message_id_the_last_mail_to_the_address_is_marked(app):
    older = _sent_mail(app, message_id=None)
    newer = _sent_mail(app, message_id=None)
    with app.app_context():
        report = bounces.import_file(DSN.replace(b"1234567890@example.org", b"unknown@example.org"))
        assert report.mails == [newer]
        assert db.session.get(OutboundMail, older).status == "sent"


def test_a_bounce_for_an_address_never_written_to_still_suppresses_it(app):
    with app.app_context():
        report = bounces.import_file(DSN)
        assert report.mails == [] and suppression_of(BOUNCED) is not None


def _upload(client, data: bytes, name: str = "bounces.mbox"):
    token = csrf_token(client.get("/en/staff/mail").get_data(as_text=True))
    return client.post(
        "/en/staff/mail/bounces",
        data={"csrf_token": token, "report": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_admin_uploads_bounces_on_the_outgoing_mail_page(app, client, staff):
    _sent_mail(app)
    staff("admin")
    reply = _upload(client, MBOX)
    assert reply.status_code == 303
    page = client.get(reply.location).get_data(as_text=True)
    assert "Messages read: 3. Addresses marked as bounced: 1." in page
    assert BOUNCED in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bounces_imported"))
        assert event.user_id is not None and event.details["bounced"] == 1
        marked = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_bounced"))
        assert marked.user_id == event.user_id and marked.details["source"] == "upload"


def test_a_file_that_is_no_mail_gets_a_message_and_changes_nothing(app, client, staff):
    staff("admin")
    reply = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", "picture.png")
    assert reply.status_code == 422
    assert "is not an e-mail message (.eml) or a mailbox (mbox)" in reply.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bounces_imported"))
            is None
        )


def test_the_outgoing_mail_page_is_for_admins_only(client, staff):
    staff("analyst")
    assert client.get("/en/staff/mail").status_code == 403
    token = csrf_token(client.get("/en/staff/account/password").get_data(as_text=True))
    reply = client.post(
        "/en/staff/mail/bounces",
        data={"csrf_token": token, "report": (io.BytesIO(DSN), "x.eml")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 403
