"""Synthetic demo data: a campaign full of realistic, submitted responses.

``seed_demo(n)`` gives the review pages and the benchmark something to show:
respondents spread over the municipalities of all six countries (weighted by
country), over roles and over each country's languages, with need and
capacity patterns that differ by country, some "don't know" answers, kinds of
support wanted with country-specific probabilities and a few free texts in
the respondent's language. The patterns live in ``data/demo_patterns.json``.

Rows go in with SQLAlchemy 2's bulk INSERT (``session.execute(insert(Model),
rows)``) in batches; ids of invitations, responses and multiple-choice
answers come back from ``RETURNING`` in the order of the rows. The same seed
gives the same answers (tokens and submission ids excepted, which are random
so that demo links cannot be guessed).
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from surveyapp.core.data_files import DATA_DIR
from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import cyrillic_to_latin
from surveyapp.models import (
    Answer,
    AnswerSelection,
    Campaign,
    Choice,
    Country,
    Domain,
    Invitation,
    Municipality,
    Page,
    Question,
    QuestionnaireVersion,
    Response,
)
from surveyapp.models.base import utcnow
from surveyapp.places import reference_data
from surveyapp.places.town_languages import town_languages
from surveyapp.profiles import count_rebuild
from surveyapp.questionnaires import definition_file
from surveyapp.questionnaires.question_types import TYPES

PATTERNS = DATA_DIR / "demo_patterns.json"
#: Respondents per round of INSERTs: about 40,000 answer rows.
BATCH = 1000


@dataclass
class _Question:
    id: int
    name: str
    type: str
    page: int
    required: bool
    domain: str | None
    measure: str | None
    #: choice value -> score, in the list's order
    choices: dict[str, float | None] = field(default_factory=dict)
    min_value: float | None = None
    max_value: float | None = None


@dataclass
class _Respondent:
    country: str
    municipality_id: int
    role: str
    language: str
    consented_at: datetime
    #: None: invited, never started; 0: submitted; k > 0: stopped after k pages.
    stopped_after: int | None
    offset: float = 0.0
    town: str = ""
    #: Measure -> domain -> points added to this respondent's municipality's means.
    shifts: dict[str, dict[str, float]] = field(default_factory=dict)


@write_transaction()
def seed_demo(
    responses: int,
    seed: int = 1,
    start: datetime | None = None,
    name: str | None = None,
    shifts: dict[str, dict[str, float]] | None = None,
    municipalities: list[str] | None = None,
    town_shifts: dict[str, dict[str, dict[str, float]]] | None = None,
) -> Campaign:
    """Create the "Demo campaign" with ``responses`` submitted responses.

    The campaign uses the newest version of the built-in questionnaire (the
    built-in content is loaded first if it is missing). Besides the submitted
    responses it has some invitations nobody opened and some responses still
    in progress (shares in the patterns file), as a real campaign would.
    Consents are spread over the ``weeks`` (patterns file) after ``start``,
    which defaults to that many weeks before today. Commits once, at the end.
    ``name`` replaces the campaign's name; ``shifts`` (measure -> domain -> points)
    moves every country's mean score, for later rounds of a series
    (``surveyapp.demo.rounds``); ``town_shifts`` (municipality code -> measure -> domain
    -> points) moves one municipality's; ``municipalities`` (codes): respondents come from
    these only (the cities taking part in every round).
    """
    patterns = json.loads(PATTERNS.read_text("utf-8"))
    for measure, by_domain in (shifts or {}).items():
        for country in patterns["countries"].values():
            for domain, points in by_domain.items():
                country[measure][domain] = country[measure].get(domain, 3.0) + points
    # bandit: synthetic demo data must be reproducible, not unpredictable.
    rng = random.Random(seed)  # nosec B311
    reference_data.load_reference_data()
    version = definition_file.load_questionnaire()
    questions = _questions(version)
    pages = max(q.page for q in questions) + 1

    weeks = patterns["weeks"]
    if start is None:
        today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
        start = today - timedelta(weeks=weeks)
    campaign = Campaign(
        name=name or patterns["campaign_name"],
        version_id=version.id,
        opens_at=start,
        created_at=start - timedelta(days=3),
    )
    db.session.add(campaign)
    db.session.flush()

    respondents = _respondents(rng, patterns, responses, pages, start, municipalities)
    for person in respondents:
        person.shifts = (town_shifts or {}).get(person.town, {})
    for first in range(0, len(respondents), BATCH):
        _insert_batch(
            rng, patterns, campaign, version, questions, respondents[first : first + BATCH]
        )
    count_rebuild.rebuild(campaign.id)
    db.session.commit()
    return campaign


def _questions(version: QuestionnaireVersion) -> list[_Question]:
    rows = db.session.execute(
        select(Question, Page.position, Domain.code)
        .join(Page, Question.page_id == Page.id)
        .outerjoin(Domain, Question.domain_id == Domain.id)
        .where(Question.version_id == version.id)
        .order_by(Page.position, Question.position)
    )
    questions = [
        _Question(
            q.id,
            q.name,
            q.type,
            page,
            q.required,
            domain,
            q.measure,
            min_value=q.min_value,
            max_value=q.max_value,
        )
        for q, page, domain in rows
    ]
    by_id = {q.id: q for q in questions}
    choices = db.session.execute(
        select(Question.id, Choice.value, Choice.score)
        .join(Choice, Choice.choice_list_id == Question.choice_list_id)
        .where(Question.version_id == version.id)
        .order_by(Question.id, Choice.position)
    )
    for question_id, value, score in choices:
        by_id[question_id].choices[value] = score
    return questions


def _respondents(
    rng: random.Random,
    patterns: dict,
    submitted: int,
    pages: int,
    start: datetime,
    municipalities: list[str] | None = None,
) -> list[_Respondent]:
    """Who answers: country, municipality, role, language, when, how far they got."""
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    towns: dict[str, list[tuple[int, str]]] = {code: [] for code in countries}
    for town_id, town_code, code in db.session.execute(
        select(Municipality.id, Municipality.code, Country.code)
        .join(Country, Municipality.country_id == Country.id)
        .order_by(Municipality.id)
    ):
        if municipalities is None or town_code in municipalities:
            towns[code].append((town_id, town_code))
    codes = [code for code in patterns["countries"] if towns.get(code)]
    weights = [patterns["countries"][code]["weight"] for code in codes]
    roles = list(patterns["roles"])
    role_weights = list(patterns["roles"].values())
    language_weights = patterns["language_weights"]

    unopened = round(submitted * patterns["unanswered_invitations"])
    in_progress = round(submitted * patterns["in_progress"])
    fates: list[int | None] = [0] * submitted + [None] * unopened
    fates += [rng.randint(1, pages - 1) for _ in range(in_progress)]
    rng.shuffle(fates)
    # Consent times in order, so that ids grow with time as they would.
    # Leave a few days at the end: some come back days later to finish.
    span = patterns["weeks"] * 7 * 86400 - 3 * 86400
    offsets = sorted(rng.uniform(0, span) for _ in fates)

    people = []
    for fate, offset in zip(fates, offsets, strict=True):
        country = rng.choices(codes, weights)[0]
        moment = start + timedelta(seconds=offset)
        # Office hours, mostly.
        moment = moment.replace(hour=rng.choice((8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 21)))
        town_id, town_code = rng.choice(towns[country])
        role = rng.choices(roles, role_weights)[0]
        # The town's languages: Croatian first in a Croat-majority one.
        languages = town_languages(town_code, countries[country].languages) or [SOURCE_LANGUAGE]
        people.append(
            _Respondent(
                country=country,
                municipality_id=town_id,
                town=town_code,
                role=role,
                language=rng.choices(languages, language_weights[: len(languages)])[0],
                consented_at=moment,
                stopped_after=fate,
                offset=rng.gauss(0, patterns["respondent_sd"]),
            )
        )
    return people


def _insert_batch(
    rng: random.Random,
    patterns: dict,
    campaign: Campaign,
    version: QuestionnaireVersion,
    questions: list[_Question],
    people: Sequence[_Respondent],
) -> None:
    invitation_ids = _insert_returning(
        Invitation,
        [
            {
                "token": secrets.token_urlsafe(24),
                "campaign_id": campaign.id,
                "municipality_id": person.municipality_id,
                "role": person.role,
                "language": person.language,
                "self_registered": False,
                "created_at": campaign.created_at,
            }
            for person in people
        ],
    )
    started = [
        (person, invitation_id)
        for person, invitation_id in zip(people, invitation_ids, strict=True)
        if person.stopped_after is not None
    ]
    response_rows = []
    for person, invitation_id in started:
        submitted_at = None
        last = person.consented_at + timedelta(minutes=rng.randint(8, 45))
        if rng.random() < 0.2:  # came back another day to finish
            last += timedelta(days=rng.randint(1, 3))
        if person.stopped_after == 0:
            submitted_at = last
        response_rows.append(
            {
                "submission_id": str(uuid.UUID(int=secrets.randbits(128), version=4)),
                "invitation_id": invitation_id,
                "campaign_id": campaign.id,
                "version_id": version.id,
                "municipality_id": person.municipality_id,
                "role": person.role,
                "status": "submitted" if submitted_at else "in_progress",
                "language": person.language,
                "consented_at": person.consented_at,
                "consent_language": person.language,
                "privacy_version": version.privacy_version,
                "started_at": person.consented_at,
                "updated_at": last,
                "submitted_at": submitted_at,
                "draft": None,
            }
        )
    response_ids = _insert_returning(Response, response_rows)

    answers: list[dict[str, Any]] = []
    ticked: list[list[str]] = []
    multiple: list[dict[str, Any]] = []
    for (person, _), response_id in zip(started, response_ids, strict=True):
        for question in questions:
            if person.stopped_after and question.page >= person.stopped_after:
                break
            value = _answer(rng, patterns, person, question)
            if value is None:
                continue
            row = {"response_id": response_id, "question_id": question.id, **value}
            if TYPES[question.type].multiple:
                ticked.append(row.pop("selections"))
                multiple.append(row)
            else:
                answers.append(row)
    if answers:
        db.session.execute(insert(Answer).execution_options(render_nulls=True), answers)
    answer_ids = _insert_returning(Answer, multiple)
    selections = [
        {"answer_id": answer_id, "value": value}
        for answer_id, values in zip(answer_ids, ticked, strict=True)
        for value in values
    ]
    if selections:
        db.session.execute(insert(AnswerSelection), selections)


def _insert_returning(model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk INSERT; the new ids in the order of ``rows``."""
    if not rows:
        return []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    result = db.session.execute(statement.execution_options(render_nulls=True), rows)
    return list(result.scalars())


