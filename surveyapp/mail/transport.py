"""Handing messages over: to the SMTP server in the configuration (one connection per
batch), or, without one, to .eml files in a folder so that a newcomer sees them.

``send`` says what happened to one message as an ``Outcome``: accepted, a temporary
failure (4xx, lost connection: try again later), or refused for good (5xx), and whether
the refusal was the recipient's (5xx at RCPT: the address bounced).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

SENT = "sent"
TEMPORARY = "temporary"
PERMANENT = "permanent"


@dataclass(frozen=True)
class Outcome:
    kind: str  # SENT, TEMPORARY or PERMANENT
    #: The server's reply ("550 5.1.1 no such user"), or what went wrong.
    detail: str = ""
    #: A permanent refusal of the recipient (the address does not take mail).
    recipient_refused: bool = False
    #: The connection is gone: the rest of the batch waits for the next attempt.
    connection_lost: bool = False


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()[:500]


def _kind(code: int) -> str:
    return PERMANENT if 500 <= code < 600 else TEMPORARY


class Transport(Protocol):
    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, opened on the first message and kept for the batch."""

    def __init__(self, config: Any) -> None:
        self.host = str(config["MAIL_SERVER"])
        self.use_ssl = bool(config.get("MAIL_USE_SSL"))
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.port = int(
            config.get("MAIL_PORT") or (465 if self.use_ssl else 587 if self.use_tls else 25)
        )
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config.get("MAIL_TIMEOUT") or 30)
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if self.use_ssl:
            connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo_or_helo_if_needed()
            if self.use_tls and not self.use_ssl:
                connection.starttls(context=context)
                connection.ehlo()
            if self.username:
                connection.login(str(self.username), str(self.password or ""))
        except BaseException:
            _quietly_close(connection)
            raise
        return connection

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients.get(recipient, next(iter(error.recipients.values())))
            kind = _kind(code)
            return Outcome(kind, _reply(code, reply), recipient_refused=kind == PERMANENT)
        except smtplib.SMTPSenderRefused as error:
            # our sender address: not the recipient's fault, so never a bounce
            return Outcome(TEMPORARY, "MAIL FROM: " + _reply(error.smtp_code, error.smtp_error))
        except smtplib.SMTPDataError as error:
            return Outcome(
                _kind(error.smtp_code), "DATA: " + _reply(error.smtp_code, error.smtp_error)
            )
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            return Outcome(
                TEMPORARY,
                "AUTH: " + _reply(error.smtp_code, error.smtp_error),
                connection_lost=True,
            )
        except smtplib.SMTPResponseException as error:
            self.close()
            return Outcome(
                TEMPORARY, _reply(error.smtp_code, error.smtp_error), connection_lost=True
            )
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            self.close()
            return Outcome(
                TEMPORARY, f"{type(error).__name__}: {error}"[:500], connection_lost=True
            )
        return Outcome(SENT)

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(connection)


def _quietly_close(connection: smtplib.SMTP) -> None:
    try:
        connection.close()
    except OSError:
        pass


class FileTransport:
    """Writes each message to ``<folder>/<Message-ID>.eml`` (written aside, then renamed:
    a reader never sees half a file, and sending again replaces it)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage, sender: str, recipient: str) -> Outcome:
        name = "".join(c if c.isalnum() or c in "-._@" else "_" for c in str(message["Message-ID"]))
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{name.strip('_')}.eml"
            draft = path.with_suffix(f".{os.getpid()}.tmp")
            draft.write_bytes(
                b"X-Envelope-From: " + sender.encode() + b"\r\n"
                b"X-Envelope-To: " + recipient.encode("utf-8") + b"\r\n" + message.as_bytes()
            )
            os.replace(draft, path)
        except OSError as error:
            return Outcome(
                TEMPORARY, f"{type(error).__name__}: {error}"[:500], connection_lost=True
            )
        return Outcome(SENT)

    def close(self) -> None:
        pass


def transport_for(config: Any, instance_path: str) -> Transport:
    """SMTP when MAIL_SERVER is set, else .eml files (MAIL_FILE_DIR, or instance/mail/)."""
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return FileTransport(config.get("MAIL_FILE_DIR") or os.path.join(instance_path, "mail"))
