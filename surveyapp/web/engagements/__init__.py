"""Staff: the engagement log (the hub's support to each municipality), its import,
exchanges planned from the exchange planner, and a municipality's timeline."""

from flask import Blueprint

bp = Blueprint("engagements", __name__)

# The view modules attach their views to ``bp``; importing them registers the views.
from surveyapp.web.engagements import (  # noqa: E402, F401
    exchange_routes,
    municipality_routes,
    routes,
)

__all__ = ["bp"]
