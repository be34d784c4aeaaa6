"""Rebuilding the count tables from the answers (``count_tables`` keeps them at submit).

Used after bulk changes that bypass ``add_response``/``remove_response``: marking
responses as tests or invalid, the open link's review, the demo data, the command
line. It must give exactly what adding every counted response one by one gives
(tests/test_profile_counts.py checks both against each other).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, distinct, func, insert, literal, select

from surveyapp.extensions import db
from surveyapp.models import (
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
from surveyapp.profiles.count_tables import (
    _COUNTRY_KEYS,
    _DOMAIN_KEYS,
    _RESPONSE_KEYS,
    _SCORE_KEYS,
    DATES,
    NUMBERS,
    SCORED,
    SHARES,
    TEXTS,
    TICKED,
    _scored_answers,
    number_key,
    repeat_mean,
)


def _responses():
    """The responses counted per row: distinct, since a question in a repeat has an answer
    per entry (any other question has at most one answer per response)."""
    return func.count(distinct(Response.id))


def rebuild(campaign_id: int | None = None) -> None:
    """Delete the counts (of one campaign, or all) and recompute them from the answers.

    No commit: the caller commits.
    """
    conn = db.session.connection()
    for model in (
        ProfileCount,
        ProfileDomainCount,
        ProfileScoreCount,
        ProfileResponseCount,
        ProfileCountryCount,
    ):
        statement = delete(model)
        if campaign_id is not None:
            statement = statement.where(model.campaign_id == campaign_id)
        conn.execute(statement)
    submitted = [Response.status == "submitted", counts_in_profiles()]
    if campaign_id is not None:
        submitted.append(Response.campaign_id == campaign_id)
    head_keys = ("campaign_id", "municipality_id", "role", "self_registered")
    head = tuple(getattr(Response, key) for key in head_keys)
    count_columns = [getattr(ProfileCount, key) for key in (*head_keys, "question_id", "choice")]
    count_columns += [ProfileCount.score, ProfileCount.responses]

    scale = (
        select(*head, Answer.question_id, Answer.choice, func.max(Answer.number), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(SCORED), Answer.choice.is_not(None))
        .where(Answer.entry == 0)
        .group_by(*head, Answer.question_id, Answer.choice)
    )
    answered = (
        select(*head, Answer.question_id, literal(ANSWERED), literal(None), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(TICKED))
        .group_by(*head, Answer.question_id)
    )
    ticked = (
        select(*head, Answer.question_id, AnswerSelection.value, literal(None), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .join(AnswerSelection, AnswerSelection.answer_id == Answer.id)
        .where(*submitted, Question.type.in_(TICKED))
        .group_by(*head, Answer.question_id, AnswerSelection.value)
    )
    texts = (
        select(*head, Answer.question_id, literal(ANSWERED), literal(None), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(TEXTS), Answer.text.is_not(None), Answer.text != "")
        .group_by(*head, Answer.question_id)
    )
    shares = (
        select(*head, Answer.question_id, Answer.choice, literal(None), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(SHARES), Answer.choice.is_not(None))
        .group_by(*head, Answer.question_id, Answer.choice)
    )
    year = func.substr(Answer.text, 1, 4)  # one object: one bind parameter, also in GROUP BY
    years = (
        select(*head, Answer.question_id, year, literal(None), _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(DATES), Answer.text.is_not(None), Answer.text != "")
        .group_by(*head, Answer.question_id, year)
    )
    conn.execute(
        insert(ProfileResponseCount).from_select(
            [*_RESPONSE_KEYS, "responses"],
            select(*head, func.count()).where(*submitted).group_by(*head),
        )
    )
    for query in (scale, answered, ticked, texts, shares, years):
        conn.execute(insert(ProfileCount).from_select(count_columns, query))
    _rebuild_numbers(conn, submitted, head)
    _rebuild_repeat_means(conn, submitted, head)
    _rebuild_countries(conn, campaign_id)

    pairs = (
        select(*head, Question.domain_id.label("domain_id"))
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, *_scored_answers())
        .group_by(Response.id, *head, Question.domain_id)
        .subquery()
    )
    grouped = [getattr(pairs.c, key) for key in _DOMAIN_KEYS]
    conn.execute(
        insert(ProfileDomainCount).from_select(
            [*(getattr(ProfileDomainCount, key) for key in _DOMAIN_KEYS), "respondents"],
            select(*grouped, func.count()).group_by(*grouped),
        )
    )

    # Per response first, so that ``respondents`` counts responses, not answers.
    per_response = (
        select(
            *head[:2],
            Question.domain_id,
            Question.measure,
            func.sum(Answer.number).label("score_sum"),
            func.count().label("scores"),
        )
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, *_scored_answers())
        .group_by(Response.id, *head[:2], Question.domain_id, Question.measure)
        .subquery()
    )
    scored = [getattr(per_response.c, key) for key in _SCORE_KEYS]
    conn.execute(
        insert(ProfileScoreCount).from_select(
            [*_SCORE_KEYS, "score_sum", "scores", "respondents"],
            select(
                *scored,
                func.sum(per_response.c.score_sum),
                func.sum(per_response.c.scores),
                func.count(),
            ).group_by(*scored),
        )
    )


def _rebuild_repeat_means(conn: Connection, submitted: list, head: tuple) -> None:
    """Scale questions in repeats: per response, the mean of its entries' scores, counted
    once (``count_tables.repeat_mean``), as ``add_response`` counts them."""
    rows = conn.execute(
        select(*head, Response.id, Answer.question_id, Answer.number)
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(SCORED), Answer.entry > 0)
        .where(Answer.number.is_not(None))
    ).all()
    scores: dict[tuple, list[float]] = {}
    for *group, _response_id, question_id, number in rows:
        scores.setdefault((*group, _response_id, question_id), []).append(number)
    counted: dict[tuple, int] = {}
    for (*group, _response_id, question_id), numbers in scores.items():
        mean = repeat_mean(numbers)
        key = (*group, question_id, mean["choice"], mean["score"])
        counted[key] = counted.get(key, 0) + 1
    if counted:
        keys = ("campaign_id", "municipality_id", "role", "self_registered")
        conn.execute(
            insert(ProfileCount),
            [
                {**dict(zip(keys, key[:4], strict=True)), "question_id": key[4],
                 "choice": key[5], "score": key[6], "responses": n}
                for key, n in counted.items()
            ],
        )  # fmt: skip


def _rebuild_countries(conn: Connection, campaign_id: int | None) -> None:
    """``ProfileCountryCount`` from ``ProfileCount`` (of one campaign, or all)."""
    c = ProfileCount
    grouped = (
        c.campaign_id,
        Municipality.country_id,
        c.role,
        c.question_id,
        c.choice,
        c.self_registered,
    )
    query = (
        select(*grouped, func.max(c.score), func.sum(c.responses))
        .join(Municipality, Municipality.id == c.municipality_id)
        .group_by(*grouped)
    )
    if campaign_id is not None:
        query = query.where(c.campaign_id == campaign_id)
    conn.execute(
        insert(ProfileCountryCount).from_select([*_COUNTRY_KEYS, "score", "responses"], query)
    )


def _rebuild_numbers(conn: Connection, submitted: list, head: tuple) -> None:
    """Number answers, grouped in the database by value; their ``choice`` is written out
    in Python (``number_key``), the same text as at submit time."""
    rows = conn.execute(
        select(*head, Answer.question_id, Answer.number, _responses())
        .join(Answer, Answer.response_id == Response.id)
        .join(Question, Question.id == Answer.question_id)
        .where(*submitted, Question.type.in_(NUMBERS), Answer.number.is_not(None))
        .group_by(*head, Answer.question_id, Answer.number)
    ).all()
    counts: dict[tuple, int] = {}
    for campaign_id, town_id, role, opened, question_id, number, count in rows:
        key = (campaign_id, town_id, role, bool(opened), question_id, number_key(number))
        counts[key] = counts.get(key, 0) + count
    if counts:
        conn.execute(
            insert(ProfileCount),
            [
                dict(zip((*_RESPONSE_KEYS, "question_id", "choice"), key, strict=True))
                | {"score": float(key[5]), "responses": count}
                for key, count in counts.items()
            ],
        )
