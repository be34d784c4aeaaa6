"""Use cases of the questionnaire editor: create, change structure, publish.

A published version is frozen: a structural change to it is made on a new
draft version (a copy), so responses keep the version they answered. Text and
translation fixes apply to any version directly (content.save_translation and
``set_source_text``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.languages.transliteration import normalise_text
from surveyapp.models import (
    MEASURES,
    QUESTION_TYPES,
    Choice,
    ChoiceList,
    Domain,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    TextEntry,
)
from surveyapp.models.base import utcnow
from surveyapp.questionnaires.text_keys import NAME
from surveyapp.questionnaires.texts import max_text_length, source_hash
from surveyapp.questionnaires.versions import load_version


class EditError(ValueError):
    """A change that cannot be made; ``code`` names why, ``detail`` what."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


# --- questionnaires and versions ------------------------------------------------


def questionnaires() -> list[tuple[Questionnaire, QuestionnaireVersion, int]]:
    """Each questionnaire with its newest version and how many responses it has."""
    counts = dict(
        db.session.execute(
            select(Response.version_id, func.count()).group_by(Response.version_id)
        ).all()
    )
    rows = []
    for questionnaire in db.session.scalars(select(Questionnaire).order_by(Questionnaire.name)):
        if questionnaire.versions:
            total = sum(counts.get(v.id, 0) for v in questionnaire.versions)
            rows.append((questionnaire, questionnaire.versions[-1], total))
    return rows


@write_transaction()
def create_questionnaire(name: str, title: str) -> QuestionnaireVersion:
    """A new questionnaire: a draft version 1 with one empty page."""
    _check_name(name)
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == name)):
        raise EditError("exists", name)
    version = QuestionnaireVersion(questionnaire=Questionnaire(name=name), number=1, status="draft")
    db.session.add(version)
    db.session.flush()
    _set(version.id, "questionnaire.title", SOURCE_LANGUAGE, title or name)
    page = Page(name="page_1", position=0)
    version.pages.append(page)
    db.session.flush()
    _set(version.id, "page.page_1.title", SOURCE_LANGUAGE, title or name)
    db.session.commit()
    return version


def _check_name(name: str) -> None:
    if not NAME.match(name or ""):
        raise EditError("bad_name", name)


def copy_version(source_id: int, questionnaire: Questionnaire, number: int) -> QuestionnaireVersion:
    """A draft copy of a version: pages, questions, choice lists and every text."""
    source = load_version(source_id)
    copy = QuestionnaireVersion(
        questionnaire=questionnaire,
        number=number,
        status="draft",
        privacy_version=source.privacy_version,
        settings=dict(source.settings or {}) or None,
    )
    db.session.add(copy)
    lists = {}
    for old_list in source.choice_lists:
        new_list = ChoiceList(name=old_list.name)
        copy.choice_lists.append(new_list)
        lists[old_list.id] = new_list
        for c in old_list.choices:
            new_list.choices.append(
                Choice(value=c.value, score=c.score, position=c.position, extra=c.extra)
            )
    for old_page in source.pages:
        page = Page(name=old_page.name, position=old_page.position, relevant=old_page.relevant)
        copy.pages.append(page)
        for q in old_page.questions:
            page.questions.append(
                Question(
                    version=copy,
                    **{column: getattr(q, column) for column in _QUESTION_COPY},
                    choice_list=lists.get(q.choice_list_id),
                )
            )
    db.session.flush()
    for row in db.session.scalars(select(TextEntry).where(TextEntry.version_id == source_id)):
        db.session.add(
            TextEntry(
                version_id=copy.id,
                key=row.key,
                lang=row.lang,
                text=row.text,
                source_hash=row.source_hash,
            )
        )
    return copy


_QUESTION_COPY = (
    "name", "type", "position", "required", "domain_id", "measure", "min_value", "max_value",
    "max_length", "integer_only", "relevant", "constraint", "calculation", "choice_filter",
    "default", "appearance", "source_type", "extra",
)  # fmt: skip


@write_transaction()
def editable_version(version_id: int) -> QuestionnaireVersion:
    """The version to make a structural change on: this one if it is a draft,
    else the questionnaire's draft, made as a copy of the newest version if needed."""
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        raise EditError("not_found", str(version_id))
    if version.status == "draft":
        return version
    latest = version.questionnaire.versions[-1]
    if latest.status == "draft":
        return latest
    return copy_version(latest.id, version.questionnaire, latest.number + 1)


@write_transaction()
def duplicate(version_id: int, new_name: str) -> QuestionnaireVersion:
    _check_name(new_name)
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == new_name)):
        raise EditError("exists", new_name)
    copy = copy_version(version_id, Questionnaire(name=new_name), 1)
    db.session.commit()
    return copy


