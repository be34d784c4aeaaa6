"""Use cases of the respondent's path: consent, save a page, submit.

Plain arguments in, model objects out; each function that changes state
commits its own transaction. Nothing here knows about HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from surveyapp.campaigns.tokens import new_token
from surveyapp.core.database import insert_for, request_write_transaction, write_transaction
from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Answer,
    AnswerSelection,
    Campaign,
    Invitation,
    Municipality,
    Page,
    Question,
    QuestionnaireVersion,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.models.response import REVIEW_PENDING, REVIEW_REJECTED
from surveyapp.profiles import count_tables
from surveyapp.questionnaires import choice_filters, rules
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.question_types import TYPES, AnswerValue
from surveyapp.questionnaires.version_cache import index_of
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses import recorded, repeat_entries, upload_answers
from surveyapp.responses.reads import (
    Link,
    ResponseState,
    answers_by_name,
)

#: A started response: the ORM object, or the state a respondent page read.
ResponseLike = Response | ResponseState


class InvalidChoice(ValueError):
    """An open-link registration named a municipality or role we do not have."""


class CapReached(Exception):
    """The campaign's open link takes no more registrations for this municipality and role."""


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.token == token))


def invitation_of(link: Link) -> Invitation:
    """The link's invitation as an object (its campaign, municipality and role load on use)."""
    return db.session.get(Invitation, link.invitation_id)


def find_open_campaign(open_token: str) -> Campaign | None:
    if not open_token or len(open_token) > 64:
        return None
    return db.session.scalar(select(Campaign).where(Campaign.open_token == open_token))


def response_for(invitation: Invitation) -> Response | None:
    return db.session.scalar(select(Response).where(Response.invitation_id == invitation.id))


@write_transaction()
def register_through_open_link(
    campaign: Campaign, municipality_code: str, role: str, lang: str, token: str | None = None
) -> Invitation:
    """Create the personal invitation of someone who came through an open link.

    Raises ``CapReached`` when the campaign's cap for the municipality and role is
    already taken by open-link registrations (those whose response staff rejected
    do not count). Registrations are serialised per campaign (SQLite's write lock,
    a row lock on the campaign in PostgreSQL), so parallel requests cannot pass
    the cap together.

    ``token``: the new invitation's, chosen by the caller once per registration, so
    that running the registration again (a request repeated after its database
    connection was lost, perhaps after the first run committed) gives the invitation
    the first run made instead of a second one.
    """
    if token is not None and (made := find_invitation(token)) is not None:
        return made
    municipality = db.session.scalar(
        select(Municipality).where(Municipality.code == municipality_code)
    )
    if municipality is None or role not in ROLES:
        raise InvalidChoice(f"municipality {municipality_code!r} / role {role!r}")
    cap = campaign.open_link_cap(role)
    campaign_id, municipality_id = campaign.id, municipality.id
    with write_transaction():
        if cap is not None:
            db.session.execute(
                select(Campaign.id).where(Campaign.id == campaign_id).with_for_update()
            )
            if _open_link_registrations(campaign_id, municipality_id, role) >= cap:
                db.session.rollback()
                raise CapReached(f"campaign {campaign_id}: {municipality_code} / {role}")
        invitation = Invitation(
            token=token or new_token(),
            campaign_id=campaign_id,
            municipality_id=municipality_id,
            role=role,
            language=lang,
            self_registered=True,
        )
        db.session.add(invitation)
        db.session.commit()
    return invitation


def _open_link_registrations(campaign_id: int, municipality_id: int, role: str) -> int:
    """Open-link invitations of a municipality and role, less those whose response was rejected."""
    rejected = select(Response.invitation_id).where(
        Response.campaign_id == campaign_id, Response.review == REVIEW_REJECTED
    )
    return db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.campaign_id == campaign_id,
            Invitation.municipality_id == municipality_id,
            Invitation.role == role,
            Invitation.self_registered.is_(True),
            Invitation.id.not_in(rejected),
            # A registration whose response staff deleted (test data, a deletion
            # request) frees its place.
            or_(Invitation.erasure.is_(None), Invitation.erasure != "deleted"),
        )
    )


def start_response(invitation: Invitation, lang: str) -> Response:
    """Record consent and open a response; a second call returns the first response."""
    existing = response_for(invitation)
    if existing is not None:
        return existing
    campaign = invitation.campaign
    version_id, privacy_version = campaign.version_id, campaign.version.privacy_version
    invitation_id, municipality_id, role = (
        invitation.id,
        invitation.municipality_id,
        invitation.role,
    )
    self_registered = invitation.self_registered
    held = self_registered and campaign.review_open_link
    try:
        with write_transaction():
            response = _new_response(
                invitation_id, campaign.id, version_id, municipality_id, role, lang, privacy_version
            )
            response.self_registered = self_registered
            response.review = REVIEW_PENDING if held else None
            db.session.commit()
    except IntegrityError:
        # A double click consented twice at once: the first response stands.
        return response_for(db.session.get(Invitation, invitation_id))
    return response


def _new_response(
    invitation_id: int,
    campaign_id: int,
    version_id: int,
    municipality_id: int,
    role: str,
    lang: str,
    privacy_version: str,
) -> Response:
    response = Response(
        submission_id=str(uuid.uuid4()),
        invitation_id=invitation_id,
        campaign_id=campaign_id,
        version_id=version_id,
        municipality_id=municipality_id,
        role=role,
        language=lang,
        consent_language=lang,
        privacy_version=privacy_version,
        consented_at=utcnow(),
    )
    db.session.add(response)
    return response


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
