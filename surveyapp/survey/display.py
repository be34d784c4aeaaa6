"""How answers and codes read on the respondent's pages."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_decimal

from surveyapp.content import Texts
from surveyapp.labels import ROLE_LABELS
from surveyapp.models import Question
from surveyapp.responses import AnswerValue


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def answer_text(question: Question, value: AnswerValue, texts: Texts) -> str:
    """An answer as the respondent would say it, in the page's language; "" if none."""
    if value is None or value == "" or value == []:
        return ""
    list_name = question.choice_list.name if question.choice_list else ""
    if question.type in ("single_choice", "scale"):
        return texts.choice(list_name, value)
    if question.type == "multiple_choice":
        return "; ".join(texts.choice(list_name, v) for v in value)
    if question.type == "number":
        return format_decimal(value)
    if isinstance(value, date):
        return format_date(value, "long")
    return str(value)