@write_transaction()
def publish(version_id: int) -> QuestionnaireVersion:
    """Freeze a draft. Refused when a page has no question or a question has no label."""
    version = load_version(version_id)
    if version.status != "draft":
        raise EditError("not_draft", str(version.number))
    source = _texts(version.id)
    for page in version.pages:
        if not page.questions:
            raise EditError("empty_page", page.name)
        for q in page.questions:
            if q.type != "calculate" and not source.get(f"q.{q.name}.label"):
                raise EditError("no_label", q.name)
            if q.has_choices and not (q.choice_list and q.choice_list.choices):
                raise EditError("no_choices", q.name)
    version.status = "published"
    version.published_at = utcnow()
    db.session.commit()
    return version


# --- texts ------------------------------------------------------------------------


def _texts(version_id: int) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(TextEntry.key, TextEntry.text).where(
                TextEntry.version_id == version_id, TextEntry.lang == SOURCE_LANGUAGE
            )
        ).all()
    )


def _set(version_id: int, key: str, lang: str, text: str) -> None:
    text = normalise_text((text or "").strip())
    row = db.session.scalar(
        select(TextEntry).where(
            TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == lang
        )
    )
    if row is None:
        if not text:
            return
        row = TextEntry(version_id=version_id, key=key, lang=lang, text=text)
        db.session.add(row)
    row.text = text
    if lang == SOURCE_LANGUAGE:
        row.source_hash = source_hash(text)


@write_transaction()
def set_source_text(version_id: int, key: str, text: str) -> None:
    """Change an English text; its translations become out of date (not lost)."""
    _set(version_id, key, SOURCE_LANGUAGE, text)
    db.session.commit()


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
    _set(version.id, f"page.{page.name}.title", SOURCE_LANGUAGE, title)
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
    page = _get(Page, page_id)
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
    page = _get(Page, page_id)
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


def _get(model, object_id: int):
    found = db.session.get(model, object_id)
    if found is None:
        raise EditError("not_found", str(object_id))
    return found


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
    #: (value, score, English label) per choice, for choice types.
    choices: list[tuple[str, float | None, str]] | None = None


def _check_spec(
    spec: QuestionSpec, version: QuestionnaireVersion, exclude: str | None
) -> Domain | None:
    _check_name(spec.name)
    if spec.type not in QUESTION_TYPES:
        raise EditError("bad_type", spec.type)
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
    if spec.type in ("single_choice", "multiple_choice", "scale"):
        values = [value for value, _score, _label in spec.choices or []]
        if not values:
            raise EditError("no_choices", spec.name)
        bad = [v for v in values if not re.match(r"^[\w.-]{1,64}$", v)]
        if bad or len(set(values)) != len(values):
            raise EditError("bad_choices", ", ".join(bad) or spec.name)
    names = {q.name for p in version.pages for q in p.questions} | {spec.name}
    for expression in (spec.relevant, spec.constraint):
        if expression:
            check_expression(expression, names)
    return domain


def check_expression(text: str, names: set[str]) -> None:
    """Refuse an expression the evaluator does not understand or that names an unknown question."""
    from surveyapp.questionnaires.expressions import ExpressionError, check

    try:
        check(text, names)
    except ExpressionError as error:
        raise EditError("bad_expression", f"{text}: {error.message}") from None


@write_transaction()
def add_question(page_id: int, spec: QuestionSpec, label: str) -> Question:
    page = _get(Page, page_id)
    version = editable_version(page.version_id)
    target = _same_in(version, page)
    domain = _check_spec(spec, version, exclude=None)
    question = Question(version=version, position=len(target.questions), name=spec.name)
    target.questions.append(question)
    _apply(question, spec, domain, version)
    db.session.flush()
    _set(version.id, f"q.{question.name}.label", SOURCE_LANGUAGE, label)
    db.session.commit()
    return question


@write_transaction()
def update_question(question_id: int, spec: QuestionSpec) -> Question:
    question = _get(Question, question_id)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    domain = _check_spec(spec, version, exclude=target.name)
    if spec.name != target.name:
        _rename_texts(version.id, f"q.{target.name}.", f"q.{spec.name}.")
        target.name = spec.name
    _apply(target, spec, domain, version)
    db.session.commit()
    return target


def _apply(question: Question, spec: QuestionSpec, domain: Domain | None, version) -> None:
    question.type = spec.type
    question.required = spec.required
    question.domain = domain
    question.measure = spec.measure
    question.min_value, question.max_value = spec.min_value, spec.max_value
    question.max_length = spec.max_length
    question.integer_only = spec.integer_only
    question.relevant = spec.relevant or None
    question.constraint = spec.constraint or None
    if spec.type in ("single_choice", "multiple_choice", "scale"):
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
            old_labels[c.value] = f"choice.{question.choice_list.name}.{c.value}.label"
    choice_list.choices.clear()
    db.session.flush()
    for position, (value, score, label) in enumerate(spec.choices or []):
        choice_list.choices.append(Choice(value=value, score=score, position=position))
        key = f"choice.{own_name}.{value}.label"
        if old_labels.get(value) and old_labels[value] != key:
            _copy_texts(version.id, old_labels[value], key)
        _set(version.id, key, SOURCE_LANGUAGE, label or value)
    return choice_list


