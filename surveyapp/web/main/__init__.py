"""Pages for everyone: the home page and the language entry points."""

from flask import Blueprint

bp = Blueprint("main", __name__)

# The view modules attach their views to ``bp`` (imported from here), so they are
# imported once ``bp`` exists: importing them is what registers the views.
from surveyapp.web.main import routes  # noqa: E402, F401

__all__ = ["bp"]
