"""How answers and codes read on the respondent's pages."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, format_decimal
from markupsafe import Markup, escape
from wtforms import Field, SelectMultipleField

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
        return texts.choice_label(list_name, value)
    if question.type == "multiple_choice":
        return "; ".join(texts.choice_label(list_name, v) for v in value)
    if question.type == "number":
        return format_decimal(value)
    if isinstance(value, date):
        return format_date(value, "long")
    return str(value)


def choice_inputs(field: Field) -> Markup:
    """The options of a choice question: one ``<li>`` with a radio button or a
    checkbox and its label each, ``checked`` as the field's data says; a choice
    without a label shows its value, as WTForms does.

    The same HTML WTForms' widgets write (ids ``<field id>-<n>``), in a fraction
    of the time: a page of the questionnaire has 48 of them, and written by
    the template they took half of the page's rendering.
    """
    multiple = isinstance(field, SelectMultipleField)
    kind = "checkbox" if multiple else "radio"
    chosen = set(field.data or ()) if multiple else {field.data}
    invalid = 'aria-invalid="true" ' if field.errors else ""
    name = escape(field.name)
    items = []
    for index, choice in enumerate(field.choices):
        option_id = escape(f"{field.id}-{index}")
        checked = "checked " if choice.value in chosen else ""
        items.append(
            f'<li><input {invalid}{checked}id="{option_id}" name="{name}" type="{kind}" '
            f'value="{escape(choice.value)}"> <label for="{option_id}">'
            f"{escape(choice.label or choice.value)}"
            "</label></li>"
        )
    # Every value, label, id and name above went through escape().
    return Markup("\n".join(items))  # nosec B704
