"""The respondent's blueprint: invitation links, consent, pages, review, submit."""

from flask import Blueprint

from surveyapp.extensions import csrf

bp = Blueprint("survey", __name__)

# Respondent forms check their CSRF token themselves, so that an expired token
# brings the respondent back to the filled-in page instead of an error page.
csrf.exempt(bp)

# The view modules attach their views to ``bp`` (imported from here), so they are
# imported once ``bp`` exists: importing them is what registers the views.
from surveyapp.web.survey import erasure_routes, open_link_routes, routes  # noqa: E402, F401

__all__ = ["bp"]
