"""Question types: what an answer of each type looks like, stores, shows and exports.

One class per type, one instance of it in ``TYPES`` (by the code stored in
``Question.type``). A type says

* what it is: ``answerable`` (takes an answer), ``shown`` (is put on the
  respondent's page: notes are, calculations are not), ``calculated``,
  ``choices`` (answered from the question's choice list), ``multiple``;
* its form field (``field``) and how the page draws it (``grouped``,
  ``options_class``, ``input_attrs``);
* how its answer is stored: the Answer row's (choice, number, text)
  (``columns``), the AnswerSelection rows' values (``selections``, for
  ``multiple`` types), and how a row reads back (``value``);
* how an answer reads on the review page (``answer_text``), in the exports
  (``export_cell``: a number, a date or text, so that an XLSX keeps its type) and
  in an XLSForm (``xlsform_type``, ``xlsform_appearance``);
* how needs profiles summarise it (``summary``: "scores", "ticks", "texts",
  "shares", "quantiles", "years" or None).
* which settings the questionnaire editor offers for it (``editor_fields``, see
  ``EDITOR_FIELDS``) and what a skip rule may ask of its answer (``condition_kind``).

Adding a type is adding a class here with ``@register``, and its code to
``surveyapp.models.questionnaire.QUESTION_TYPES`` (which the database's values
follow; ``tests/test_question_types.py`` checks the two agree).

The hot paths (the respondent's page) look a type up once per question
(``TYPES[question.type]``) and read class attributes: no objects per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation

from surveyapp.core.form_fields import (
    KnownChoices,
    LocalDateField,
    MultiCheckboxField,
    NumberField,
    NumberRange,
    WholeNumber,
)
from surveyapp.languages.numbers import format_number
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models.questionnaire import ANSWERABLE_TYPES, CHOICE_TYPES, QUESTION_TYPES
from surveyapp.questionnaires import date_limits, other_choice
from surveyapp.questionnaires.expressions import as_string

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts

#: What a question's answer looks like in Python, by type.
AnswerValue = str | list[str] | float | date | None

#: An Answer row's (choice, number, text).
Columns = tuple[str | None, float | None, str | None]
#: (choice list id, choice value) -> score.
Scores = Mapping[tuple[int, str], float | None]


def whole_if_integral(number: float | None) -> int | float | None:
    """A stored number as a cell: a whole number as an int (12, not 12.0)."""
    if number is None:
        return None
    return int(number) if float(number).is_integer() and abs(number) < 1e15 else number


#: Every setting of a question that the editor can offer, beyond its name, type and text.
#: A type's ``editor_fields`` are those it uses; the others are cleared when it is saved.
EDITOR_FIELDS = (
    "required",
    "domain",
    "measure",
    "choices",
    "min_value",
    "max_value",
    "integer_only",
    "max_length",
    "min_date",
    "max_date",
    "calculation",
    "relevant",
    "constraint",
)
_ANSWERED = frozenset({"required", "domain", "relevant", "constraint"})


def strip_and_normalise(value: Any) -> Any:
    return normalise_text(value.strip()) if isinstance(value, str) else value


class QuestionType:
    """A type's behaviour; the defaults are those of an answer kept as text."""

    code: ClassVar[str] = ""
    #: What the questionnaire editor calls it.
    label: ClassVar[Any] = ""
    answerable: ClassVar[bool] = True
    shown: ClassVar[bool] = True
    calculated: ClassVar[bool] = False
    choices: ClassVar[bool] = False
    #: Several values, kept as AnswerSelection rows (the Answer row has none).
    multiple: ClassVar[bool] = False
    #: The page shows a fieldset of options rather than one input.
    grouped: ClassVar[bool] = False
    #: CSS class of the options' list (grouped types).
    options_class: ClassVar[str] = ""
    #: Extra attributes of the input (not grouped types).
    input_attrs: ClassVar[Mapping[str, str | int]] = {}
    #: How needs profiles use the answers: "scores" (mean scores and
    #: distributions), "ticks" (counts per option), "texts" (listed), or, as
    #: indicators (``surveyapp.profiles.indicators``), "shares" (share of each
    #: choice), "quantiles" (median and middle half) or "years" (the same, of
    #: dates by year); None: not summarised.
    summary: ClassVar[str | None] = None
    #: Added to the question's XLSForm appearance.
    xlsform_appearance: ClassVar[str | None] = None
    #: The settings (of ``EDITOR_FIELDS``) the editor shows for this type.
    editor_fields: ClassVar[frozenset[str]] = _ANSWERED
    #: What a skip rule of a later question may test of this type's answer: "choice"
    #: (one code), "multiple" (codes ticked), "number", "date", "text" (answered or
    #: not), or None (nothing: notes and calculations).
    condition_kind: ClassVar[str | None] = "text"
    #: The page draws a fieldset with a legend around the field's inputs (not a label).
    fieldset: ClassVar[bool] = False
    #: Inputs of the field beside its own name (``<name><key>``), kept in a page's draft.
    form_keys: ClassVar[tuple[str, ...]] = ()
    #: Export columns after the question's own: (suffix of its name, "number" or "text").
    extra_columns: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: The form's ``default`` fills in the field while it is not answered.
    takes_default: ClassVar[bool] = False
    #: The answer is stored with the time zone of the municipality (``with_offset``).
    zoned: ClassVar[bool] = False

    def form_keys_of(self, question: Question) -> tuple[str, ...]:
        """The ``form_keys`` of one question."""
        return self.form_keys

    def extra_columns_of(self, question: Question) -> tuple[tuple[str, str], ...]:
        """The extra export columns of one question (``extra_columns`` by default)."""
        return self.extra_columns

    def extra_cells(self, choice: str | None, number: float | None, text: str | None) -> list:
        """The cells of ``extra_columns_of`` for one Answer row."""
        return []

    #: The answer is a file (``surveyapp.questionnaires.upload_types``): the page is multipart.
    upload: ClassVar[bool] = False

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        """The WTForms field of an answerable question (``kwargs``: label, description)."""
        raise TypeError(f"a {self.code} question has no form field")

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        """The Answer row's (choice, number, text) for a non-empty ``value``."""
        return None, None, value

    def selections(self, value: Any) -> list[str]:
        """The AnswerSelection rows' values (``multiple`` types)."""
        raise TypeError(f"a {self.code} answer has no selections")

    def value(self, choice: str | None, number: float | None, text: str | None) -> AnswerValue:
        """An Answer row read back as the answer's Python value."""
        return text

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        """A non-empty answer as the respondent would say it, in ``texts``' language."""
        if isinstance(value, date):
            return format_date(value, "long")
        return str(value)

    def export_cell(
        self,
        choice: str | None,
        number: float | None,
        text: str | None,
        label: Callable[[str | None], object],
    ) -> object:
        """An Answer row's cell in the exports: a number, a date, text, or None for
        nothing (``label``: a choice code's cell, its label or the code)."""
        return text or None

    def xlsform_type(self, question: Question) -> str:
        return self.code


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


