"""Bounces: delivery status notifications (RFC 3464) read from an uploaded .eml or mbox
file, or from an IMAP mailbox, and the addresses they report marked as bounced.

A report counts when it is ``multipart/report; report-type=delivery-status`` and a
recipient's block says ``Action: failed`` with a ``Status`` of 5.x.x. The mail it is
about is found by the Message-ID of the returned message (its headers are part of the
report), else by the recipient's address (the last mail sent there).
"""

from __future__ import annotations

import email
import imaplib
import logging
import mailbox
import os
import re
import ssl
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from email.policy import default as default_policy

from flask import current_app
from huey import crontab
from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.jobs import periodic_job
from surveyapp.mail import audit
from surveyapp.mail.outbox import normalise_address, suppress
from surveyapp.models.mail import (
    MAIL_BOUNCED,
    MAIL_FAILED,
    MAIL_QUEUED,
    MAIL_SENDING,
    MAIL_SENT,
    SUPPRESSED_BOUNCED,
    OutboundMail,
)

log = logging.getLogger(__name__)

#: An upload larger than this is refused (a bounce mailbox export can be big, but not this).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")


class NotAMailbox(ValueError):
    """The file is neither a message (.eml) nor an mbox."""


@dataclass(frozen=True)
class Bounce:
    address: str
    status: str
    diagnostic: str
    #: Message-ID of the mail that bounced, when the report returned its headers.
    message_id: str | None


@dataclass
class BounceReport:
    messages: int = 0
    #: Messages that were no delivery status notification (or reported no failure).
    ignored: int = 0
    bounces: list[Bounce] = field(default_factory=list)
    #: Addresses newly marked as bounced, and the mails matched to them.
    addresses: list[str] = field(default_factory=list)
    mails: list[int] = field(default_factory=list)


def _field(block: Message, name: str) -> str:
    value = block.get(name)
    return str(value).strip() if value is not None else ""


def _address_of(value: str) -> str:
    """``rfc822; someone@example.org`` (an address-type, then the address)."""
    _, _, address = value.partition(";")
    address = (address or value).strip().strip("<>").strip()
    return normalise_address(address) if "@" in address else ""


def _returned_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        elif kind == "text/rfc822-headers":
            payload = part.get_payload(decode=False)
            headers = email.message_from_string(payload if isinstance(payload, str) else "")
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    return None


def bounces_in(message: Message) -> list[Bounce]:
    """The failed recipients a delivery status notification reports (none otherwise)."""
    if message.get_content_type() != "multipart/report":
        return []
    report_type = message.get_param("report-type")
    if not isinstance(report_type, str) or report_type.lower() != "delivery-status":
        return []
    message_id = _returned_message_id(message)
    found = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if not isinstance(payload, list):
            continue
        blocks = [block for block in payload if isinstance(block, Message)]
        if not blocks:
            continue
        per_message, *per_recipient = blocks
        original = _field(per_message, "Original-Message-ID") or None  # some MTAs add it
        for block in per_recipient:
            action = _field(block, "Action").lower()
            status = _field(block, "Status")
            address = _address_of(
                _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
            )
            if (
                action == "failed"
                and _STATUS.match(status)
                and status.strip().startswith("5")
                and address
            ):
                found.append(
                    Bounce(
                        address,
                        status.split()[0],
                        _field(block, "Diagnostic-Code")[:300],
                        message_id or original,
                    )
                )
    return found


def messages_in(data: bytes) -> Iterator[Message]:
    """The messages of an upload: an mbox ("From " lines) or one message (.eml)."""
    if not data.strip():
        raise NotAMailbox("empty")
    if data.lstrip().startswith(b"From "):
        fd, path = tempfile.mkstemp(suffix=".mbox")
        try:
            with os.fdopen(fd, "wb") as fp:
                fp.write(data)
            box = mailbox.mbox(path, factory=None, create=False)
            try:
                for key in box.keys():
                    yield email.message_from_bytes(box.get_bytes(key), policy=default_policy)
            finally:
                box.close()
        finally:
            os.unlink(path)
        return
    message = email.message_from_bytes(data, policy=default_policy)
    if not message.keys():
        raise NotAMailbox("no headers")
    yield message


