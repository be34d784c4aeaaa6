"""What went wrong with a mail, in the staff's language, for the outbox page.

A mail's ``last_error`` keeps what the receiving server said ("550 5.1.1 no such
user"), or what went wrong on the way to it ("ConnectionRefusedError: ..."), as
``transport.send`` and the bounce reader wrote it: that text is the server's, often
English, and is what an administrator quotes to the mail provider. Beside it the page
shows what it means and what happens next, in the staff member's language: these
summaries. Which one applies follows from the mail's status and the form of its
``last_error`` (the prefixes ``transport`` writes), so stored mails need no change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from surveyapp.models.mail import MAIL_BOUNCED, MAIL_FAILED, MAIL_QUEUED

#: An SMTP reply: its three-digit code first.
_REPLY = re.compile(r"(?:(?P<step>AUTH|MAIL FROM|DATA): )?(?P<code>[245][0-9][0-9])\b")


@dataclass(frozen=True)
class Problem:
    #: What happened and what happens next, in the page's language.
    summary: str
    #: The server's own words (or the error's), as they came; None when there are none.
    reply: str | None


def explain(status: str, last_error: str | None, suppressed: bool = False) -> Problem | None:
    """The outbox's explanation of a mail's ``status`` and ``last_error``; None for a
    mail with nothing to explain (sent, or waiting for its first attempt).
    ``suppressed``: its address gets no more mail (a refusal of the recipient marks it)."""
    reply = (last_error or "").strip() or None
    if status == MAIL_BOUNCED:
        return Problem(_("It came back as undeliverable; the address gets no more mail."), reply)
    if status not in (MAIL_FAILED, MAIL_QUEUED) or reply is None:
        return None
    match = _REPLY.match(reply)
    step = match.group("step") if match is not None else None
    permanent = match is not None and match.group("code").startswith("5")
    if step == "AUTH":
        summary = _(
            "The mail server did not accept the sender account's user name or password: "
            "the administrator should check the mail settings."
        )
    elif step == "MAIL FROM":
        summary = _(
            "The mail server did not accept the sender address: the administrator should "
            "check the mail settings."
        )
    elif match is None:
        summary = _("The mail server could not be reached.")
    elif status == MAIL_FAILED and permanent and step is None and suppressed:
        summary = _("The recipient's server refused the address; it gets no more mail.")
    elif permanent:
        summary = _("The mail server refused the message.")
    else:
        summary = _("The mail server asked for the message to be sent again later.")
    if status == MAIL_QUEUED:
        return Problem(summary + " " + _("Another attempt will be made at the time shown."), reply)
    if status == MAIL_FAILED and permanent and step is None and suppressed:  # said above
        return Problem(summary, reply)
    return Problem(summary + " " + _("No more attempts will be made."), reply)