#: Question type code -> its behaviour, in the order of the models' QUESTION_TYPES.
TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: add one instance of a type to ``TYPES``."""
    if cls.code in TYPES:
        raise ValueError(f"question type {cls.code!r} registered twice")
    TYPES[cls.code] = cls()
    return cls


def codes(**wanted: object) -> tuple[str, ...]:
    """The codes of the types whose attributes have the values given,
    e.g. ``codes(summary="texts")``."""
    return tuple(
        code
        for code, kind in TYPES.items()
        if all(getattr(kind, attr) == value for attr, value in wanted.items())
    )


def _choice_list_name(question: Question) -> str:
    return question.choice_list.name if question.choice_list else ""


class _ChoiceType(QuestionType):
    choices = True
    grouped = True
    editor_fields = _ANSWERED | {"choices"}
    condition_kind = "choice"

    def _choices(self, question: Question, texts: Texts) -> list[SelectChoice]:
        list_name = _choice_list_name(question)
        choices = [
            SelectChoice(c.value, texts.choice_label(list_name, c.value))
            for c in (question.choice_list.distinct_choices if question.choice_list else [])
        ]
        return other_choice.add_other(question, choices)

    def form_keys_of(self, question: Question) -> tuple[str, ...]:
        return ("-other",) if other_choice.has_other(question) else ()

    def extra_columns_of(self, question: Question) -> tuple[tuple[str, str], ...]:
        return (("_other", "text"),) if other_choice.has_other(question) else ()

    def extra_cells(self, choice, number, text) -> list:
        return [text or None]

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        with_other = other_choice.has_other(question)
        return (other_choice.OtherRadioField if with_other else RadioField)(
            choices=self._choices(question, texts),
            validators=[Optional(), KnownChoices()],
            validate_choice=False,
            **kwargs,
        )

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        score = scores.get((question.choice_list_id, value))
        return str(value), score, other_choice.other_text(value)

    def value(self, choice: str | None, number: float | None, text: str | None) -> AnswerValue:
        return other_choice.with_other(choice, text)

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        return other_choice.answer_text(question, value, texts)

    def export_cell(self, choice, number, text, label) -> object:
        return label(choice) if choice else None

    def xlsform_type(self, question: Question) -> str:
        return other_choice.xlsform_type(question, "select_one")


@register
class SingleChoice(_ChoiceType):
    code = "single_choice"
    label = _l("One answer from a list")
    summary = "shares"


@register
class MultipleChoice(_ChoiceType):
    code = "multiple_choice"
    label = _l("Several answers from a list")
    multiple = True
    summary = "ticks"
    condition_kind = "multiple"

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        with_other = other_choice.has_other(question)
        return (other_choice.OtherCheckboxField if with_other else MultiCheckboxField)(
            choices=self._choices(question, texts),
            validators=[KnownChoices()],
            validate_choice=False,
            **kwargs,
        )

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        return None, None, other_choice.other_text(value)

    def selections(self, value: Any) -> list[str]:
        return sorted(set(value))

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        return other_choice.answer_text(question, value, texts)

    def xlsform_type(self, question: Question) -> str:
        return other_choice.xlsform_type(question, "select_multiple")


@register
class Scale(_ChoiceType):
    """One answer from a list whose choices have scores: the needs profiles' measure."""

    code = "scale"
    label = _l("Scale with scores")
    options_class = "scale"
    summary = "scores"
    #: Only scored answers feed the profiles' need and capacity.
    editor_fields = _ChoiceType.editor_fields | {"measure"}


