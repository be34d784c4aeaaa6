"""The outgoing-mail page says what went wrong with each mail in the staff member's
language, beside the server's own reply: mails really sent to a real SMTP server on
127.0.0.1 (aiosmtpd) that refuses, defers, or is not there at all."""

from __future__ import annotations

import pytest

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.mail import delivery
from surveyapp.mail.outbox import queue_mail
from surveyapp.mail.problems import explain
from tests.smtp_server import free_port


def _queue(app, address: str) -> None:
    with app.app_context(), write_transaction():
        queue_mail(
            kind="invitation",
            to_address=address,
            language="en",
            subject=f"Invitation for {address}",
            text_body="Hello",
        )
        db.session.flush()


def _deliver(app) -> None:
    with app.app_context():
        delivery.deliver_all()


def _outbox(client, lang: str) -> str:
    reply = client.get(f"/{lang}/staff/mail")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def test_a_refused_address_and_a_deferred_mail_are_explained_in_macedonian(
    app, client, staff, smtp_server
):
    app.config.update(**smtp_server.config())
    smtp_server.handler.refuse.add("gone@example.org")
    smtp_server.handler.defer_once.add("grey@example.org")
    _queue(app, "gone@example.org")
    _queue(app, "grey@example.org")
    _deliver(app)
    staff("admin")
    page = _outbox(client, "mk")
    assert "Серверот на примачот ја одби адресата" in page
    assert "Серверот за пошта побара пораката да се испрати повторно подоцна" in page
    assert "Ќе се направи нов обид во прикажаното време" in page
    # the servers' own words stay, as they came
    assert "550" in page and "451" in page
    assert "What went wrong" not in page and "Што не е во ред" in page


def test_an_unreachable_server_is_explained_in_albanian(app, client, staff):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    _queue(app, "someone@example.org")
    _deliver(app)
    staff("admin")
    page = _outbox(client, "sq")
    assert "Nuk u arrit lidhja me serverin e postës" in page
    assert "ConnectionRefusedError" in page


@pytest.mark.parametrize(
    ("status", "last_error", "suppressed", "expected"),
    [
        ("failed", "550 5.1.1 no such user", True, "The recipient's server refused the address"),
        ("failed", "554 5.7.1 go away", False, "The mail server refused the message."),
        ("failed", "AUTH: 535 5.7.8 bad credentials", False, "user name or password"),
        ("queued", "MAIL FROM: 553 not our sender", False, "did not accept the sender address"),
        ("failed", "DATA: 552 message too big", False, "The mail server refused the message."),
        ("queued", "421 4.3.2 try later", False, "asked for the message to be sent again"),
        ("queued", "TimeoutError: timed out", False, "could not be reached"),
        ("bounced", "5.1.1 smtp; 550 unknown", True, "came back as undeliverable"),
    ],
)
def test_each_kind_of_failure_has_its_explanation(app, status, last_error, suppressed, expected):
    with app.test_request_context("/en/staff/mail"):
        problem = explain(status, last_error, suppressed)
    assert problem is not None and expected in problem.summary
    assert problem.reply == last_error
    if status == "queued":
        assert problem.summary.endswith("Another attempt will be made at the time shown.")
    elif status == "failed" and not suppressed:
        assert problem.summary.endswith("No more attempts will be made.")


def test_a_sent_or_untried_mail_has_nothing_to_explain(app):
    with app.test_request_context("/en/staff/mail"):
        assert explain("sent", None) is None
        assert explain("queued", None) is None
        assert explain("cancelled", "the recipient has answered") is None
