"""What a respondent page reads on every request: its link and the saved answers.

These are the two reads of the busiest pages there are, so they are plain Core
statements built once (SQLAlchemy compiles each once per process), read on the
request's own connection rather than through the ORM session
(``core.database.read_rows``), and they give plain rows, not ORM objects: a page
needs a handful of columns and never changes the objects it reads.
``respondent`` changes state; this module only reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)

from surveyapp.core.database import read_rows
from surveyapp.models import (
    Answer,
    AnswerSelection,
    Campaign,
    Country,
    Invitation,
    Municipality,
    Question,
    QuestionnaireVersion,
    Response,
)
from surveyapp.models.campaign import is_open
from surveyapp.questionnaires.expressions import REPEATS
from surveyapp.questionnaires.more_fields import ListWithOther
from surveyapp.questionnaires.question_types import AnswerValue, type_of
from surveyapp.questionnaires.version_cache import index_of
from surveyapp.responses import repeat_entries


@dataclass
class ResponseState:
    """A started response as its pages need it. ``respondent``'s functions take
    this or a ``Response``; they keep ``status`` and ``draft`` up to date."""

    id: int
    version_id: int
    status: str
    language: str
    draft: dict[str, Any] | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class Link:
    """A personal link as a page opens it."""

    invitation_id: int
    token: str
    campaign_id: int
    version_id: int
    opens_at: datetime
    closes_at: datetime | None
    #: The stamp of the campaign's version (``surveyapp.questionnaires.version_cache``).
    version_stamp: tuple[int, datetime]
    #: The languages the campaign offers (``Campaign.languages``); None: all the version's.
    campaign_languages: list[str] | None
    #: The language staff chose for the invitation; None: the respondent's.
    invitation_language: str | None
    #: None until the respondent consents.
    response: ResponseState | None
    #: The response's answer rows, read with the link when asked (``find_link``).
    answer_rows: list[tuple] | None = None
    #: The invitation's municipality's country ("XK") and entity ("RS" in Bosnia and
    #: Herzegovina, else None): they choose the language's regional variant.
    country: str | None = None
    entity: str | None = None

    def campaign_is_open(self, now: datetime | None = None) -> bool:
        return is_open(self.opens_at, self.closes_at, now)


_LINK = (
    select(
        Invitation.id,
        Invitation.token,
        Campaign.id,
        Campaign.version_id,
        Campaign.opens_at,
        Campaign.closes_at,
        QuestionnaireVersion.revision,
        QuestionnaireVersion.created_at,
        Campaign.languages,
        Invitation.language,
        Country.code,
        Municipality.entity,
        Response.id,
        Response.version_id,
        Response.status,
        Response.language,
        Response.draft,
        Response.submitted_at,
    )
    .join(Campaign, Campaign.id == Invitation.campaign_id)
    .join(QuestionnaireVersion, QuestionnaireVersion.id == Campaign.version_id)
    .join(Municipality, Municipality.id == Invitation.municipality_id)
    .join(Country, Country.id == Municipality.country_id)
    .outerjoin(Response, Response.invitation_id == Invitation.id)
    .where(Invitation.token == bindparam("token"))
)


_ANSWER_COLUMNS = (
    Answer.question_id,
    Answer.choice,
    Answer.number,
    Answer.text,
    AnswerSelection.value,
)
# The link's row, then one row per answer (selection), each padded with NULLs where
# the other has its columns: joining the answers to the link instead would repeat
# (and convert) the link's columns on every answer's row.
_LINK_AND_ANSWERS = union_all(
    _LINK.add_columns(*(type_coerce(null(), c.type) for c in _ANSWER_COLUMNS)),
    select(*(type_coerce(null(), c.type) for c in _LINK.selected_columns), *_ANSWER_COLUMNS)
    .select_from(Answer)
    .join(Response, Response.id == Answer.response_id)
    .join(Invitation, Invitation.id == Response.invitation_id)
    .outerjoin(AnswerSelection, AnswerSelection.answer_id == Answer.id)
    .where(Invitation.token == bindparam("token"), Answer.entry == literal_column("0")),
)
_LINK_WIDTH = len(_LINK.selected_columns)


def find_link(token: str, *, with_answers: bool = False) -> Link | None:
    """Everything a respondent page needs to know about its link, in one query;
    ``with_answers``: the saved answers too (``link_answers``), in the same query."""
    if not token or len(token) > 64:
        return None
    rows = read_rows(_LINK_AND_ANSWERS if with_answers else _LINK, {"token": token})
    links = [row for row in rows if row[0] is not None]
    if not links:
        return None
    (invitation_id, token, campaign_id, version_id, opens_at, closes_at, revision, created_at,
     campaign_languages, invitation_language, country, entity, response_id,
     *response) = links[0][:_LINK_WIDTH]  # fmt: skip
    answer_rows = None
    if with_answers:
        answer_rows = [row[_LINK_WIDTH:] for row in rows if row[0] is None]
    return Link(
        invitation_id,
        token,
        campaign_id,
        version_id,
        opens_at,
        closes_at,
        (revision, created_at),
        campaign_languages,
        invitation_language,
        None if response_id is None else ResponseState(response_id, *response),
        answer_rows,
        country,
        entity,
    )


def link_answers(link: Link, version: QuestionnaireVersion) -> dict[int, AnswerValue]:
    """The answers read with the link (``find_link(..., with_answers=True)``), as
    ``saved_answers`` gives them; ``version``: the response's, loaded."""
    if link.answer_rows is None:
        raise ValueError("the link was read without its answers")
    if link.response is None:
        return {}
    if link.response.version_id != version.id:
        return saved_answers(link.response, version)  # its own version's question types
    return _answers_from(link.answer_rows, _question_types(version))


