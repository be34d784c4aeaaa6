"""Forms for questionnaire pages, built per page (the respondent's path and the preview).

``make_page_form`` builds a fresh form class per questionnaire page, with one
field per question (a shared form class is never mutated). Fields only check
the format of what was typed; whether a required question is answered is
checked separately (``required_errors``), so that going back or saving for
later keeps a half-filled page.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional

from surveyapp.content import Texts
from surveyapp.form_fields import (
    KnownChoices,
    LocalDateField,
    MultiCheckboxField,
    NumberField,
    NumberRange,
)
from surveyapp.i18n import normalise_text
from surveyapp.models import Page, Question
from surveyapp.responses import AnswerValue

RESERVED_NAMES = {"csrf_token", "action"}


def _strip_and_normalise(value: Any) -> Any:
    return normalise_text(value.strip()) if isinstance(value, str) else value


class PageForm(FlaskForm):
    """Base of the generated page forms."""


def _field_for(question: Question, texts: Texts) -> Field:
    label = texts.label(question)
    hint = texts.hint(question)
    kwargs: dict[str, Any] = {"label": label, "description": hint}
    if question.has_choices:
        list_name = question.choice_list.name if question.choice_list else ""
        choices = [
            SelectChoice(c.value, texts.choice(list_name, c.value))
            for c in (question.choice_list.choices if question.choice_list else [])
        ]
        if question.type == "multiple_choice":
            return MultiCheckboxField(
                choices=choices, validators=[KnownChoices()], validate_choice=False, **kwargs
            )
        return RadioField(
            choices=choices,
            validators=[Optional(), KnownChoices()],
            validate_choice=False,
            **kwargs,
        )
    if question.type == "number":
        return NumberField(
            validators=[Optional(), NumberRange(question.min_value, question.max_value)], **kwargs
        )
    if question.type == "date":
        return LocalDateField(validators=[Optional()], render_kw={"type": "date"}, **kwargs)
    max_length = question.max_length or (200 if question.type == "short_text" else 4000)
    length = Length(
        max=max_length,
        message=_l("Please keep this under %(max)d characters.", max=max_length),
    )
    field_class = StringField if question.type == "short_text" else TextAreaField
    return field_class(validators=[Optional(), length], filters=[_strip_and_normalise], **kwargs)


def make_page_form(page: Page, texts: Texts) -> type[PageForm]:
    """A new form class for one page, in the language of ``texts``."""
    attrs: dict[str, Any] = {}
    for question in page.questions:
        if question.name in RESERVED_NAMES:
            raise ValueError(f"question name {question.name!r} is reserved")
        attrs[question.name] = _field_for(question, texts)
    return type(f"PageForm_{page.name}", (PageForm,), attrs)


def form_values(form: PageForm, page: Page) -> dict[str, AnswerValue]:
    """The page's answers as Python values, by question name."""
    return {q.name: form[q.name].data for q in page.questions}


def initial_data(page: Page, answers: dict[int, AnswerValue]) -> dict[str, AnswerValue]:
    return {q.name: answers.get(q.id) for q in page.questions}


def required_errors(form: PageForm, page: Page) -> bool:
    """Add "please answer" to every required question left empty; True if any."""
    missing = False
    for question in page.questions:
        field = form[question.name]
        if question.required and field.data in (None, "", []) and not field.errors:
            message = (
                _l("Please choose at least one option.")
                if question.type == "multiple_choice"
                else _l("Please answer this question.")
            )
            field.errors = [*field.errors, message]
            missing = True
    return missing


def raw_values(formdata, page: Page) -> dict[str, list[str]]:
    """What was typed on the page, as lists of strings, for a draft."""
    return {q.name: formdata.getlist(q.name) for q in page.questions}
