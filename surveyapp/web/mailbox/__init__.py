"""Staff (admins): outgoing mail, bounce reports, suppressed addresses."""

from flask import Blueprint

bp = Blueprint("mailbox", __name__)

from surveyapp.web.mailbox import routes  # noqa: E402, F401

__all__ = ["bp"]
