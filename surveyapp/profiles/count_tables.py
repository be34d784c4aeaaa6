"""The count tables behind the needs profiles and peer learning: added to at submit
time, rebuilt on demand.

``add_response`` adds one submitted response's contributions (a few dozen
rows, computed from its answers) with an upsert, inside the caller's
transaction; ``submit`` calls it once, when the status turns to submitted.
A response inserted already submitted through the ORM (imports, tests) is
counted by a flush hook. ``rebuild`` deletes and recomputes the counts from
the answers with a few INSERT ... SELECT ... GROUP BY statements (demo data,
repairs: ``flask --app surveyapp profiles rebuild``). ``remove_response`` is
``add_response`` subtracted, for deleting one response (``responses.erasure``):
measured on SQLite with 5,000 demo responses, about 0.1 s against 5 s for
``rebuild`` of the campaign, which would hold the write lock all that time.

What counts (the same rules as the profiles always had):

* scale answers with a choice, per choice, with the choice's score;
* multiple-choice answers: one per ticked value, and one for answering;
* a scored answer is a number (a score, not "don't know") answering a scale
  question with a domain and a measure (need or capacity: ``_scored``);
* a response is a respondent of a domain when it has at least one scored
  answer in that domain;
* peer learning's scores: per domain and measure (need, capacity), the sum
  and number of those scored answers, and the responses that gave them;
* free-text answers that say something (not empty): one per answer, in
  ``ProfileCount`` with ``choice`` == ``ANSWERED`` (the profile's counts of
  free text per question);
* the first page's indicators (``surveyapp.profiles.indicators``): every
  single-choice answer by choice; every number by its value (``choice`` the
  number written out, ``score`` the number); every date by its year
  (``choice``, four characters);
* ``ProfileCountryCount``: the ``ProfileCount`` rows added up per country
  (the region's and the countries' profiles read these);
* the responses themselves, per group (``ProfileResponseCount``): the
  disclosure control's group sizes.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import Connection, delete, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from surveyapp.core.database import insert_for, listen_once
from surveyapp.extensions import db
from surveyapp.models import (
    MEASURES,
    Answer,
    AnswerSelection,
    Municipality,
    ProfileCount,
    ProfileCountryCount,
    ProfileDomainCount,
    ProfileResponseCount,
    ProfileScoreCount,
    Question,
    Response,
    counts_in_profiles,
)
from surveyapp.models.count_tables import ANSWERED
from surveyapp.questionnaires.question_types import TYPES, codes

_COUNT_KEYS = ("campaign_id", "municipality_id", "role", "question_id", "choice", "self_registered")
_DOMAIN_KEYS = ("campaign_id", "municipality_id", "role", "domain_id", "self_registered")
_SCORE_KEYS = ("campaign_id", "municipality_id", "domain_id", "measure")
#: The question types counted: by choice and score, and by option ticked.
SCORED = codes(summary="scores")
TICKED = codes(summary="ticks")
TEXTS = codes(summary="texts")
SHARES = codes(summary="shares")
NUMBERS = codes(summary="quantiles")
DATES = codes(summary="years")
INDICATORS = SHARES + NUMBERS + DATES
_RESPONSE_KEYS = ("campaign_id", "municipality_id", "role", "self_registered")
_COUNTRY_KEYS = ("campaign_id", "country_id", "role", "question_id", "choice", "self_registered")


def add_response(response_id: int, connection: Connection | None = None) -> None:
    """Add a submitted response's answers to the counts. No commit.

    A response held for review (or rejected) adds nothing: accepting it adds it.
    """
    _change_counts(response_id, connection or db.session.connection(), 1)


def remove_response(response_id: int, connection: Connection | None = None) -> None:
    """Take a submitted response's answers out of the counts, before deleting it. No commit.

    The same rows as ``add_response``, subtracted with the same upsert; rows that
    fall to zero are deleted, so the tables equal a rebuild without the response.
    A response that never counted (in progress, held, rejected) changes nothing.
    """
    conn = connection or db.session.connection()
    status = conn.scalar(select(Response.status).where(Response.id == response_id))
    if status != "submitted":
        return
    campaign_id, municipality_id = conn.execute(
        select(Response.campaign_id, Response.municipality_id).where(Response.id == response_id)
    ).one()
    _change_counts(response_id, conn, -1)
    country_id = conn.scalar(
        select(Municipality.country_id).where(Municipality.id == municipality_id)
    )
    conn.execute(
        delete(ProfileCountryCount).where(
            ProfileCountryCount.campaign_id == campaign_id,
            ProfileCountryCount.country_id == country_id,
            ProfileCountryCount.responses <= 0,
        )
    )
    for model, counter in (
        (ProfileCount, ProfileCount.responses),
        (ProfileDomainCount, ProfileDomainCount.respondents),
        (ProfileScoreCount, ProfileScoreCount.respondents),
        (ProfileResponseCount, ProfileResponseCount.responses),
    ):
        conn.execute(
            delete(model).where(
                model.campaign_id == campaign_id,
                model.municipality_id == municipality_id,
                counter <= 0,
            )
        )


def _change_counts(response_id: int, conn: Connection, sign: int) -> None:
    """Add (``sign`` 1) or subtract (-1) a response's contributions to the counts."""
    head = conn.execute(
        select(
            Response.campaign_id,
            Response.municipality_id,
            Response.role,
            Response.self_registered,
            counts_in_profiles(),
        ).where(Response.id == response_id)
    ).one()
    if not head[4]:
        return
    keys = {"campaign_id": head[0], "municipality_id": head[1], "role": head[2]}
    opened = {"self_registered": bool(head[3])}
    _upsert(
        conn,
        ProfileResponseCount,
        _RESPONSE_KEYS,
        ("responses",),
        [{**keys, **opened, "responses": sign}],
    )
    counts: list[dict[str, Any]] = []
    domains: set[int] = set()
    # (domain id, measure) -> [score sum, scores]
    scores: dict[tuple[int, str], list[float]] = {}
    rows = conn.execute(
        select(
            Answer.id,
            Answer.question_id,
            Answer.choice,
            Answer.number,
            Answer.text,
            Question.type,
            Question.domain_id,
            Question.measure,
            Answer.entry,
        )
        .join(Question, Question.id == Answer.question_id)
        .where(
            Answer.response_id == response_id,
            Question.type.in_(SCORED + TICKED + TEXTS + INDICATORS),
        )
    ).all()
    multiple = {}
    # A scale question in a repeat counts once per response: the mean of its entries' scores.
    entry_scores: dict[int, list[float]] = {}
    for answer_id, question_id, choice, number, text, kind, domain_id, measure, entry in rows:
        if entry and kind in SCORED:
            if number is not None:
                entry_scores.setdefault(question_id, []).append(number)
            continue
        if kind in INDICATORS:
            value = _indicator_value(kind, choice, number, text)
            if value is not None:
                counts.append({**keys, "question_id": question_id, **value, **opened})
            continue
        if kind in TEXTS:
            if text:
                counts.append(
                    {
                        **keys,
                        "question_id": question_id,
                        "choice": ANSWERED,
                        "score": None,
                        **opened,
                    }
                )
            continue
        if TYPES[kind].multiple:
            multiple[answer_id] = question_id
            counts.append(
                {**keys, "question_id": question_id, "choice": ANSWERED, "score": None, **opened}
            )
            continue
        if choice is not None:
            counts.append(
                {**keys, "question_id": question_id, "choice": choice, "score": number, **opened}
            )
        scored = _scored(number, domain_id, measure)
        if scored:
            domain, scored_measure, score = scored
            domains.add(domain)
            figures = scores.setdefault((domain, scored_measure), [0.0, 0])
            figures[0] += score
            figures[1] += 1
    for question_id, numbers in entry_scores.items():
        counts.append({**keys, "question_id": question_id, **repeat_mean(numbers), **opened})
    if multiple:
        for answer_id, value in conn.execute(
            select(AnswerSelection.answer_id, AnswerSelection.value).where(
                AnswerSelection.answer_id.in_(multiple)
            )
        ):
            counts.append(
                {
                    **keys,
                    "question_id": multiple[answer_id],
                    "choice": value,
                    "score": None,
                    **opened,
                }
            )
    if counts:
        # A response counts once per question and choice, even where a question in a
        # repeat has the same answer in several entries.
        counts = list({(c["question_id"], c["choice"]): c for c in counts}.values())
        # One order for every writer, so concurrent submissions lock rows in the same order.
        counts.sort(key=lambda row: (row["question_id"], row["choice"]))
        _upsert(
            conn,
            ProfileCount,
            _COUNT_KEYS,
            ("responses",),
            [{**c, "responses": sign} for c in counts],
        )
        country_id = conn.scalar(
            select(Municipality.country_id).where(Municipality.id == keys["municipality_id"])
        )
        _upsert(
            conn,
            ProfileCountryCount,
            _COUNTRY_KEYS,
            ("responses",),
            [
                {
                    "campaign_id": c["campaign_id"],
                    "country_id": country_id,
                    "role": c["role"],
                    "question_id": c["question_id"],
                    "choice": c["choice"],
                    "score": c["score"],
                    "self_registered": c["self_registered"],
                    "responses": sign,
                }
                for c in counts
            ],
        )
    if domains:
        _upsert(
            conn,
            ProfileDomainCount,
            _DOMAIN_KEYS,
            ("respondents",),
            [{**keys, **opened, "domain_id": d, "respondents": sign} for d in sorted(domains)],
        )
    if scores:
        town = {"campaign_id": keys["campaign_id"], "municipality_id": keys["municipality_id"]}
        _upsert(
            conn,
            ProfileScoreCount,
            _SCORE_KEYS,
            ("score_sum", "scores", "respondents"),
            [
                {
                    **town,
                    "domain_id": domain_id,
                    "measure": measure,
                    "score_sum": total * sign,
                    "scores": count * sign,
                    "respondents": sign,
                }
                for (domain_id, measure), (total, count) in sorted(scores.items())
            ],
        )


