"""The choice types: ``single_choice``, ``multiple_choice`` and ``scale`` (one answer
from a list whose choices have scores), answered from the question's choice list,
with an "Other, specify" text where the list has one
(:mod:`surveyapp.questionnaires.other_choice`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectChoice
from wtforms.validators import Optional

from surveyapp.core.form_fields import KnownChoices, MultiCheckboxField
from surveyapp.questionnaires import other_choice
from surveyapp.questionnaires.question_types.base import (
    ANSWERED,
    AnswerValue,
    Columns,
    QuestionType,
    Scores,
    register,
)

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts


def _choice_list_name(question: Question) -> str:
    return question.choice_list.name if question.choice_list else ""


class _ChoiceType(QuestionType):
    choices = True
    grouped = True
    editor_fields = ANSWERED | {"choices"}
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
