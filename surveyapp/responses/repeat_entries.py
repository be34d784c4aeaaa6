"""The entries of a response's repeat pages (``surveyapp.questionnaires.repeats``): read,
saved, added and removed.

Each entry's answers are ``Answer`` rows with ``entry`` 1, 2, ...; ``Response.repeat_entries``
keeps how many entries the respondent has on each repeat page, so an entry added and not
yet answered still counts. Saving a page stores every entry as sent; removing an entry
deletes its answers only, and the entries after it move up one. A file question's files
(``upload_answers``) follow their entries the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Answer, AnswerSelection, Page, QuestionnaireVersion, Response
from surveyapp.models.base import utcnow
from surveyapp.questionnaires import repeats
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.question_types import TYPES, AnswerValue, type_of
from surveyapp.questionnaires.version_cache import index_of
from surveyapp.responses import upload_answers

Entry = dict[str, AnswerValue]


def kept_counts(response_id: int) -> dict[str, int]:
    """The number of entries the respondent has on each repeat page, by page name."""
    stored = db.session.scalar(select(Response.repeat_entries).where(Response.id == response_id))
    return dict(stored or {})


def load(response_id: int, version: QuestionnaireVersion) -> repeats.Entries:
    """Every repeat page's entries, by page name: a list of {question name: value}, as
    many as the respondent has (at least as many as have answers)."""
    pages = repeats.repeat_pages(version)
    if not pages:
        return {}
    counts = kept_counts(response_id)
    questions = {q.id: (page.name, q) for page in pages for q in page.questions}
    rows = db.session.execute(
        select(Answer.question_id, Answer.entry, Answer.choice, Answer.number, Answer.text)
        .where(Answer.response_id == response_id, Answer.entry > 0)
        .where(Answer.question_id.in_(questions))
    ).all()
    ticked: dict[tuple[int, int], list[str]] = {}
    for question_id, entry, value in db.session.execute(
        select(Answer.question_id, Answer.entry, AnswerSelection.value)
        .join(AnswerSelection, AnswerSelection.answer_id == Answer.id)
        .where(Answer.response_id == response_id, Answer.entry > 0)
    ):
        ticked.setdefault((question_id, entry), []).append(value)
    found: dict[str, dict[int, Entry]] = {page.name: {} for page in pages}
    for question_id, entry, choice, number, text in rows:
        if question_id not in questions:
            continue
        page_name, question = questions[question_id]
        kind = type_of(question.type)
        value = (
            sorted(ticked.get((question_id, entry), []))
            if kind.multiple
            else kind.value(choice, number, text)
        )
        found[page_name].setdefault(entry, {})[question.name] = value
    entries: repeats.Entries = {}
    for page in pages:
        names = {q.name: None for q in page.questions if q.answerable}
        count = max([counts.get(page.name, 0), *found[page.name]])
        entries[page.name] = [
            {**names, **found[page.name].get(number, {})} for number in range(1, count + 1)
        ]
    return entries


def save(response_id: int, page: Page, entries: list[Entry]) -> bool:
    """Store the page's entries as sent (entry 1 first), in one transaction: answers of
    entries past the last are deleted, the number of entries is kept. Returns False,
    changing nothing, when the response is no longer in progress.

    New files (checked ``UploadedFile`` values) are written before the transaction and
    become their keys; a save that stores nothing, or fails, removes them at once."""
    questions = {q.name: q for q in page.questions if q.answerable}
    has_files = any(TYPES[q.type].upload for q in questions.values())
    written = upload_answers.write_entry_files(questions, entries) if has_files else None
    try:
        stored = _save(response_id, page, entries, written)
    except BaseException:
        upload_answers.discard_entry_files(written or [])
        raise
    if not stored:
        upload_answers.discard_entry_files(written or [])
    return stored


@write_transaction()
def _save(response_id: int, page: Page, entries: list[Entry], written: list | None) -> bool:
    status, counts = db.session.execute(
        select(Response.status, Response.repeat_entries)
        .where(Response.id == response_id)
        .with_for_update()
    ).one()
    if status != "in_progress":
        db.session.commit()
        return False
    questions = {q.name: q for q in page.questions if q.answerable}
    if written is not None:
        conn = db.session.connection()
        upload_answers.store_entry_files(conn, response_id, questions, entries, written)
    ids = [q.id for q in questions.values()]
    old = select(Answer.id).where(
        Answer.response_id == response_id, Answer.question_id.in_(ids), Answer.entry > 0
    )
    db.session.execute(delete(AnswerSelection).where(AnswerSelection.answer_id.in_(old)))
    db.session.execute(
        delete(Answer).where(
            Answer.response_id == response_id, Answer.question_id.in_(ids), Answer.entry > 0
        )
    )
    scores = index_of(page.version).scores
    for number, entry in enumerate(entries, start=1):
        for name, value in entry.items():
            question = questions.get(name)
            if question is None or value is None or value == "" or value == []:
                continue
            kind = TYPES[question.type]
            choice, figure, text = kind.columns(question, value, scores)
            answer_id = db.session.execute(
                insert(Answer)
                .values(
                    response_id=response_id,
                    question_id=question.id,
                    entry=number,
                    choice=choice,
                    number=figure,
                    text=text,
                )
                .returning(Answer.id)
            ).scalar_one()
            if kind.multiple:
                chosen = kind.selections(value)
                if chosen:
                    db.session.execute(
                        insert(AnswerSelection),
                        [{"answer_id": answer_id, "value": v} for v in chosen],
                    )
    counts = {**(counts or {}), page.name: len(entries)}
    db.session.execute(
        update(Response)
        .where(Response.id == response_id)
        .values(repeat_entries=counts, updated_at=utcnow(), draft=None)
    )
    db.session.commit()
    db.session.expire_all()
    return True


def drop_skipped(response_id: int, version: QuestionnaireVersion, shown: set[str]) -> None:
    """At submission: the answers of repeat pages that are not shown are not kept (inside
    the caller's transaction)."""
    gone: list[int] = [
        q.id
        for page in repeats.repeat_pages(version)
        if page.name not in shown
        for q in page.questions
    ]
    if not gone:
        return
    old = select(Answer.id).where(Answer.response_id == response_id, Answer.question_id.in_(gone))
    db.session.execute(delete(AnswerSelection).where(AnswerSelection.answer_id.in_(old)))
    db.session.execute(
        delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(gone))
    )