def number_key(number: float) -> str:
    """A number answer as ``ProfileCount.choice``: the same number, the same text."""
    return f"{number:.12g}"


def _indicator_value(
    kind: str, choice: str | None, number: float | None, text: str | None
) -> dict[str, Any] | None:
    """``choice`` and ``score`` of an indicator answer's count row; None when unanswered."""
    if kind in SHARES:
        return None if choice is None else {"choice": choice, "score": None}
    if kind in NUMBERS:
        return None if number is None else {"choice": number_key(number), "score": number}
    return {"choice": text[:4], "score": None} if text else None


def _scored(
    number: float | None, domain_id: int | None, measure: str | None
) -> tuple[int, str, float] | None:
    """(domain id, measure, score) of a scored answer, None for any other scale answer.

    A scored answer is a score (not "don't know") to a scale question with a
    domain and a measure; ``_scored_answers`` says the same in SQL.
    """
    if number is None or domain_id is None or measure is None or measure not in MEASURES:
        return None
    return domain_id, measure, number


def _scored_answers() -> list[ColumnElement[bool]]:
    """Conditions on Answer joined to Question: the scored answers (``_scored``)."""
    return [
        Question.type.in_(SCORED),
        Question.domain_id.is_not(None),
        Question.measure.in_(MEASURES),
        Answer.number.is_not(None),
        Answer.entry == 0,  # a repeat's entries count through their mean (``repeat_mean``)
    ]


