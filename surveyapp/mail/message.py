"""An outbox row as the MIME message that goes out (the standard library's EmailMessage).

Every header is set through the header registry, never by joining strings: a name such
as ``"Ana\\r\\nBcc: x@y"`` or ``"<b>Ana</b>"`` stays text in one encoded To: header.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses

from surveyapp.models.mail import OutboundMail

#: Control characters (line breaks, tabs, NUL ...) become spaces in names and subjects.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


class BadAddress(ValueError):
    """An address that no SMTP server could take (no "@", a line break, ...)."""


def one_line(text: str, limit: int = 400) -> str:
    return _CONTROL.sub(" ", text or "").strip()[:limit]


def parse_sender(sender: str) -> Address:
    """MAIL_SENDER ("Name <addr>" or "addr") as an Address."""
    pairs = getaddresses([sender])
    if not pairs or "@" not in pairs[0][1]:
        raise BadAddress(f"MAIL_SENDER is not an address: {sender!r}")
    name, address = pairs[0]
    return recipient(address, name)


def recipient(address: str, name: str = "") -> Address:
    address = (address or "").strip()
    if _CONTROL.search(address) or address.count("@") != 1 or " " in address:
        raise BadAddress(address)
    local, domain = address.split("@")
    if not local or not domain or len(address) > 320:
        raise BadAddress(address)
    try:
        return Address(display_name=one_line(name, 200), username=local, domain=domain)
    except (ValueError, IndexError) as error:
        raise BadAddress(address) from error


def build_message(mail: OutboundMail, sender: str, now: datetime | None = None) -> EmailMessage:
    """The message of ``mail``: plain text, with its HTML as an alternative when it has one.

    Headers: From, To, Subject, Date (now), Message-ID (the row's, the same at every
    attempt), Content-Language, and for bulk mail List-Unsubscribe with one-click
    unsubscribe (RFC 8058). Bodies are quoted-printable UTF-8. No tracking of any kind.
    """
    message = EmailMessage(policy=SMTP)
    message["From"] = parse_sender(sender)
    message["To"] = recipient(mail.to_address, mail.to_name)
    message["Subject"] = one_line(mail.subject)
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = mail.message_id
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{one_line(mail.unsubscribe_url, 500)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text_body, charset="utf-8", cte="quoted-printable")
    if mail.html_body:
        message.add_alternative(
            mail.html_body, subtype="html", charset="utf-8", cte="quoted-printable"
        )
    # after the content: set_content clears every Content-* header
    message["Content-Language"] = mail.language
    return message
