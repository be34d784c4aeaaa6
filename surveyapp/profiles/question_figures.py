"""Figures per question of a needs profile: scale distributions, multiple-choice
shares and free text.

Distributions and shares come from the count tables (``ProfileCount``: for
multiple-choice questions, one row per ticked value and one, ``choice`` ==
``ANSWERED``, for the responses that answered the question). Free text is
counted per question at submit (``ProfileCount``, ``choice`` == ``ANSWERED``)
and read from the answers, newest first and limited per question.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import (
    ROLES,
    Answer,
    Municipality,
    ProfileCount,
    ProfileCountryCount,
    Response,
)
from surveyapp.models.count_tables import ANSWERED
from surveyapp.profiles.results import (
    ChoiceCount,
    ChoiceShares,
    FreeTextAnswer,
    FreeTextGroup,
    ScaleDistribution,
    Scope,
)
from surveyapp.profiles.scale_counts import ScaleStats, scale_stats
from surveyapp.profiles.selection import Selection, selection_for
from surveyapp.questionnaires.question_types import codes

TEXT_TYPES = codes(summary="texts")
SCORED_TYPES = codes(summary="scores")
TICKED_TYPES = codes(summary="ticks")


def scale_distributions(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[ScaleDistribution]:
    """For each scale question, in questionnaire order: answers per choice, "don't know" too."""
    return distributions(scale_stats(selection_for(scope, campaign_id, role)), role)


def distributions(stats: ScaleStats, role: str | None) -> list[ScaleDistribution]:
    catalog = stats.catalog
    meta = {q.name: q for q in catalog.questions.values()}
    result = []
    for name in catalog.names(*SCORED_TYPES):
        counts: dict[str, int] = defaultdict(int)
        for r in [role] if role else ROLES:
            for value, count in stats.choice_counts.get((r, name), {}).items():
                counts[value] += count
        result.append(
            ScaleDistribution(
                name,
                meta[name].domain,
                meta[name].measure,
                sum(counts.values()),
                _choice_counts(catalog.choices.get(name, []), counts),
            )
        )
    return result


def _choice_counts(values: list[str], counts: Mapping[str, int]) -> list[ChoiceCount]:
    answered = sum(counts.values()) if counts else 0
    return _shares(values, counts, answered)


def _shares(values: list[str], counts: Mapping[str, int], respondents: int) -> list[ChoiceCount]:
    extra = [v for v in counts if v not in values]  # values no longer in the list
    return [
        ChoiceCount(v, counts.get(v, 0), counts.get(v, 0) / respondents if respondents else None)
        for v in [*values, *extra]
    ]


def choice_shares(
    scope: Scope, campaign_id: int | None = None, role: str | None = None
) -> list[ChoiceShares]:
    """For each multiple-choice question: who answered it, and per choice count and share."""
    return choice_shares_of(selection_for(scope, campaign_id, role))


def choice_shares_of(selection: Selection) -> list[ChoiceShares]:
    catalog = selection.catalog
    ids = catalog.ids(*TICKED_TYPES)
    if not ids:
        return []
    answered: dict[str, int] = defaultdict(int)
    ticked: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    c: Any = ProfileCount
    counted = selection.counted
    if selection.rolled is not None:  # the region or a country: counts per country
        c, counted = ProfileCountryCount, selection.rolled
    for question_id, value, count in db.session.execute(
        select(c.question_id, c.choice, func.sum(c.responses))
        .where(*counted(c), c.question_id.in_(ids))
        .group_by(c.question_id, c.choice)
    ):
        name = catalog.questions[question_id].name
        if value == ANSWERED:
            answered[name] += int(count)
        else:
            ticked[name][value] += int(count)
    return [
        ChoiceShares(
            name,
            answered[name],
            _shares(catalog.choices.get(name, []), ticked[name], answered[name]),
        )
        for name in catalog.names(*TICKED_TYPES)
    ]


def free_text_answers(
    scope: Scope,
    campaign_id: int | None = None,
    role: str | None = None,
    question_name: str | None = None,
    limit: int | None = None,
) -> list[FreeTextAnswer]:
    """Answers to text questions, by question in questionnaire order, newest first.

    For staff only. ``limit`` caps the answers per question.
    """
    return _free_texts(selection_for(scope, campaign_id, role), question_name, limit)


def _free_texts(
    selection: Selection, question_name: str | None, limit: int | None
) -> list[FreeTextAnswer]:
    catalog, filters = selection.catalog, selection.filters
    names = [n for n in catalog.names(*TEXT_TYPES) if question_name in (None, n)]
    result = []
    for name in names:
        ids = [q.id for q in catalog.questions.values() if q.name == name]
        query = (
            select(Answer.text, Response.language, Municipality.code, Response.submitted_at)
            .join(Response, Answer.response_id == Response.id)
            .join(Municipality, Response.municipality_id == Municipality.id)
            .where(*filters, Answer.question_id.in_(ids), Answer.text.is_not(None))
            .order_by(Response.submitted_at.desc(), Answer.id.desc())
            .limit(limit)
        )
        result += [FreeTextAnswer(name, *row) for row in db.session.execute(query)]
    return result


def free_text_groups(selection: Selection, limit: int) -> list[FreeTextGroup]:
    catalog = selection.catalog
    ids = catalog.ids(*TEXT_TYPES)
    if not ids:
        return []
    totals: dict[str, int] = defaultdict(int)
    c = ProfileCount
    for question_id, count in db.session.execute(
        select(c.question_id, func.sum(c.responses))
        .where(*selection.counted(c), c.question_id.in_(ids), c.choice == ANSWERED)
        .group_by(c.question_id)
    ):
        totals[catalog.questions[question_id].name] += int(count)
    answers = _free_texts(selection, None, limit)
    return [
        FreeTextGroup(name, totals[name], [a for a in answers if a.question_name == name])
        for name in catalog.names(*TEXT_TYPES)
    ]
