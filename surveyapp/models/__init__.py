"""Typed SQLAlchemy models. They know nothing of requests, sessions or forms."""

from surveyapp.models.api_token import API_SCOPES, ApiToken
from surveyapp.models.audit import AuditEvent
from surveyapp.models.campaign import ROLES, Campaign, Invitation
from surveyapp.models.count_tables import (
    ProfileCount,
    ProfileCountryCount,
    ProfileDomainCount,
    ProfileResponseCount,
    ProfileScoreCount,
)
from surveyapp.models.engagement import ENGAGEMENT_KINDS, ENGAGEMENT_STATUSES, Engagement
from surveyapp.models.erasure import DeletionRequest
from surveyapp.models.export import ExportFile
from surveyapp.models.geo import Country, Municipality
from surveyapp.models.mail import MailSuppression, OutboundMail
from surveyapp.models.outreach import Contact, MailTemplate
from surveyapp.models.questionnaire import (
    ANSWERABLE_TYPES,
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
from surveyapp.models.response import Answer, AnswerSelection, Response, counts_in_profiles
from surveyapp.models.rounds import ItemMatch, RoundSeries, SeriesRound
from surveyapp.models.upload import StoredFile
from surveyapp.models.user import STAFF_ROLES, PasswordResetToken, User

__all__ = [
    "API_SCOPES",
    "ApiToken",
    "ANSWERABLE_TYPES",
    "AuditEvent",
    "ENGAGEMENT_KINDS",
    "ENGAGEMENT_STATUSES",
    "Engagement",
    "MEASURES",
    "QUESTION_TYPES",
    "ROLES",
    "STAFF_ROLES",
    "Answer",
    "AnswerSelection",
    "Campaign",
    "Choice",
    "ChoiceList",
    "Contact",
    "Country",
    "DeletionRequest",
    "ExportFile",
    "Domain",
    "Invitation",
    "MailSuppression",
    "MailTemplate",
    "Municipality",
    "OutboundMail",
    "Page",
    "PasswordResetToken",
    "ProfileCount",
    "ProfileCountryCount",
    "ProfileDomainCount",
    "ProfileResponseCount",
    "ProfileScoreCount",
    "ItemMatch",
    "RoundSeries",
    "SeriesRound",
    "StoredFile",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "counts_in_profiles",
    "TextEntry",
    "User",
]