_ANSWERS = (
    select(*_ANSWER_COLUMNS)
    .outerjoin(AnswerSelection, AnswerSelection.answer_id == Answer.id)
    .where(Answer.response_id == bindparam("response_id"), Answer.entry == literal_column("0"))
)
_QUESTION_TYPES = select(Question.id, Question.type).where(
    Question.version_id == bindparam("version_id")
)


def saved_answers(
    response: ResponseState | Response,
    version: QuestionnaireVersion | None = None,
    conn: Connection | None = None,
) -> dict[int, AnswerValue]:
    """The stored answers by question id, as Python values (one query).

    ``version`` (the response's, loaded) saves looking up the question types;
    ``conn``: the connection to read on (by default the request's, ``read_rows``).
    """

    def rows(statement, params: dict) -> list[Row]:
        return conn.execute(statement, params).all() if conn else read_rows(statement, params)

    if version is not None and version.id == response.version_id:
        types = _question_types(version)
    else:
        types = dict(rows(_QUESTION_TYPES, {"version_id": response.version_id}))
    return _answers_from(rows(_ANSWERS, {"response_id": response.id}), types)


def _question_types(version: QuestionnaireVersion) -> dict[int, str]:
    return index_of(version).types


def _answers_from(rows, types: dict[int, str]) -> dict[int, AnswerValue]:
    """Answer rows (question id, choice, number, text, ticked value) as Python values."""
    answers: dict[int, AnswerValue] = {}
    for question_id, choice, number, text, selected in rows:
        kind = types.get(question_id)
        if type_of(kind).multiple:
            ticked = answers.get(question_id)
            if ticked is None:
                ticked = answers[question_id] = ListWithOther() if text else []
                if text:  # "Other, specify": the list carries the text
                    ticked.other = text  # type: ignore[attr-defined]
            if selected is not None:
                ticked.append(selected)  # type: ignore[union-attr]
        else:
            answers[question_id] = answer_value(kind, choice, number, text)
    for value in answers.values():
        if isinstance(value, list):
            value.sort()
    return answers


def answer_value(
    kind: str | None, choice: str | None, number: float | None, text: str | None
) -> AnswerValue:
    """An answer row's value for a question of type ``kind``."""
    return type_of(kind).value(choice, number, text)


def answers_by_name(
    response: ResponseState | Response,
    version: QuestionnaireVersion,
    saved: dict[int, AnswerValue] | None = None,
) -> dict[str, AnswerValue]:
    """Stored answers by question name, every question present (None when unanswered).

    ``saved``: the response's ``saved_answers``, when the caller has them already.
    """
    answers = saved_answers(response, version) if saved is None else saved
    names = {name: answers.get(id_) for id_, name in index_of(version).ids_and_names}
    if any(page.repeat for page in version.pages):
        names[REPEATS] = repeat_entries.load(response.id, version)  # type: ignore[assignment]
    return names
