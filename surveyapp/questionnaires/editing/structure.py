"""The structure of a draft version: pages, questions and their choices
(add, update, move, delete). Each change is made on :func:`editable_version`."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    MEASURES,
    QUESTION_TYPES,
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    QuestionnaireVersion,
    TextEntry,
)
from surveyapp.questionnaires import date_limits, text_keys
from surveyapp.questionnaires.editing.errors import (
    EditError,
    check_question_name,
    get_or_fail,
)
from surveyapp.questionnaires.editing.text_edits import (
    copy_texts,
    rename_texts,
    set_text,
    source_texts,
)
from surveyapp.questionnaires.editing.version_edits import editable_version
from surveyapp.questionnaires.question_types import TYPES

# --- pages --------------------------------------------------------------------------


@write_transaction()
def add_page(version_id: int, title: str) -> Page:
    version = editable_version(version_id)
    names = {p.name for p in version.pages}
    number = len(version.pages) + 1
    while f"page_{number}" in names:
        number += 1
    page = Page(name=f"page_{number}", position=len(version.pages))
    version.pages.append(page)
    db.session.flush()
    set_text(version.id, text_keys.page_title(page.name), SOURCE_LANGUAGE, title)
    db.session.commit()
    return page


def _same_in(version: QuestionnaireVersion, page: Page) -> Page:
    """The page of ``version`` that corresponds to ``page`` (maybe of an older version).

    Raises ``EditError("not_found")`` when the draft no longer has it (a stale id).
    """
    same = next((p for p in version.pages if p.name == page.name), None)
    if same is None:
        raise EditError("not_found", page.name)
    return same


def _same_question(version: QuestionnaireVersion, question: Question) -> Question:
    """As ``_same_in``, for a question."""
    same = next((q for p in version.pages for q in p.questions if q.name == question.name), None)
    if same is None:
        raise EditError("not_found", question.name)
    return same


@write_transaction()
def move_page(page_id: int, delta: int) -> QuestionnaireVersion:
    page = get_or_fail(Page, page_id)
    version = editable_version(page.version_id)
    _swap(list(version.pages), _same_in(version, page).name, delta)
    db.session.commit()
    return version


def _swap(items: list, name: str, delta: int) -> None:
    """Move the item called ``name`` by ``delta`` places (if it stays in range) and renumber."""
    index = [item.name for item in items].index(name)
    target = index + delta
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, item in enumerate(items):
            item.position = position


@write_transaction()
def delete_page(page_id: int) -> QuestionnaireVersion:
    page = get_or_fail(Page, page_id)
    version = editable_version(page.version_id)
    if len(version.pages) == 1:
        raise EditError("last_page", page.name)
    doomed = _same_in(version, page)
    for question in list(doomed.questions):
        _drop_question(question)
    version.pages.remove(doomed)
    for position, p in enumerate(version.pages):
        p.position = position
    db.session.commit()
    return version


# --- questions ------------------------------------------------------------------------


@dataclass
class QuestionSpec:
    """A question's structure as the editor submits it."""

    name: str
    type: str
    required: bool = False
    domain: str | None = None
    measure: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None
    integer_only: bool = False
    relevant: str | None = None
    constraint: str | None = None
    #: Date questions: smallest and largest date, an ISO day or "today".
    min_date: str | None = None
    max_date: str | None = None
    #: (value, score, English label) per choice, for choice types.
    choices: list[tuple[str, float | None, str]] | None = None
    #: Calculations: the expression whose value is kept.
    calculation: str | None = None


def used_fields_only(spec: QuestionSpec) -> QuestionSpec:
    """``spec`` with the settings its type does not use (``QuestionType.editor_fields``)
    put back to their defaults, so that a question keeps nothing it cannot show."""
    used = TYPES[spec.type].editor_fields
    defaults = QuestionSpec(name=spec.name, type=spec.type)
    return replace(
        spec,
        **{
            f.name: getattr(defaults, f.name)
            for f in fields(QuestionSpec)
            if f.name not in ("name", "type") and f.name not in used
        },
    )


def _check_spec(
    spec: QuestionSpec, version: QuestionnaireVersion, exclude: str | None
) -> Domain | None:
    """Refuse a spec that cannot be saved; ``spec`` holds only its type's settings."""
    check_question_name(spec.name)
    taken = {q.name for p in version.pages for q in p.questions} - {exclude}
    if spec.name in taken:
        raise EditError("exists", spec.name)
    if spec.measure and spec.measure not in MEASURES:
        raise EditError("bad_measure", spec.measure)
    domain = None
    if spec.domain:
        domain = db.session.scalar(select(Domain).where(Domain.code == spec.domain))
        if domain is None:
            raise EditError("bad_domain", spec.domain)
    if (
        spec.min_value is not None
        and spec.max_value is not None
        and spec.min_value > spec.max_value
    ):
        raise EditError("bad_range", spec.name)
    if not date_limits.in_order(spec.min_date, spec.max_date):
        raise EditError("bad_date_range", spec.name)
    if TYPES[spec.type].choices:
        values = [value for value, _score, _label in spec.choices or []]
        if not values:
            raise EditError("no_choices", spec.name)
        bad = [v for v in values if not re.match(r"^[\w.-]{1,64}$", v)]
        if bad or len(set(values)) != len(values):
            raise EditError("bad_choices", ", ".join(bad) or spec.name)
    if TYPES[spec.type].calculated and not spec.calculation:
        raise EditError("no_calculation", spec.name)
    names = {q.name for p in version.pages for q in p.questions} | {spec.name}
    for expression in (spec.relevant, spec.constraint, spec.calculation):
        if expression:
            check_expression(expression, names)
    return domain


