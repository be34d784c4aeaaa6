"""What the outreach views share."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from surveyapp.outreach.audit import Actor


def actor() -> Actor:
    """The signed-in staff member and their address, for the audit log."""
    return Actor(current_user.id, request.remote_addr or "")
