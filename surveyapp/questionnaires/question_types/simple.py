"""The simple types: ``number``, ``short_text`` and ``long_text``, ``date`` (with
:class:`DateWithin`, its limits), ``note`` (text only) and ``calculate`` (computed
when the response is submitted, never shown).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import Field, StringField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation

from surveyapp.core.form_fields import LocalDateField, NumberField, NumberRange, WholeNumber
from surveyapp.languages.numbers import format_number
from surveyapp.questionnaires import date_limits
from surveyapp.questionnaires.expressions import as_string
from surveyapp.questionnaires.question_types.base import (
    ANSWERED,
    AnswerValue,
    Columns,
    QuestionType,
    Scores,
    register,
    strip_and_normalise,
    whole_if_integral,
)

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts


class DateWithin:
    """Refuses a date outside the question's limits, saying the range in the page's
    language and the respondent's date format."""

    def __init__(self, smallest: str | None, largest: str | None) -> None:
        self.smallest, self.largest = smallest, largest

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is None:
            return
        low = date_limits.resolve(self.smallest)
        high = date_limits.resolve(self.largest)
        if (low is None or field.data >= low) and (high is None or field.data <= high):
            return
        field.errors[:] = []
        if low is not None and high is not None:
            message = _l(
                "Please enter a date in the allowed range: %(start)s – %(end)s",
                start=format_date(low, "long"),
                end=format_date(high, "long"),
            )
        elif low is not None:
            message = _l(
                "Please enter a date no earlier than %(start)s", start=format_date(low, "long")
            )
        else:
            message = _l("Please enter a date no later than %(end)s", end=format_date(high, "long"))
        # No full stop after the dates: some languages' formats end with one ("2026 г.").
        raise StopValidation(str(message))


@register
class Number(QuestionType):
    code = "number"
    label = _l("Number")
    summary = "quantiles"
    input_attrs = {"inputmode": "decimal", "class": "short"}
    editor_fields = ANSWERED | {"min_value", "max_value", "integer_only"}
    condition_kind = "number"

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        checks = [Optional(), NumberRange(question.min_value, question.max_value)]
        if question.integer_only:
            checks.append(WholeNumber())
        return NumberField(validators=checks, **kwargs)

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        return None, float(value), None

    def value(self, choice, number, text) -> AnswerValue:
        return number

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        return format_number(value)

    def export_cell(self, choice, number, text, label) -> object:
        return whole_if_integral(number)

    def xlsform_type(self, question: Question) -> str:
        if question.source_type == "range":
            return "range"
        return "integer" if question.integer_only else "decimal"


class _TextType(QuestionType):
    summary = "texts"
    editor_fields = ANSWERED | {"max_length"}
    default_max_length: ClassVar[int] = 4000
    field_class: ClassVar[type[Field]] = TextAreaField

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        max_length = question.max_length or self.default_max_length
        length = Length(
            max=max_length,
            message=_l("Please keep this under %(max)d characters.", max=max_length),
        )
        return self.field_class(
            validators=[Optional(), length], filters=[strip_and_normalise], **kwargs
        )

    def xlsform_type(self, question: Question) -> str:
        return question.source_type or "text"


@register
class ShortText(_TextType):
    code = "short_text"
    label = _l("Short text")
    default_max_length = 200
    field_class = StringField


@register
class LongText(_TextType):
    code = "long_text"
    label = _l("Long text")
    input_attrs = {"rows": 6}
    xlsform_appearance = "multiline"


@register
class Date(QuestionType):
    """Kept as ISO text (YYYY-MM-DD)."""

    code = "date"
    label = _l("Date")
    summary = "years"
    editor_fields = ANSWERED | {"min_date", "max_date"}
    condition_kind = "date"
    #: Given as the form's ``default`` when not answered yet (``moment_defaults``).
    takes_default = True

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        render_kw: dict[str, str] = {"type": "date"}
        # A fixed limit helps the phone's date picker; "today" is resolved when checked.
        for attribute, limit in (("min", question.min_date), ("max", question.max_date)):
            if limit and limit != date_limits.TODAY:
                render_kw[attribute] = limit
        validators = [Optional()]
        if question.min_date or question.max_date:
            validators.append(DateWithin(question.min_date, question.max_date))
        return LocalDateField(validators=validators, render_kw=render_kw, **kwargs)

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        return None, None, value.isoformat()

    def value(self, choice, number, text) -> AnswerValue:
        return date.fromisoformat(text) if text else None

    def export_cell(self, choice, number, text, label) -> object:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return text  # never lose what was stored


@register
class Note(QuestionType):
    code = "note"
    label = _l("Note (text only, no answer)")
    answerable = False
    editor_fields = frozenset({"relevant"})
    condition_kind = None


@register
class Calculate(QuestionType):
    """Computed from other answers when the response is submitted; never shown."""

    code = "calculate"
    label = _l("Calculation (hidden)")
    answerable = False
    shown = False
    calculated = True
    #: Relevance decides whether the value is kept at submission.
    editor_fields = frozenset({"calculation", "relevant"})
    condition_kind = None

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        return None, (value if isinstance(value, float) else None), as_string(value)

    def export_cell(self, choice, number, text, label) -> object:
        return whole_if_integral(number) if number is not None else (text or None)
