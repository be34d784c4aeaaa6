"""Delivery of the outbox through a real SMTP server on 127.0.0.1 (aiosmtpd): what it
receives, retries and refusals, the rate limit, claims, and .eml files without SMTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import queue
from surveyapp.mail import delivery
from surveyapp.mail.outbox import queue_mail, suppress, suppression_of
from surveyapp.models import AuditEvent, OutboundMail
from surveyapp.models.base import utcnow


def _queue(app, count: int = 1, **fields) -> list[int]:
    ids = []
    with app.app_context(), write_transaction():
        for n in range(count):
            values = {
                "kind": "invitation",
                "to_address": f"person{n}@example.org",
                "language": "en",
                "subject": "Invitation",
                "text_body": "Hello",
                **fields,
            }
            mail = queue_mail(**values)
            db.session.flush()
            ids.append(mail.id)
    return ids


def _mail(app, mail_id: int) -> OutboundMail:
    with app.app_context():
        return db.session.get(OutboundMail, mail_id)


def _deliver(app):
    with app.app_context():
        return delivery.deliver_all()


@pytest.fixture
def mail_app(app_with, smtp_server, tmp_path):
    return app_with(**smtp_server.config(), MAIL_FILE_DIR=str(tmp_path / "mail"))


def test_a_mail_arrives_with_its_headers_and_both_alternatives(mail_app, smtp_server):
    [mail_id] = _queue(
        mail_app,
        to_address="Gradonacelnik@Opstina.example.org",
        to_name="Градоначелник Јовановић",
        language="sr",
        subject="Позив: потребе општине",
        text_body="Поштовани,\nотворите везу: https://hub.example.org/sr/r/abc\n",
        html_body='<p>Поштовани,</p><p><a href="https://hub.example.org/sr/r/abc">отворите</a></p>',
        unsubscribe_url="https://hub.example.org/unsubscribe/xyz",
    )
    report = _deliver(mail_app)
    assert (report.sent, report.failed, report.retried) == (1, 0, 0)
    [got] = smtp_server.received
    assert got.rcpt_tos == ["Gradonacelnik@Opstina.example.org"]
    assert got.mail_from == "hub@example.org"
    message = got.message
    mail = _mail(mail_app, mail_id)
    assert message["Message-ID"] == mail.message_id
    assert message["To"].addresses[0].display_name == "Градоначелник Јовановић"
    assert message["Subject"] == "Позив: потребе општине"
    assert message["Content-Language"] == "sr"
    assert message["List-Unsubscribe"] == "<https://hub.example.org/unsubscribe/xyz>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["From"].addresses[0].addr_spec == "hub@example.org"
    assert abs(parsedate_to_datetime(message["Date"]).timestamp() - got.at) < 120
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://hub.example.org/sr/r/abc" in text and "Поштовани" in text
    assert '<a href="https://hub.example.org/sr/r/abc">' in html
    assert b"<img" not in got.data  # no tracking pixel
    assert mail.status == "sent" and mail.sent_at is not None and mail.attempts == 1
    with mail_app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_sent"))
        assert event.target == f"mail:{mail_id}" and event.details["to"] == mail.to_address


def test_a_mail_without_html_or_unsubscribe_is_plain_text_without_list_headers(
    mail_app, smtp_server
):
    _queue(mail_app, kind="password_reset")
    _deliver(mail_app)
    message = smtp_server.received[0].message
    assert message.get_content_type() == "text/plain"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None


@pytest.mark.parametrize(
    "name",
    [
        "Ana <b>Boss</b>\r\nBcc: victim@example.org",
        "Ana\nSubject: forged\n\n<script>alert(1)</script>",
        '"Ana" <evil@example.org>, other@example.org',
    ],
)
def test_a_name_with_html_or_line_breaks_stays_text_in_one_to_header(mail_app, smtp_server, name):
    _queue(mail_app, to_address="ana@example.org", to_name=name)
    assert _deliver(mail_app).sent == 1
    [got] = smtp_server.received
    assert got.rcpt_tos == ["ana@example.org"]
    message = got.message
    assert message["Bcc"] is None
    assert message.get_all("Subject") == ["Invitation"]
    assert len(message.get_all("To")) == 1
    [address] = message["To"].addresses
    assert address.addr_spec == "ana@example.org"
    assert "\n" not in address.display_name and "\r" not in address.display_name
    head = got.data.split(b"\r\n\r\n")[0]
    assert b"\r\nBcc:" not in head and b"\r\nSubject: forged" not in head


def test_a_recipient_refused_for_good_is_failed_and_its_address_bounced(mail_app, smtp_server):
    smtp_server.handler.refuse.add("gone@example.org")
    gone, kept = _queue(mail_app, count=1, to_address="gone@example.org") + _queue(mail_app)
    report = _deliver(mail_app)
    assert (report.sent, report.failed) == (1, 1)
    assert _mail(mail_app, gone).status == "failed"
    assert "550" in _mail(mail_app, gone).last_error
    assert _mail(mail_app, kept).status == "sent"
    assert [r.rcpt_tos for r in smtp_server.received] == [["person0@example.org"]]
    with mail_app.app_context():
        assert suppression_of("GONE@example.org").reason == "bounced"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail_failed"))
        assert event.details["bounced"] is True
    # a mail queued later to the address is never sent
    [later] = _queue(mail_app, to_address="gone@example.org")
    _deliver(mail_app)
    assert _mail(mail_app, later).status == "cancelled"
    assert len(smtp_server.received) == 1


def test_a_temporary_refusal_is_retried_later_and_then_delivered(mail_app, smtp_server):
    smtp_server.handler.defer_once.add("grey@example.org")
    [mail_id] = _queue(mail_app, to_address="grey@example.org")
    before = utcnow()
    report = _deliver(mail_app)
    assert (report.sent, report.retried) == (0, 1)
    mail = _mail(mail_app, mail_id)
    assert mail.status == "queued" and mail.attempts == 1 and "451" in mail.last_error
    assert mail.send_after >= before + timedelta(seconds=59)  # MAIL_RETRY_SECONDS
    assert _deliver(mail_app).claimed == 0  # not due yet
    with mail_app.app_context(), write_transaction():
        db.session.execute(update(OutboundMail).values(send_after=utcnow()))
    assert _deliver(mail_app).sent == 1
    mail = _mail(mail_app, mail_id)
    assert mail.status == "sent" and mail.attempts == 2
    assert [r.rcpt_tos for r in smtp_server.received] == [["grey@example.org"]]


def test_the_wait_doubles_and_too_many_temporary_failures_fail_without_a_bounce(
    app_with, smtp_server
):
    app = app_with(**smtp_server.config(), MAIL_MAX_ATTEMPTS=3, MAIL_RETRY_SECONDS=10)
    smtp_server.handler.defer_always.add("full@example.org")
    [mail_id] = _queue(app, to_address="full@example.org")
    waits = []
    for _ in range(3):
        now = utcnow()
        _deliver(app)
        mail = _mail(app, mail_id)
        waits.append(round((mail.send_after - now).total_seconds()))
        with app.app_context(), write_transaction():
            db.session.execute(update(OutboundMail).values(send_after=utcnow()))
    assert waits[:2] == [10, 20]
    mail = _mail(app, mail_id)
    assert mail.status == "failed" and mail.attempts == 3
    with app.app_context():
        assert suppression_of("full@example.org") is None


def test_no_smtp_server_retries_the_whole_batch_later(app_with):
    from tests.smtp_server import free_port

    app = app_with(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    ids = _queue(app, count=3)
    report = _deliver(app)
    assert report.retried == 3 and report.sent == 0
    for mail_id in ids:
        mail = _mail(app, mail_id)
        assert mail.status == "queued" and mail.attempts == 1 and mail.send_after > utcnow()
        assert "ConnectionRefused" in mail.last_error


def test_without_smtp_mails_are_written_as_eml_files(app_with, tmp_path):
    folder = tmp_path / "outbox"
    app = app_with(MAIL_SERVER=None, MAIL_FILE_DIR=str(folder))
    [mail_id] = _queue(app, to_name="Ana", html_body="<p>Hello</p>")
    assert _deliver(app).sent == 1
    [path] = folder.glob("*.eml")
    from email import message_from_bytes
    from email.policy import default

    message = message_from_bytes(path.read_bytes(), policy=default)
    assert message["Message-ID"] == _mail(app, mail_id).message_id
    assert message["X-Envelope-To"] == "person0@example.org"
    assert message.get_body(("html",)).get_content().strip() == "<p>Hello</p>"


def test_the_default_folder_is_the_instance_folders_mail(app_with, tmp_path):
    app = app_with(MAIL_SERVER=None)
    app.instance_path = str(tmp_path / "instance")
    _queue(app)
    _deliver(app)
    assert len(list((tmp_path / "instance" / "mail").glob("*.eml"))) == 1


def test_an_address_suppressed_after_queueing_is_not_sent(mail_app, smtp_server):
    [mail_id] = _queue(mail_app, to_address="Left@example.org")
    with mail_app.app_context(), write_transaction():
        suppress("left@example.org", "opted_out")
    _deliver(mail_app)
    assert _mail(mail_app, mail_id).status == "cancelled"
    assert smtp_server.received == []
    with mail_app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.action).where(AuditEvent.target == f"mail:{mail_id}")
            )
            == "mail_not_sent"
        )


def test_a_scheduled_mail_waits_for_its_time(mail_app, smtp_server):
    [mail_id] = _queue(mail_app, send_after=utcnow() + timedelta(hours=2))
    assert _deliver(mail_app).claimed == 0
    assert _mail(mail_app, mail_id).status == "queued"


def test_the_rate_limit_counts_every_worker_over_the_last_minute(app_with, smtp_server):
    app = app_with(**smtp_server.config(), MAIL_RATE_PER_MINUTE=5, MAIL_BATCH_SIZE=3)
    _queue(app, count=8)
    assert _deliver(app).sent == 5
    with app.app_context():
        oldest = db.session.scalar(
            select(OutboundMail.attempted_at)
            .where(OutboundMail.attempted_at.is_not(None))
            .order_by(OutboundMail.attempted_at)
        )
        assert delivery.claim_batch("another worker", 3) == ([], 0)
        assert delivery.next_due() == oldest + delivery.WINDOW
    # a minute later there is room again
    with app.app_context(), write_transaction():
        db.session.execute(
            update(OutboundMail).values(
                attempted_at=OutboundMail.attempted_at - timedelta(seconds=61)
            )
        )
    assert _deliver(app).sent == 3


def test_a_claim_is_exclusive_until_it_expires(mail_app):
    ids = _queue(mail_app, count=4)
    with mail_app.app_context():
        first, _ = delivery.claim_batch("worker A", 3)
        second, _ = delivery.claim_batch("worker B", 3)
        assert sorted(first + second) == ids and not set(first) & set(second)
        assert delivery.claim_batch("worker C", 3) == ([], 0)
        later = utcnow() + timedelta(seconds=121)  # MAIL_CLAIM_SECONDS has passed
        again, _ = delivery.claim_batch("worker C", 10, now=later)
        assert sorted(again) == ids
        # worker A comes back too late: its outcome is not recorded over C's claim
        from surveyapp.mail.transport import Outcome

        assert delivery.record_outcome(first[0], "worker A", Outcome("sent")) == "lost"


def test_concurrent_claims_take_disjoint_batches(mail_app):
    """On PostgreSQL (FOR UPDATE SKIP LOCKED) and SQLite (the write lock) alike."""
    _queue(mail_app, count=60)
    taken: list[list[int]] = []
    errors: list[BaseException] = []

    def claim(name: str) -> None:
        try:
            with mail_app.app_context():
                while True:
                    ids, _ = delivery.claim_batch(name, 7)
                    if not ids:
                        return
                    taken.append(ids)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=claim, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    flat = [mail_id for batch in taken for mail_id in batch]
    assert len(flat) == len(set(flat)) == 60


def test_committing_a_queued_mail_queues_a_delivery_and_a_rollback_does_not(mail_app, smtp_server):
    huey = queue.huey_for(mail_app)
    with mail_app.app_context():
        with pytest.raises(RuntimeError), write_transaction():
            queue_mail(
                kind="invitation",
                to_address="a@example.org",
                language="en",
                subject="s",
                text_body="t",
            )
            raise RuntimeError("changed my mind")
    assert huey.pending_count() == 0
    _queue(mail_app, count=2)
    assert huey.pending_count() == 1  # one delivery for the transaction, not one per mail
    assert queue.run_pending(mail_app) == 1
    assert len(smtp_server.received) == 2


def test_in_immediate_mode_the_commit_sends_at_once(app_with, smtp_server):
    app = app_with(**smtp_server.config(), JOB_QUEUE_IMMEDIATE=True)
    [mail_id] = _queue(app)
    assert _mail(app, mail_id).status == "sent"
    assert len(smtp_server.received) == 1