def read_reports(messages: Iterable[Message]) -> BounceReport:
    report = BounceReport()
    for message in messages:
        report.messages += 1
        found = bounces_in(message)
        if not found:
            report.ignored += 1
        report.bounces.extend(found)
    return report


@write_transaction()
def apply_bounces(
    report: BounceReport, user_id: int | None = None, source: str = "upload"
) -> BounceReport:
    """Suppress every bounced address and mark its mail bounced, each with an audit event.

    A report about a mail of ours (its Message-ID) suppresses the address we wrote to,
    even when the final recipient differs (the mail was forwarded, and the forward
    bounced); without one, the reported address itself.
    """
    for bounce in report.bounces:
        mail = None
        if bounce.message_id:
            mail = db.session.scalar(
                select(OutboundMail).where(OutboundMail.message_id == bounce.message_id)
            )
        if mail is None:
            mail = db.session.scalar(
                select(OutboundMail)
                .where(
                    func.lower(OutboundMail.to_address) == bounce.address,
                    OutboundMail.status.in_((MAIL_SENT, MAIL_FAILED, MAIL_SENDING, MAIL_QUEUED)),
                )
                .order_by(OutboundMail.sent_at.desc().nulls_last(), OutboundMail.id.desc())
                .limit(1)
            )
        address = normalise_address(mail.to_address) if mail is not None else bounce.address
        detail = f"{bounce.status} {bounce.diagnostic}".strip()
        if address != bounce.address:
            detail = f"{detail} (forwarded to {bounce.address})"
        suppress(address, SUPPRESSED_BOUNCED, detail)
        if address not in report.addresses:
            report.addresses.append(address)
        if mail is not None and mail.status != MAIL_BOUNCED:
            mail.status, mail.last_error = MAIL_BOUNCED, detail
            report.mails.append(mail.id)
        audit.note(
            "mail_bounced",
            mail,
            user_id=user_id,
            to=address,
            status=bounce.status,
            source=source,
        )
    db.session.commit()
    return report


def import_file(data: bytes, user_id: int | None = None) -> BounceReport:
    """Read an uploaded .eml or mbox and apply what it reports (raises NotAMailbox)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise NotAMailbox("too large")
    report = read_reports(messages_in(data))
    return apply_bounces(report, user_id=user_id)


def read_imap() -> BounceReport | None:
    """Read the unseen messages of the bounce mailbox (MAIL_BOUNCE_IMAP_*), apply the
    reports, and mark the messages seen; None when no mailbox is configured."""
    config = current_app.config
    host = config.get("MAIL_BOUNCE_IMAP_HOST")
    if not host:
        return None
    port = int(config.get("MAIL_BOUNCE_IMAP_PORT") or 993)
    connection: imaplib.IMAP4
    if config.get("MAIL_BOUNCE_IMAP_SSL"):
        connection = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=30
        )
    else:
        connection = imaplib.IMAP4(host, port, timeout=30)
    messages: list[Message] = []
    seen: list[str] = []
    try:
        connection.login(
            str(config.get("MAIL_BOUNCE_IMAP_USERNAME") or ""),
            str(config.get("MAIL_BOUNCE_IMAP_PASSWORD") or ""),
        )
        connection.select(str(config.get("MAIL_BOUNCE_IMAP_FOLDER") or "INBOX"))
        _, found = connection.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").decode("ascii", "replace").split():
            _, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw:
                messages.append(email.message_from_bytes(raw, policy=default_policy))
                seen.append(uid)
        report = apply_bounces(read_reports(messages), source="imap")
        for uid in seen:
            connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        return report
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


@periodic_job(crontab(minute="*/10"), name="mail.read_bounce_mailbox")
def read_bounce_mailbox() -> None:
    """Every ten minutes, when a bounce mailbox is configured."""
    if current_app.config.get("MAIL_BOUNCE_IMAP_HOST"):
        report = read_imap()
        if report is not None and report.bounces:
            log.info("bounce mailbox: %d bounced address(es)", len(report.addresses))
