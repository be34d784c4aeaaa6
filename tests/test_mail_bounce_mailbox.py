"""The bounce mailbox read over IMAP: a minimal IMAP server on 127.0.0.1 serves the DSN
fixture and an unrelated message; the report marks its address, and both messages are
marked seen (and not read again)."""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from surveyapp.mail import bounces
from surveyapp.mail.outbox import suppression_of
from tests.smtp_server import free_port

DSN = (Path(__file__).parent / "data" / "dsn_bounce.eml").read_bytes()
OTHER = b"From: a@example.org\r\nTo: hub@example.org\r\nSubject: Hello\r\n\r\nJust a message.\r\n"


class FakeImap(socketserver.StreamRequestHandler):
    """Enough of IMAP4rev1 for imaplib: LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT."""

    mailbox: dict[int, dict]  # uid -> {"data": bytes, "seen": bool}
    logins: list[tuple[str, str]]

    def send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.send("* OK fake IMAP ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().strip().partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                self.logins.append(tuple(a.strip('"') for a in args.split(" ", 1)))
            elif command == "SELECT":
                self.send(f"* {len(self.mailbox)} EXISTS")
            elif command == "LOGOUT":
                self.send("* BYE")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command == "UID":
                sub, _, more = args.partition(" ")
                sub = sub.upper()
                if sub == "SEARCH":
                    unseen = [str(uid) for uid, m in self.mailbox.items() if not m["seen"]]
                    self.send("* SEARCH " + " ".join(unseen))
                elif sub == "FETCH":
                    uid = int(more.split(" ")[0])
                    data = self.mailbox[uid]["data"]
                    self.wfile.write(
                        f"* {uid} FETCH (UID {uid} BODY[] {{{len(data)}}}\r\n".encode()
                        + data
                        + b")\r\n"
                    )
                elif sub == "STORE":
                    uid = int(more.split(" ")[0])
                    if re.search(r"\\Seen", more):
                        self.mailbox[uid]["seen"] = True
            self.send(f"{tag} OK {command} completed")


@pytest.fixture
def imap_server() -> Iterator[tuple[int, type[FakeImap]]]:
    handler = type(
        "Handler",
        (FakeImap,),
        {
            "mailbox": {1: {"data": DSN, "seen": False}, 2: {"data": OTHER, "seen": False}},
            "logins": [],
        },
    )
    port = free_port()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_bounce_mailbox_is_read_over_imap(app_with, imap_server):
    port, handler = imap_server
    app = app_with(
        MAIL_BOUNCE_IMAP_HOST="127.0.0.1",
        MAIL_BOUNCE_IMAP_PORT=port,
        MAIL_BOUNCE_IMAP_SSL=False,
        MAIL_BOUNCE_IMAP_USERNAME="bounces",
        MAIL_BOUNCE_IMAP_PASSWORD="secret",
    )
    with app.app_context():
        report = bounces.read_imap()
        assert report.messages == 2 and report.ignored == 1
        assert report.addresses == ["kryetari@komuna-example.org"]
        assert suppression_of("kryetari@komuna-example.org").reason == "bounced"
        assert handler.logins == [("bounces", "secret")]
        assert all(m["seen"] for m in handler.mailbox.values())
        assert bounces.read_imap().messages == 0  # nothing unseen is left


def test_without_a_mailbox_configured_nothing_is_read(app):
    with app.app_context():
        assert bounces.read_imap() is None
