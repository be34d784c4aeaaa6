"""Staff pages for questionnaire content: the editor, XLSForm, translations."""

from flask import Blueprint

bp = Blueprint("authoring", __name__)

# The view modules attach their views to ``bp`` (imported from here), so they are
# imported once ``bp`` exists: importing them is what registers the views.
from surveyapp.web.authoring import (  # noqa: E402, F401
    editor_routes,
    preview_routes,
    question_routes,
    routes,
    settings_routes,
    xlsform_routes,
)

__all__ = ["bp"]