#: The ``choice`` of a repeat's scale question's count row: the mean of a response's entries.
REPEAT_MEAN = "mean:"


def repeat_mean(numbers: list[float]) -> dict[str, Any]:
    """The count row's choice and score for a response whose entries of a scale question
    scored ``numbers``: their mean, counted once. The choice (``REPEAT_MEAN`` and the mean)
    is no choice of the list, so distributions leave it out, and domain means take it in."""
    mean = round(sum(numbers) / len(numbers), 6)
    return {"choice": f"{REPEAT_MEAN}{mean:g}", "score": mean}


def _upsert(
    conn: Connection,
    model: type,
    keys: tuple[str, ...],
    counters: tuple[str, ...],
    rows: list[dict],
) -> None:
    """Insert ``rows``; where a row with the same ``keys`` exists, add to its ``counters``."""
    statement = insert_for(conn, model).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: getattr(model, c) + getattr(statement.excluded, c) for c in counters},
    )
    conn.execute(statement)


def _count_submitted_through_the_orm(session: Session, _context: Any) -> None:
    """Count responses that reach "submitted" through an ORM flush.

    ``submit`` changes the status with an UPDATE statement and counts the
    response itself; this hook covers responses added already submitted
    (imports, fixtures) or whose status attribute is set to submitted.
    """
    submitted = [
        obj for obj in session.new if isinstance(obj, Response) and obj.status == "submitted"
    ]
    for obj in session.dirty:
        if isinstance(obj, Response):
            history = inspect(obj).attrs.status.history
            if "submitted" in (history.added or ()) and "submitted" not in (history.deleted or ()):
                submitted.append(obj)
    for obj in submitted:
        add_response(obj.id, session.connection())


def init_app(_app: Flask) -> None:
    """Keep the count tables up to date for responses submitted through the ORM."""
    listen_once(Session, "after_flush", _count_submitted_through_the_orm)
