"""Typed SQLAlchemy models. They know nothing of requests, sessions or forms."""

from surveyapp.models.campaign import ROLES, Campaign, Invitation
from surveyapp.models.geo import Country, Municipality
from surveyapp.models.questionnaire import (
    MEASURES,
    QUESTION_TYPES,
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.models.response import Answer, AnswerSelection, Response

__all__ = [
    "MEASURES",
    "QUESTION_TYPES",
    "ROLES",
    "Answer",
    "AnswerSelection",
    "Campaign",
    "Choice",
    "ChoiceList",
    "Country",
    "Domain",
    "Invitation",
    "Municipality",
    "Page",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "TextEntry",
]
