"""Rounds of the assessment (staff): series of campaigns, item matching, change per domain."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)

# The view modules attach their views to ``bp``; importing them registers the views.
from surveyapp.web.rounds import routes, support_routes  # noqa: E402, F401

__all__ = ["bp"]