def _checked_spec(spec: QuestionSpec) -> QuestionSpec:
    if spec.type not in QUESTION_TYPES:
        raise EditError("bad_type", spec.type)
    return used_fields_only(spec)


def check_expression(text: str, names: set[str]) -> None:
    """Refuse an expression the evaluator does not understand or that names an unknown question."""
    from surveyapp.questionnaires.expressions import ExpressionError, check

    try:
        check(text, names)
    except ExpressionError as error:
        # The import report's words for the same mistake (xlsform.reader).
        detail = _l(
            "%(error)s (at character %(position)d of “%(text)s”)",
            error=error.translated,
            position=error.position + 1,
            text=text,
        )
        raise EditError("bad_expression", detail) from None


@write_transaction()
def add_question(page_id: int, spec: QuestionSpec, label: str) -> Question:
    page = get_or_fail(Page, page_id)
    version = editable_version(page.version_id)
    target = _same_in(version, page)
    spec = _checked_spec(spec)
    domain = _check_spec(spec, version, exclude=None)
    question = Question(version=version, position=len(target.questions), name=spec.name)
    target.questions.append(question)
    _apply(question, spec, domain, version)
    db.session.flush()
    set_text(version.id, text_keys.question_label(question.name), SOURCE_LANGUAGE, label)
    db.session.commit()
    return question


@write_transaction()
def update_question(question_id: int, spec: QuestionSpec) -> Question:
    question = get_or_fail(Question, question_id)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    spec = _checked_spec(spec)
    domain = _check_spec(spec, version, exclude=target.name)
    if spec.name != target.name:
        rename_texts(
            version.id, text_keys.question_prefix(target.name), text_keys.question_prefix(spec.name)
        )
        target.name = spec.name
    _apply(target, spec, domain, version)
    db.session.commit()
    return target


def _apply(question: Question, spec: QuestionSpec, domain: Domain | None, version) -> None:
    """Write ``spec`` (only its type's settings, see ``used_fields_only``) on the question;
    settings the type does not use are cleared."""
    question.type = spec.type
    question.required = spec.required
    question.domain = domain
    question.measure = spec.measure
    question.min_value, question.max_value = spec.min_value, spec.max_value
    question.max_length = spec.max_length
    question.integer_only = spec.integer_only
    question.relevant = spec.relevant or None
    question.constraint = spec.constraint or None
    question.calculation = spec.calculation or None
    question.min_date, question.max_date = spec.min_date, spec.max_date
    if TYPES[spec.type].choices:
        question.choice_list = _choice_list_for(question, spec, version)
    else:
        question.choice_list = None


def _choice_list_for(question: Question, spec: QuestionSpec, version) -> ChoiceList:
    """The question's list: unchanged choices keep a shared list; changed ones get
    the question's own list (so other questions sharing the list are not touched)."""
    if question.choice_list is not None and _same_choices(question.choice_list, spec, version):
        return question.choice_list
    own_name = question.name
    choice_list = next((cl for cl in version.choice_lists if cl.name == own_name), None)
    if choice_list is None:
        choice_list = ChoiceList(name=own_name)
        version.choice_lists.append(choice_list)
    old_labels = {}
    if question.choice_list is not None:
        for c in question.choice_list.choices:
            old_labels[c.value] = text_keys.choice_label(question.choice_list.name, c.value)
    choice_list.choices.clear()
    db.session.flush()
    for position, (value, score, label) in enumerate(spec.choices or []):
        choice_list.choices.append(Choice(value=value, score=score, position=position))
        key = text_keys.choice_label(own_name, value)
        if old_labels.get(value) and old_labels[value] != key:
            copy_texts(version.id, old_labels[value], key)
        set_text(version.id, key, SOURCE_LANGUAGE, label or value)
    return choice_list


def _same_choices(choice_list: ChoiceList, spec: QuestionSpec, version) -> bool:
    source = source_texts(version.id)
    current = [
        (c.value, c.score, source.get(text_keys.choice_label(choice_list.name, c.value), ""))
        for c in choice_list.choices
    ]
    wanted = [(value, score, (label or value)) for value, score, label in spec.choices or []]
    return current == wanted


@write_transaction()
def move_question(question_id: int, delta: int) -> QuestionnaireVersion:
    question = get_or_fail(Question, question_id)
    version = editable_version(question.version_id)
    page = _same_question(version, question).page
    _swap(list(page.questions), question.name, delta)
    db.session.commit()
    return version


@write_transaction()
def delete_question(question_id: int) -> QuestionnaireVersion:
    question = get_or_fail(Question, question_id)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    _drop_question(target)
    db.session.commit()
    return version


def _drop_question(question: Question) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(
            TextEntry.version_id == question.version_id,
            TextEntry.key.startswith(text_keys.question_prefix(question.name)),
        )
    ):
        db.session.delete(row)
    question.page.questions.remove(question)
    db.session.delete(question)
