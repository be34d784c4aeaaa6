"""Use cases of the respondent's path: consent, save a page, submit.

Plain arguments in, model objects out; each function that changes state
commits its own transaction. Nothing here knows about HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from surveyapp.core.database import insert_for, request_write_transaction, write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    Answer,
    AnswerSelection,
    Page,
    Question,
    QuestionnaireVersion,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.profiles import count_tables
from surveyapp.questionnaires import choice_filters, rules
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.question_types import TYPES, AnswerValue
from surveyapp.questionnaires.version_cache import index_of
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses import recorded, repeat_entries, upload_answers
from surveyapp.responses.reads import (
    ResponseState,
    answers_by_name,
)

#: A started response: the ORM object, or the state a respondent page read.
ResponseLike = Response | ResponseState


def set_language(response: ResponseLike, lang: str) -> None:
    if response.language != lang:
        with write_transaction():
            db.session.execute(
                update(Response).where(Response.id == response.id).values(language=lang)
            )
            db.session.commit()
        _remember(response, language=lang)


def _is_empty(value: AnswerValue) -> bool:
    return value is None or value == "" or value == []


def save_page(response: ResponseLike, page: Page, values: dict[str, AnswerValue]) -> bool:
    """Store one page's answers (by question name) in one transaction.

    An empty value deletes the stored answer; the page's draft is cleared.
    A handful of statements whatever the page's size: the response row is
    stamped (which takes its lock and tells whether it is still in progress),
    then the answers are upserted in one go (INSERT ... ON CONFLICT on response
    and question). Returns False, changing nothing, when the response was
    submitted meanwhile (another tab, a retried request): a submitted response
    never changes.
    """
    questions = {q.name: q for q in page.questions}
    values = recorded.with_zones(response.id, questions, values)
    changes: dict[str, Any] = {"updated_at": utcnow()}
    has_files = any(TYPES[q.type].upload for q in questions.values())
    written = upload_answers.write_page_files(questions, values) if has_files else {}
    # Plain Core statements on the request's own connection: no ORM session, no objects.
    with request_write_transaction() as conn:
        params = {"response_id": response.id, "now": changes["updated_at"]}
        row = conn.execute(_STAMP_IN_PROGRESS, params).one_or_none()
        if row is None:
            upload_answers.discard_written(written)
            return False
        if has_files:
            upload_answers.store_page_files(conn, response.id, questions, values, written)
        _save_answers(conn, response.id, questions, values, _choice_scores(page))
        draft = row[0]
        if draft and draft.get("page") == page.name:
            changes["draft"] = None
            conn.execute(update(Response).where(Response.id == response.id).values(draft=None))
    _remember(response, **changes)
    _forget_loaded_answers(response)
    return True


#: Stamp a response that is still in progress (and lock its row); gives its draft.
_STAMP_IN_PROGRESS = (
    update(Response)
    .where(Response.id == bindparam("response_id"), Response.status == "in_progress")
    .values(updated_at=bindparam("now"))
    .returning(Response.draft)
)


def _remember(response: ResponseLike, **values: Any) -> None:
    """What was just committed, on the caller's object (no reload for an ORM object)."""
    if isinstance(response, Response):
        for name, value in values.items():
            set_committed_value(response, name, value)
    else:
        for name, value in values.items():
            setattr(response, name, value)


_LOCK = (
    select(Response.status, Response.draft)
    .where(Response.id == bindparam("response_id"))
    .with_for_update()
)


def _lock(
    response: ResponseLike, conn: Connection | None = None
) -> tuple[str, dict[str, Any] | None]:
    """Serialise writers of one response; its status and draft as stored now.

    A PostgreSQL row lock; SQLite already holds the write lock (BEGIN IMMEDIATE).
    """
    status, draft = (
        (conn or db.session.connection()).execute(_LOCK, {"response_id": response.id}).one()
    )
    return status, draft


def _save_answers(
    conn: Connection,
    response_id: int,
    questions: dict[str, Question],
    values: dict[str, AnswerValue],
    scores: dict[tuple[int, str], float | None],
) -> None:
    rows: list[dict[str, Any]] = []
    emptied: list[int] = []
    ticked: dict[int, list[str]] = {}
    for name, value in values.items():
        question = questions[name]
        if _is_empty(value):
            emptied.append(question.id)
            continue
        rows.append({"response_id": response_id, **_columns(question, value, scores)})
        kind = TYPES[question.type]
        if kind.multiple:
            ticked[question.id] = kind.selections(value)
    if emptied:
        gone = select(Answer.id).where(
            Answer.response_id == response_id, Answer.question_id.in_(emptied)
        )
        conn.execute(delete(AnswerSelection).where(AnswerSelection.answer_id.in_(gone)))
        conn.execute(
            delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(emptied))
        )
    if rows:
        conn.execute(_answer_upsert(conn), rows)
    if ticked:
        answer_ids = dict(
            conn.execute(
                select(Answer.question_id, Answer.id).where(
                    Answer.response_id == response_id, Answer.question_id.in_(ticked)
                )
            ).all()
        )
        conn.execute(
            delete(AnswerSelection).where(AnswerSelection.answer_id.in_(answer_ids.values()))
        )
        conn.execute(
            insert(AnswerSelection),
            [
                {"answer_id": answer_ids[question_id], "value": value}
                for question_id, chosen in ticked.items()
                for value in chosen
            ],
        )


#: The answer upsert per dialect, built once.
_UPSERTS: dict[str, Any] = {}


