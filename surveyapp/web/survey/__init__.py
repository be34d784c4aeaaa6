"""The respondent's blueprint: invitation links, consent, pages, review, submit."""

from surveyapp.web.survey.routes import bp

__all__ = ["bp"]
