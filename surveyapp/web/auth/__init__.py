"""Staff sign-in, sign-out, account management and the audit log."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

# The view modules attach their views to ``bp`` (imported from here), so they are
# imported once ``bp`` exists: importing them is what registers the views.
from surveyapp.web.auth import (  # noqa: E402, F401
    account_routes,
    reset_routes,
    routes,
    token_routes,
)

__all__ = ["bp"]
