"""Staff pages for questionnaire content: the editor, XLSForm, translations."""

from surveyapp.web.authoring import editor_routes, routes
from surveyapp.web.authoring.blueprint import bp

__all__ = ["bp", "editor_routes", "routes"]
