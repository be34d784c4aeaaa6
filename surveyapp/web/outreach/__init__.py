"""Outreach: contacts, the mails of a campaign (texts, preview, sending, reminders,
status), and the opt-out pages recipients reach without signing in."""

from flask import Blueprint

bp = Blueprint("outreach", __name__)

# The view modules attach their views to ``bp``; importing them registers the views.
from surveyapp.web.outreach import (  # noqa: E402, F401
    campaign_routes,
    catalog_routes,
    contact_routes,
    opt_out_routes,
    text_routes,
)

__all__ = ["bp"]
