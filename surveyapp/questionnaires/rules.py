"""Skip logic, constraints and calculations of a questionnaire, on the server.

Relevance follows XLSForm: a question whose ``relevant`` is false is skipped
and its answer is not kept; a page whose ``relevant`` is false, or none of
whose questions is relevant, is skipped. A question whose relevance depends on
an answer on its own page is shown (it cannot be known before the page is
sent) and decided when the page is saved, so the path works without
JavaScript.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import lru_cache

from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import Page, Question, QuestionnaireVersion
from surveyapp.questionnaires.choice_filters import compiled_filter
from surveyapp.questionnaires.expressions import (
    POSITION,
    REPEATS,
    Expression,
    ExpressionError,
    parse,
)
from surveyapp.questionnaires.other_choice import other_text
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts, load_texts
from surveyapp.questionnaires.version_cache import index_of

log = logging.getLogger(__name__)

Values = Mapping[str, object]


@lru_cache(maxsize=4096)
def _compiled(text: str) -> Expression | None:
    """Parsed once per process; an empty or unparseable stored expression counts as absent."""
    if not text.strip():
        return None
    try:
        return parse(text)
    except ExpressionError:
        log.warning("Ignoring an expression that does not parse: %r", text)
        return None


def compiled(text: str) -> Expression | None:
    """A stored expression parsed (once per process); None when empty or unparseable."""
    return _compiled(text)


def _true(text: str | None, values: Values, current: object = None, default: bool = True) -> bool:
    expression = _compiled(text) if text else None
    if expression is None:
        return default
    try:
        return expression.is_true(values, current)
    except ExpressionError:
        # A value of an unsupported kind: show the question rather than lose it.
        log.warning("Could not evaluate %r", text, exc_info=True)
        return default


def all_values(
    version: QuestionnaireVersion, answers_by_name: Values, texts: Texts | None = None
) -> dict[str, object]:
    """Every question's value by name (None when unanswered), calculations included.

    ``texts``: the respondent's language, for ``jr:choice-name`` in calculations
    (default: the source language)."""
    index = index_of(version)
    values: dict[str, object] = {
        name: answers_by_name.get(name) for _id, name in index.ids_and_names
    }
    for key in (REPEATS, POSITION):  # a repeat's entries (``questionnaires.repeats``)
        if key in answers_by_name:
            values[key] = answers_by_name[key]
    for name in index.with_other:  # "Other, specify": its text, as pyxform names it
        values.setdefault(f"{name}_other", other_text(values[name]))
    labels = None
    for question in index.calculations:
        if labels is None and "jr:choice-name" in (question.calculation or ""):
            labels = choice_labels(version, texts or load_texts(version.id, SOURCE_LANGUAGE))
        values[question.name] = calculate(question, values, labels)
    return values


def choice_labels(version: QuestionnaireVersion, texts: Texts) -> dict[str, dict[str, str]]:
    """The labels of every question's choices in the language of ``texts``, by question
    and choice name (what ``jr:choice-name`` reads)."""
    return {
        question.name: {
            choice.value: texts.choice_label(question.choice_list.name, choice.value)
            for choice in question.choice_list.distinct_choices
        }
        for page in version.pages
        for question in page.questions
        if question.choice_list is not None
    }


def calculate(
    question: Question, values: Values, labels: Mapping[str, Mapping[str, str]] | None = None
) -> object:
    expression = _compiled(question.calculation or "")
    if expression is None:
        return None
    try:
        result = expression.evaluate(values, labels=labels)
    except ExpressionError:
        return None
    if isinstance(result, bool):
        return "true" if result else "false"
    return result


def _same_page_references(question: Question, names: set[str]) -> bool:
    """Whether the question's relevance reads an answer among ``names`` (its page's)."""
    expression = _compiled(question.relevant or "")
    return bool(expression and expression.references & names)


def shown_questions(page: Page, values: Values) -> list[Question]:
    """The questions to put on the page now, given the answers known so far."""
    if not _true(page.relevant, values):
        return []
    names = {q.name for q in page.questions}
    return [
        q
        for q in page.questions
        if TYPES[q.type].shown
        if _same_page_references(q, names) or _true(q.relevant, values)
    ]


def relevant_questions(page: Page, values: Values) -> list[Question]:
    """The page's questions that are relevant once all its answers are known."""
    if not _true(page.relevant, values):
        return []
    return [q for q in page.questions if _true(q.relevant, values)]


def page_is_shown(page: Page, values: Values) -> bool:
    return any(TYPES[q.type].shown for q in shown_questions(page, values))


def next_page_number(
    version: QuestionnaireVersion, number: int, values: Values, step: int = 1
) -> int | None:
    """The next (step=1) or previous (step=-1) page to show, or None past either end."""
    candidate = number + step
    while 1 <= candidate <= len(version.pages):
        if page_is_shown(version.pages[candidate - 1], values):
            return candidate
        candidate += step
    return None


def irrelevant_names(version: QuestionnaireVersion, values: Values) -> set[str]:
    """Names of the questions whose answers must not be kept."""
    relevant = {q.name for page in version.pages for q in relevant_questions(page, values)}
    return {q.name for page in version.pages for q in page.questions} - relevant


def constraint_failures(questions: Iterable[Question], values: Values) -> list[Question]:
    """Answered questions whose constraint is false (unanswered ones are not checked)."""
    failures = []
    for question in questions:
        value = values.get(question.name)
        if question.constraint and value not in (None, "", []):
            if not _true(question.constraint, values, current=value, default=True):
                failures.append(question)
    return failures


def referenced_names(version: QuestionnaireVersion) -> frozenset[str]:
    """Question names that some rule of the version reads (relevance, constraint, calculation,
    choice filter): the answers a page's checks and the way on may depend on."""
    texts = [page.relevant for page in version.pages]
    filters = []
    for page in version.pages:
        for q in page.questions:
            texts += [q.relevant, q.constraint, q.calculation]
            filters.append(q.choice_filter)
    expressions = [_compiled(text) for text in texts if text]
    expressions += [compiled_filter(text) for text in filters if text]
    return frozenset(name for e in expressions if e is not None for name in e.references)
