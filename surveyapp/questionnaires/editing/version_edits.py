"""Questionnaires and their versions: create, copy, duplicate, publish.

A published version is frozen: a structural change to it is made on a new
draft version (:func:`editable_version`, a copy), so responses keep the
version they answered."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import SOURCE_LANGUAGE
from surveyapp.models import (
    Choice,
    ChoiceList,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    TextEntry,
)
from surveyapp.models.base import utcnow
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.editing.errors import EditError, check_name
from surveyapp.questionnaires.editing.publish_checks import publish_problems
from surveyapp.questionnaires.editing.text_edits import set_text
from surveyapp.questionnaires.versions import load_version


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
    check_name(name)
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == name)):
        raise EditError("exists", name)
    version = QuestionnaireVersion(questionnaire=Questionnaire(name=name), number=1, status="draft")
    db.session.add(version)
    db.session.flush()
    set_text(version.id, text_keys.QUESTIONNAIRE_TITLE, SOURCE_LANGUAGE, title or name)
    page = Page(name="page_1", position=0)
    version.pages.append(page)
    db.session.flush()
    set_text(version.id, text_keys.page_title("page_1"), SOURCE_LANGUAGE, title or name)
    db.session.commit()
    return version


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
        page = Page(
            name=old_page.name,
            position=old_page.position,
            relevant=old_page.relevant,
            repeat=old_page.repeat,
        )
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
    "default", "appearance", "source_type", "extra", "min_date", "max_date",
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
    check_name(new_name)
    if db.session.scalar(select(Questionnaire.id).where(Questionnaire.name == new_name)):
        raise EditError("exists", new_name)
    copy = copy_version(version_id, Questionnaire(name=new_name), 1)
    db.session.commit()
    return copy


@write_transaction()
def publish(version_id: int, leave_out_incomplete: bool = False) -> QuestionnaireVersion:
    """Freeze a draft once :func:`publish_problems` finds nothing in the way.

    Raises ``EditError("not_ready")`` with every problem in ``problems``; with
    ``leave_out_incomplete``, half-translated languages do not stop it (they are
    not offered until their translation is complete)."""
    version = load_version(version_id)
    if version is None:
        raise EditError("not_found", str(version_id))
    if version.status != "draft":
        raise EditError("not_draft", str(version.number))
    problems = [
        problem
        for problem in publish_problems(version)
        if problem.blocks_always or not leave_out_incomplete
    ]
    if problems:
        error = EditError("not_ready", str(len(problems)))
        error.problems = problems
        raise error
    version.status = "published"
    version.published_at = utcnow()
    db.session.commit()
    return version
