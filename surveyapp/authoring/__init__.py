"""Staff pages for questionnaire content and its translations."""

from surveyapp.authoring.routes import bp

__all__ = ["bp"]