def _answer(
    rng: random.Random, patterns: dict, person: _Respondent, question: _Question
) -> dict[str, Any] | None:
    """Column values of one answer (choice, number, text), or None to leave it out."""
    blank: dict[str, Any] = {"choice": None, "number": None, "text": None}
    country = patterns["countries"][person.country]
    if question.type == "scale":
        choice = _scale_choice(rng, patterns, person, question)
        return {**blank, "choice": choice, "number": question.choices[choice]}
    if question.type == "single_choice":
        wanted = country.get(question.name) or {}
        values = list(question.choices)
        weights = [wanted.get(value, 0 if wanted else 1) for value in values]
        if not question.required and rng.random() < 0.1:
            return None
        return {**blank, "choice": rng.choices(values, weights)[0]}
    if question.type == "multiple_choice":
        odds = country.get(question.name) or {}
        values = [v for v in question.choices if rng.random() < odds.get(v, 0.3)]
        if not values:
            values = [max(question.choices, key=lambda v: odds.get(v, 0))]
        return {**blank, "selections": values}
    if question.type == "number":
        bounds = patterns["numbers"].get(question.name, {})
        low = int(bounds.get("min", question.min_value or 0))
        high = int(bounds.get("max", question.max_value or 10))
        return {**blank, "number": float(rng.randint(low, high))}
    if question.type == "date":
        when = patterns["strategy_date"]
        if not question.required and rng.random() >= when["probability"]:
            return None
        day = date(rng.randint(when["first_year"], when["last_year"]), rng.randint(1, 12), 1)
        return {**blank, "text": day.isoformat()}
    if question.type in ("short_text", "long_text"):
        text = _free_text(rng, patterns, person, question)
        return {**blank, "text": text} if text else None
    return None  # notes and calculations: nothing typed