def _answer_upsert(conn: Connection):
    statement = _UPSERTS.get(conn.dialect.name)
    if statement is None:
        insert_ = insert_for(conn, Answer)
        statement = _UPSERTS[conn.dialect.name] = insert_.on_conflict_do_update(
            index_elements=[Answer.response_id, Answer.question_id, Answer.entry],
            set_={
                "choice": insert_.excluded.choice,
                "number": insert_.excluded.number,
                "text": insert_.excluded.text,
            },
        )
    return statement


def _choice_scores(page: Page) -> dict[tuple[int, str], float | None]:
    """(choice list id, value) -> score, for every choice list the page's version uses."""
    return index_of(page.version).scores


def _columns(question: Question, value: Any, scores: dict) -> dict[str, Any]:
    """An answer row's columns (every one, so that an upsert overwrites them all)."""
    choice, number, text = TYPES[question.type].columns(question, value, scores)
    return {"question_id": question.id, "choice": choice, "number": number, "text": text}


def _forget_loaded_answers(response: ResponseLike) -> None:
    """Answers this session loaded before are out of date now: reload them when read."""
    if not db.session.registry.has():
        return  # no session in this request: nothing loaded
    for obj in list(db.session.identity_map.values()):
        # Read without loading: an expired answer may be one this save deleted.
        if isinstance(obj, Answer) and inspect(obj).dict.get("response_id") == response.id:
            db.session.expire(obj)
    if isinstance(response, Response) and "answers" in inspect(response).dict:
        db.session.expire(response, ["answers"])


def save_draft(response: ResponseLike, page: Page, raw: dict[str, list[str]]) -> bool:
    """Keep a page's raw input that did not validate, so nothing typed is lost.

    Returns False, changing nothing, when the response was submitted meanwhile.
    """
    changes = {"draft": {"page": page.name, "values": raw}, "updated_at": utcnow()}
    with write_transaction():
        status, _draft = _lock(response)
        if status != "in_progress":
            db.session.commit()
            return False
        db.session.execute(update(Response).where(Response.id == response.id).values(**changes))
        db.session.commit()
    _remember(response, **changes)
    return True


def draft_for(response: ResponseLike, page: Page) -> dict[str, list[str]] | None:
    if response.draft and response.draft.get("page") == page.name:
        return response.draft.get("values") or {}
    return None


@dataclass
class Gap:
    """Why a response cannot be submitted yet: the first page to revisit."""

    page_number: int
    has_draft: bool


def first_gap(response: ResponseLike, version: QuestionnaireVersion) -> Gap | None:
    """The first shown page with unsaved corrections or a relevant required question unanswered."""
    values = rules.all_values(version, answers_by_name(response, version))
    for number, page in enumerate(version.pages, start=1):
        if draft_for(response, page) is not None:
            return Gap(number, True)
        if not rules.page_is_shown(page, values):
            continue
        if page.repeat:
            if repeat_entries.missing_in(page, values, values.get(REPEATS) or {}):
                return Gap(number, False)
            continue
        relevant = rules.relevant_questions(page, values)
        if any(q.required and q.answerable and _is_empty(values.get(q.name)) for q in relevant):
            return Gap(number, False)
        # A choice that no longer fits its choice_filter (an earlier answer changed).
        if any(choice_filters.refused(q, values.get(q.name), values) for q in relevant):
            return Gap(number, False)
    return None


def _finalise_answers(response: ResponseLike, version: QuestionnaireVersion) -> None:
    """Drop answers to questions that are not relevant; store calculated values."""
    values = rules.all_values(version, answers_by_name(response, version))
    skipped = rules.irrelevant_names(version, values)
    # A repeat's answers were checked entry by entry as they were saved.
    questions = {q.name: q for page in version.pages if not page.repeat for q in page.questions}
    shown = {page.name for page in version.pages if rules.page_is_shown(page, values)}
    repeat_entries.drop_skipped(response.id, version, shown)
    repeat_entries.store_calculations(response.id, version, values)
    stored = {
        a.question_id: a
        for a in db.session.scalars(
            select(Answer).where(Answer.response_id == response.id, Answer.entry == 0)
        )
    }
    clock = recorded.recorded_values(response.id, list(questions.values()), utcnow())
    for name, question in questions.items():
        answer = stored.get(question.id)
        if name in skipped and answer is not None:
            db.session.delete(answer)
        elif TYPES[question.type].calculated and name not in skipped:
            value = clock.get(question.id, values.get(name))
            if value in (None, ""):
                continue
            if answer is None:
                answer = Answer(response_id=response.id, question_id=question.id)
                db.session.add(answer)
            _choice, answer.number, answer.text = TYPES[question.type].columns(question, value, {})


def submit(response: ResponseLike, version: QuestionnaireVersion | None = None) -> bool:
    """Mark the response submitted, keeping only relevant answers and adding calculations.

    Idempotent: returns False when it already was submitted.
    """
    version = version or load_version(response.version_id)
    submitted = False
    with write_transaction():
        status, _draft = _lock(response)
        if status == "in_progress":
            _finalise_answers(response, version)
            if any(TYPES[q.type].upload for p in version.pages for q in p.questions):
                db.session.flush()
                upload_answers.drop_unanswered(db.session.connection(), response.id)
            result = db.session.execute(
                update(Response)
                .where(Response.id == response.id, Response.status == "in_progress")
                .values(status="submitted", submitted_at=utcnow())
            )
            submitted = result.rowcount == 1
            if submitted:
                count_tables.add_response(response.id)
        db.session.commit()
    # Outside the write transaction, so that reading takes no write lock.
    if isinstance(response, Response):
        db.session.refresh(response)
    else:
        status, submitted_at = db.session.execute(
            select(Response.status, Response.submitted_at).where(Response.id == response.id)
        ).one()
        _remember(response, status=status, submitted_at=submitted_at)
    return submitted