def _same_choices(choice_list: ChoiceList, spec: QuestionSpec, version) -> bool:
    source = _texts(version.id)
    current = [
        (c.value, c.score, source.get(f"choice.{choice_list.name}.{c.value}.label", ""))
        for c in choice_list.choices
    ]
    wanted = [(value, score, (label or value)) for value, score, label in spec.choices or []]
    return current == wanted


def _copy_texts(version_id: int, from_key: str, to_key: str) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(TextEntry.version_id == version_id, TextEntry.key == from_key)
    ):
        if row.lang != SOURCE_LANGUAGE:
            _set(version_id, to_key, row.lang, row.text)
            copied = db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id,
                    TextEntry.key == to_key,
                    TextEntry.lang == row.lang,
                )
            )
            if copied is not None:
                copied.source_hash = row.source_hash


def _rename_texts(version_id: int, old_prefix: str, new_prefix: str) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(
            TextEntry.version_id == version_id, TextEntry.key.startswith(old_prefix)
        )
    ):
        row.key = new_prefix + row.key[len(old_prefix) :]


@write_transaction()
def move_question(question_id: int, delta: int) -> QuestionnaireVersion:
    question = _get(Question, question_id)
    version = editable_version(question.version_id)
    page = _same_question(version, question).page
    _swap(list(page.questions), question.name, delta)
    db.session.commit()
    return version


@write_transaction()
def delete_question(question_id: int) -> QuestionnaireVersion:
    question = _get(Question, question_id)
    version = editable_version(question.version_id)
    target = _same_question(version, question)
    _drop_question(target)
    db.session.commit()
    return version


def _drop_question(question: Question) -> None:
    for row in db.session.scalars(
        select(TextEntry).where(
            TextEntry.version_id == question.version_id,
            TextEntry.key.startswith(f"q.{question.name}."),
        )
    ):
        db.session.delete(row)
    question.page.questions.remove(question)
    db.session.delete(question)


# --- texts side by side --------------------------------------------------------------


def question_keys(question: Question) -> list[str]:
    parts = ("label", "hint", "constraint_message", "required_message")
    keys = [f"q.{question.name}.{part}" for part in parts]
    if question.choice_list:
        keys += [
            f"choice.{question.choice_list.name}.{c.value}.label"
            for c in question.choice_list.choices
        ]
    return keys


def version_keys(version: QuestionnaireVersion) -> list[str]:
    keys = ["questionnaire.title", "questionnaire.description", "privacy.text", "privacy.consent"]
    for page in version.pages:
        keys += [f"page.{page.name}.title", f"page.{page.name}.intro"]
    return keys


def text_table(
    version_id: int, keys: list[str], langs: list[str]
) -> list[tuple[str, dict[str, str]]]:
    """Rows of (key, {language: text}) for the side-by-side editor."""
    found: dict[str, dict[str, str]] = {key: {} for key in keys}
    for key, lang, text in db.session.execute(
        select(TextEntry.key, TextEntry.lang, TextEntry.text).where(
            TextEntry.version_id == version_id, TextEntry.key.in_(keys), TextEntry.lang.in_(langs)
        )
    ):
        found[key][lang] = text
    return [(key, found[key]) for key in keys]


@write_transaction()
def save_texts(version_id: int, edits: dict[tuple[str, str], str], allowed_keys: set[str]) -> int:
    """Store the texts that changed; English changes make translations out of date.

    A translation saved here counts as made from the current English text.
    Returns how many texts changed.
    """
    current = {
        (row.key, row.lang): row
        for row in db.session.scalars(
            select(TextEntry).where(
                TextEntry.version_id == version_id, TextEntry.key.in_(allowed_keys)
            )
        )
    }
    sources = {key: row for (key, lang), row in current.items() if lang == SOURCE_LANGUAGE}
    if any(len(text) > max_text_length(key) for (key, _lang), text in edits.items()):
        raise EditError("too_long", "")
    changed = 0
    # English first, so translations saved together count as made from the new text.
    for (key, lang), text in sorted(edits.items(), key=lambda item: item[0][1] != SOURCE_LANGUAGE):
        if key not in allowed_keys:
            continue
        text = normalise_text(text.strip())
        row = current.get((key, lang))
        if (row.text if row else "") == text:
            continue
        _set(version_id, key, lang, text)
        if lang != SOURCE_LANGUAGE:
            source = sources.get(key) or db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id,
                    TextEntry.key == key,
                    TextEntry.lang == SOURCE_LANGUAGE,
                )
            )
            stored = db.session.scalar(
                select(TextEntry).where(
                    TextEntry.version_id == version_id, TextEntry.key == key, TextEntry.lang == lang
                )
            )
            if stored is not None and source is not None:
                stored.source_hash = source.source_hash
        changed += 1
    db.session.commit()
    return changed
