"""The base of every question type: :class:`QuestionType` (its attributes and hooks,
with the defaults of an answer kept as text), the registry ``TYPES`` that
:func:`register` fills, and what the type modules share (answer values, an Answer
row's columns, the editor's settings).

Read ``TYPES`` from :mod:`surveyapp.questionnaires.question_types`, which imports
every family first, so that it holds them all, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from flask_babel import format_date
from wtforms import Field

from surveyapp.languages.transliteration import normalise_text

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
#: The settings of every answerable type.
ANSWERED = frozenset({"required", "domain", "relevant", "constraint"})


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
    editor_fields: ClassVar[frozenset[str]] = ANSWERED
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

    #: The answer is a file (``question_types.uploads``): the page is multipart.
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


#: Question type code -> its behaviour, in the order of the models' QUESTION_TYPES.
TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    """Class decorator: add one instance of a type to ``TYPES``."""
    if cls.code in TYPES:
        raise ValueError(f"question type {cls.code!r} registered twice")
    TYPES[cls.code] = cls()
    return cls