@register
class Number(QuestionType):
    code = "number"
    label = _l("Number")
    summary = "quantiles"
    input_attrs = {"inputmode": "decimal", "class": "short"}
    editor_fields = _ANSWERED | {"min_value", "max_value", "integer_only"}
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
    editor_fields = _ANSWERED | {"max_length"}
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
    editor_fields = _ANSWERED | {"min_date", "max_date"}
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


# The types of more_question_types register into TYPES here, before the check below.
from surveyapp.questionnaires import more_question_types  # noqa: E402, F401, I001

# The upload types (image, audio, video, file) live in their own module.
from surveyapp.questionnaires import upload_types  # noqa: E402, F401

#: What an unknown code (a question missing from the version) reads as.
UNKNOWN = QuestionType()


def type_of(code: str | None) -> QuestionType:
    """The type of ``code``; ``UNKNOWN`` (text-like) for no or an unknown code."""
    return TYPES.get(code or "", UNKNOWN)


if (
    any(not kind.editor_fields <= set(EDITOR_FIELDS) for kind in TYPES.values())
    or tuple(TYPES) != QUESTION_TYPES
    or codes(answerable=True) != ANSWERABLE_TYPES
    or set(codes(choices=True)) != set(CHOICE_TYPES)
):
    raise RuntimeError("question types: the registry and surveyapp.models disagree")
