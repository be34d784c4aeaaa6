"""XLSForm's "other, specify": ``select_one colors or_other`` (also written
``or other`` and ``or specify other``) adds an "Other" choice (code ``other``) to the
question, with a text field beside it that must be filled in when it is chosen.

The question keeps how the form wrote it in ``source_type`` (``or_other``), so that
its export writes it back. Its list is not changed: "Other" is added when the page
is drawn, labelled in the page's language. The answer is stored as the choice
(``Answer.choice`` or an ``AnswerSelection``) and the text in ``Answer.text``; in
Python it is the code (or list of codes) carrying the text (``.other``). Exports give
the text a column of its own, ``<name>_other``; expressions may read it as
``${<name>_other}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import gettext
from wtforms import SelectChoice

from surveyapp.questionnaires.more_fields import (
    OTHER,
    ListWithOther,
    OtherCheckboxField,
    OtherRadioField,
    WithOther,
    other_text,
    with_other,
)

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts

__all__ = [
    "OTHER",
    "OR_OTHER",
    "ListWithOther",
    "OtherCheckboxField",
    "OtherRadioField",
    "WithOther",
    "other_text",
    "with_other",
]

#: How forms write "other, specify" after the list's name.
OR_OTHER = ("or_other", "or other", "or specify other")


def has_other(question: Question) -> bool:
    return question.source_type in OR_OTHER


def other_label() -> str:
    # I18N: the choice added to a list by "or_other", with a text field beside it
    return gettext("Other")


def add_other(question: Question, choices: list[SelectChoice]) -> list[SelectChoice]:
    if has_other(question) and all(c.value != OTHER for c in choices):
        choices.append(SelectChoice(OTHER, other_label()))
    return choices


def other_answer_names(questions) -> set[str]:
    """The ``<name>_other`` names that expressions may read."""
    return {f"{q.name}_other" for q in questions if has_other(q)}


def _label(question: Question, code: str, texts: Texts) -> str:
    list_name = question.choice_list.name if question.choice_list else ""
    label = texts.choice_label(list_name, code)
    if code == OTHER and label == OTHER and has_other(question):
        return other_label()
    return label


def answer_text(question: Question, value: Any, texts: Texts) -> str:
    """ "Red", "Other: turquoise", "Red; Other: turquoise"."""
    codes = value if isinstance(value, list) else [value]
    if len(codes) > 1:  # in the list's order, "Other" last
        order = (
            [c.value for c in question.choice_list.distinct_choices] if question.choice_list else []
        )
        codes = sorted(codes, key=lambda c: (c == OTHER, order.index(c) if c in order else 0))
    text = other_text(value)
    return "; ".join(
        f"{_label(question, code, texts)}: {text}"
        if code == OTHER and text
        else _label(question, code, texts)
        for code in codes or ()
    )


def xlsform_type(question: Question, command: str) -> str:
    """``select_one colors``, ``select_one colors or_other`` or how the form wrote a list
    from a file (``select_one_from_file towns.csv``)."""
    source = question.source_type or ""
    if source == "acknowledge":  # ODK's "OK" tick, stored as a list of one choice
        return source
    if source.startswith(("select_one_", "select_multiple_")):
        return source
    list_name = question.choice_list.name if question.choice_list else ""
    return f"{command} {list_name} {source}" if has_other(question) else f"{command} {list_name}"