def store_calculations(
    response_id: int, version: QuestionnaireVersion, values: dict[str, Any]
) -> None:
    """At submission (inside the caller's transaction): the calculations of each entry of
    a shown repeat page, worked out from that entry's answers, stored with its entry
    number (as a page's calculations are stored with the response)."""
    from surveyapp.questionnaires import rules

    entries = values.get(REPEATS) or {}
    for page in repeats.repeat_pages(version):
        calculations = [q for q in page.questions if TYPES[q.type].calculated and q.calculation]
        if not calculations:
            continue
        db.session.execute(
            delete(Answer).where(
                Answer.response_id == response_id,
                Answer.question_id.in_([q.id for q in calculations]),
                Answer.entry > 0,
            )
        )
        if not rules.page_is_shown(page, values):
            continue
        count = repeats.entry_count(page, values, len(entries.get(page.name) or []))
        rows = []
        for number in range(1, count + 1):
            inside = repeats.entry_values(values, entries, page, number)
            relevant = {q.id for q in rules.relevant_questions(page, inside)}
            for question in calculations:
                value = inside.get(question.name)
                if question.id not in relevant or value is None or value == "":
                    continue
                _choice, figure, text = TYPES[question.type].columns(question, value, {})
                rows.append(
                    {
                        "response_id": response_id,
                        "question_id": question.id,
                        "entry": number,
                        "number": figure,
                        "text": text,
                    }
                )
        if rows:
            db.session.execute(insert(Answer), rows)


def missing_in(page: Page, values: dict[str, Any], entries: repeats.Entries) -> bool:
    """Whether an entry of ``page`` leaves a relevant required question unanswered, or
    holds a choice its choice_filter no longer allows (an answer it reads changed)."""
    from surveyapp.questionnaires import choice_filters, rules

    count = repeats.entry_count(page, values, len(entries.get(page.name) or []))
    for number in range(1, count + 1):
        inside = repeats.entry_values(values, entries, page, number)
        for question in rules.relevant_questions(page, inside):
            if choice_filters.refused(question, inside.get(question.name), inside):
                return True
            if (
                question.required
                and question.answerable
                and inside.get(question.name)
                in (
                    None,
                    "",
                    [],
                )
            ):
                return True
    return False