def _scale_choice(
    rng: random.Random, patterns: dict, person: _Respondent, question: _Question
) -> str:
    scored = [value for value, score in question.choices.items() if score is not None]
    unknown = [value for value, score in question.choices.items() if score is None]
    measure = question.measure or "need"
    if unknown and rng.random() < patterns["dont_know"].get(measure, 0.05):
        return unknown[0]
    means = patterns["countries"][person.country].get(measure, {})
    domain = question.domain or ""
    mean = means.get(domain, 3.0) + patterns["role_shift"][person.role].get(measure, 0)
    mean += person.shifts.get(measure, {}).get(domain, 0.0)
    target = mean + person.offset + rng.gauss(0, patterns["item_sd"])
    # The scored choice whose score is nearest to the target.
    return min(scored, key=lambda value: abs(question.choices[value] - target))


def _free_text(
    rng: random.Random, patterns: dict, person: _Respondent, question: _Question
) -> str | None:
    chance = patterns["free_text_probability"].get(question.name, 0.1)
    if rng.random() >= chance and not question.required:
        return None
    texts = patterns["free_text"].get(question.name) or patterns["free_text"]["top_priority"]
    derived_from = LANGUAGES[person.language].derived_from
    if derived_from:
        return cyrillic_to_latin(rng.choice(texts[derived_from]))
    pool = texts.get(person.language) or next(iter(texts.values()))
    return rng.choice(pool)
