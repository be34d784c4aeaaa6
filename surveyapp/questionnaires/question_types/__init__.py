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

A module per family, each registering its classes into ``TYPES``: ``base``
(:class:`QuestionType`, the registry), ``choices``, ``simple`` (number, text, date,
note, calculate), ``more`` (time, datetime, geopoint; hidden, start, end, today) and
``uploads`` (image, audio, video, file). This package imports them all, puts ``TYPES``
in the order of ``surveyapp.models.questionnaire.QUESTION_TYPES`` (whatever order they
registered in) and checks that the two agree; since Python imports a package before
any module in it, ``TYPES`` is complete whichever module a caller imports first.
Adding a type is adding a class with ``@register`` to its family, and its code to
``QUESTION_TYPES`` (which the database's values follow).

The hot paths (the respondent's page) look a type up once per question
(``TYPES[question.type]``) and read class attributes: no objects per request.
"""

from __future__ import annotations

from surveyapp.models.questionnaire import ANSWERABLE_TYPES, CHOICE_TYPES, QUESTION_TYPES
from surveyapp.questionnaires.question_types import choices, more, simple, uploads
from surveyapp.questionnaires.question_types.base import (
    EDITOR_FIELDS,
    TYPES,
    AnswerValue,
    QuestionType,
    whole_if_integral,
)

__all__ = [
    "EDITOR_FIELDS",
    "TYPES",
    "UNKNOWN",
    "AnswerValue",
    "QuestionType",
    "codes",
    "type_of",
    "whole_if_integral",
]
# The families, imported for their registrations.
_FAMILIES = (choices, simple, more, uploads)
# In the models' order (the editor's list of types, the exports), known codes first.
_ORDER = {code: place for place, code in enumerate(QUESTION_TYPES)}
for _code in sorted(TYPES, key=lambda code: _ORDER.get(code, len(_ORDER))):
    TYPES[_code] = TYPES.pop(_code)


def codes(**wanted: object) -> tuple[str, ...]:
    """The codes of the types whose attributes have the values given,
    e.g. ``codes(summary="texts")``."""
    return tuple(
        code
        for code, kind in TYPES.items()
        if all(getattr(kind, attr) == value for attr, value in wanted.items())
    )


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
