"""A questionnaire version's questions as plain tuples, for the loops every page runs.

Reading an attribute of a mapped object costs several times a plain one, and a
respondent page walks all of a version's questions a few times (its answers by
name, the values its rules read, the question types). The versions this process
keeps for respondents (``surveyapp.questionnaires.version_cache``) are read-only, so their index
is made once (``keep``); any other version's is made afresh on each call.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from surveyapp.models import Question, QuestionnaireVersion
from surveyapp.questionnaires.question_types import TYPES


@dataclass(frozen=True)
class QuestionIndex:
    #: (id, name) of every question, in page and question order.
    ids_and_names: tuple[tuple[int, str], ...]
    #: question id -> type
    types: dict[int, str]
    #: The calculations that have an expression, in order.
    calculations: tuple[Question, ...]
    #: (choice list id, choice value) -> the choice's score, for the lists questions use
    scores: dict[tuple[int, str], float | None]


_kept: WeakKeyDictionary[QuestionnaireVersion, QuestionIndex] = WeakKeyDictionary()


def _build(version: QuestionnaireVersion) -> QuestionIndex:
    questions = [q for page in version.pages for q in page.questions]
    return QuestionIndex(
        ids_and_names=tuple((q.id, q.name) for q in questions),
        types={q.id: q.type for q in questions},
        calculations=tuple(q for q in questions if TYPES[q.type].calculated and q.calculation),
        scores={
            (q.choice_list_id, choice.value): choice.score
            for q in questions
            if q.choice_list is not None
            for choice in q.choice_list.choices
        },
    )


def of(version: QuestionnaireVersion) -> QuestionIndex:
    """The version's index: kept for a read-only version, made now for any other."""
    index = _kept.get(version)
    return index if index is not None else _build(version)


def keep(version: QuestionnaireVersion) -> None:
    """Make ``version``'s index once: only for a version nobody changes any more."""
    _kept[version] = _build(version)
