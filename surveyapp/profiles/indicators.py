"""The questionnaire's indicators: how a municipality is organised for this work.

Which questions are indicators
------------------------------
The answerable questions on the first page of the questionnaire (the page
with the lowest position in its version) that carry no domain and whose type
summarises as an indicator (``question_types``: ``summary``):

* single choice ("shares"): the share of respondents who chose each answer;
* number ("quantiles"): the median and the middle half of the answers;
* date ("years"): the same, of the years.

The built-in questionnaire's first page, "About your municipality and your
role", holds exactly such questions: a Local Safety Council in place, staff
working on prevention, the latest strategy, years in local government. A
rule rather than a flag on each question: a flag needs a column (and a
migration), the editor and the XLSForm columns to set it, while the first
page is already where a needs assessment asks how the municipality is
organised. An imported form gets its indicators by putting such questions
first; a question leaves them by moving to a later page or by getting a
domain (scale questions feed the domains, multiple-choice questions have
their shares section and text questions are listed as free text, wherever
they are). Views never name a question.

Privacy: the figures of a group are shown only where the disclosure control
shows the group (``surveyapp.profiles.disclosure``); the caller decides. As
everywhere, the rule counts respondents, not answers to each question. A
median and quartiles are values some respondent may have given, which is why
no minimum or maximum is shown.

The figures come from the count tables kept at submit time
(``surveyapp.profiles.count_tables``: a row per question and value), grouped
by (question, value) in the database: a few rows per question, never one per
respondent, and a cost that does not grow with the number of responses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ProfileCount, ProfileCountryCount
from surveyapp.profiles.results import ChoiceCount, IndicatorFigures
from surveyapp.profiles.selection import Catalog, Selection
from surveyapp.questionnaires.question_types import TYPES

#: The summaries that make a first-page question an indicator.
INDICATOR_SUMMARIES = ("shares", "quantiles", "years")


def indicator_questions(catalog: Catalog) -> list[str]:
    """Names of the catalog's indicator questions, in questionnaire order (see the module
    docstring for the rule)."""
    chosen = {
        q.name
        for q in catalog.questions.values()
        if q.first_page
        and q.domain is None
        and q.type in TYPES
        and TYPES[q.type].summary in INDICATOR_SUMMARIES
    }
    return [name for name in catalog.order if name in chosen]


def indicator_figures(selection: Selection) -> list[IndicatorFigures]:
    """The indicators of the selection's responses, in questionnaire order.

    No privacy rule is applied here: call it only for a group that is shown.
    """
    catalog = selection.catalog
    names = indicator_questions(catalog)
    if not names:
        return []
    summary_of = {name: "" for name in names}
    ids: dict[str, list[int]] = defaultdict(list)
    for q in catalog.questions.values():
        if q.name in summary_of:
            summary_of[q.name] = TYPES[q.type].summary or ""
            ids[summary_of[q.name]].append(q.id)
    choices: dict[str, dict[str, int]] = defaultdict(dict)
    numbers: dict[str, dict[float, int]] = defaultdict(dict)
    c: Any = ProfileCount
    counted = selection.counted
    if selection.rolled is not None:  # the region or a country: counts per country
        c, counted = ProfileCountryCount, selection.rolled
    every_id = [question_id for found in ids.values() for question_id in found]
    rows = db.session.execute(
        select(c.question_id, c.choice, c.score, func.sum(c.responses))
        .where(*counted(c), c.question_id.in_(every_id))
        .group_by(c.question_id, c.choice, c.score)
    )
    for question_id, choice, score, count in rows:
        name = catalog.questions[question_id].name
        summary = summary_of[name]
        if summary == "shares":
            choices[name][choice] = choices[name].get(choice, 0) + int(count)
        elif summary == "quantiles" and score is not None:
            numbers[name][float(score)] = numbers[name].get(float(score), 0) + int(count)
        elif summary == "years" and choice.isdigit():
            numbers[name][float(choice)] = numbers[name].get(float(choice), 0) + int(count)
    return [
        _shares(name, choices[name], catalog)
        if summary_of[name] == "shares"
        else _quantiles(name, summary_of[name], numbers[name])
        for name in names
    ]


def _shares(name: str, counts: dict[str, int], catalog: Catalog) -> IndicatorFigures:
    answered = sum(counts.values())
    order = catalog.choices.get(name, [])
    extra = sorted(value for value in counts if value not in order)  # no longer in the list
    choices = [
        ChoiceCount(v, counts.get(v, 0), counts.get(v, 0) / answered if answered else None)
        for v in [*order, *extra]
    ]
    return IndicatorFigures(name, "shares", answered, choices)


def _quantiles(name: str, summary: str, counts: dict[float, int]) -> IndicatorFigures:
    histogram = sorted(counts.items())
    return IndicatorFigures(
        name,
        summary,
        sum(counts.values()),
        [],
        quantile(histogram, 0.5),
        quantile(histogram, 0.25),
        quantile(histogram, 0.75),
    )


def quantile(histogram: list[tuple[float, int]], q: float) -> float | None:
    """The ``q`` quantile of the values a sorted (value, count) histogram stands for.

    Linear between the two nearest ranks (numpy's and Excel's QUARTILE.INC way):
    the median of 1, 2, 3, 10 is 2.5. None for no values.
    """
    total = sum(count for _value, count in histogram)
    if not total:
        return None
    position = q * (total - 1)
    below = math.floor(position)
    low, high = _value_at(histogram, below), _value_at(histogram, min(below + 1, total - 1))
    return low + (high - low) * (position - below)


def _value_at(histogram: list[tuple[float, int]], rank: int) -> float:
    seen = 0
    for value, count in histogram:
        seen += count
        if rank < seen:
            return value
    raise IndexError(rank)
