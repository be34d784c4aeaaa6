"""Staff pages for questionnaire content: the editor, XLSForm, translations."""

from surveyapp.authoring import editor_routes, routes
from surveyapp.authoring.blueprint import bp

__all__ = ["bp", "editor_routes", "routes"]
