"""Scale answers of a scope, grouped by role, and the domain figures made from them.

``scale_stats`` reads the count tables kept at submit time
(``surveyapp.profiles.count_tables``) into sums per role, domain and
measure; ``domain_row`` adds up the roles asked for into one ``DomainRow``.
Python only adds up the few grouped rows that come back (at most roles x
questions x choices) and never sees an answer row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import ProfileCount, ProfileCountryCount, ProfileDomainCount
from surveyapp.profiles.results import DomainRow
from surveyapp.profiles.selection import Catalog, Conditions, Selection
from surveyapp.questionnaires.question_types import codes


@dataclass
class ScaleStats:
    """Grouped counts of a scope, by role. Keys are (role, domain[, measure])."""

    catalog: Catalog
    respondents: dict[tuple[str, str], int]
    score_sums: dict[tuple[str, str, str], float]
    score_counts: dict[tuple[str, str, str], int]
    #: (role, question name) -> choice value -> answers
    choice_counts: dict[tuple[str, str], dict[str, int]]


def scale_stats(selection: Selection) -> ScaleStats:
    catalog, filters = selection.catalog, selection.counted
    stats = ScaleStats(catalog, defaultdict(int), defaultdict(float), defaultdict(int), {})
    for row_role, question_id, choice, score, count in _scale_counts(catalog, selection):
        question = catalog.questions[question_id]
        count = int(count)
        counts = stats.choice_counts.setdefault((row_role, question.name), defaultdict(int))
        counts[choice] += count
        scored = question.scored
        if score is not None and scored:
            key = (row_role, *scored)
            stats.score_sums[key] += score * count
            stats.score_counts[key] += count
    for key, count in _domain_respondents(catalog, filters):
        stats.respondents[key] += count
    return stats


def _scale_counts(catalog: Catalog, selection: Selection) -> Iterable[Any]:
    """(role, question id, choice, score, answers) of the scale questions.

    The region and a country read the counts added up per country.
    """
    scale_ids = catalog.ids(*codes(summary="scores"))
    if not scale_ids:
        return []
    c: Any = ProfileCount
    counted = selection.counted
    if selection.rolled is not None:
        c, counted = ProfileCountryCount, selection.rolled
    return db.session.execute(
        select(c.role, c.question_id, c.choice, c.score, func.sum(c.responses))
        .where(*counted(c), c.question_id.in_(scale_ids))
        .group_by(c.role, c.question_id, c.choice, c.score)
    )


def _domain_respondents(
    catalog: Catalog, counted: Conditions
) -> Iterable[tuple[tuple[str, str], int]]:
    """((role, domain), respondents) pairs of the scored domains."""
    codes = {catalog.domains[code]: code for code in catalog.scored_domains()}
    if not codes:
        return
    c = ProfileDomainCount
    rows = db.session.execute(
        select(c.role, c.domain_id, func.sum(c.respondents))
        .where(*counted(c), c.domain_id.in_(codes))
        .group_by(c.role, c.domain_id)
    )
    for role, domain_id, count in rows:
        yield (role, codes[domain_id]), int(count)


def domain_row(stats: ScaleStats, domain: str, roles: Iterable[str]) -> DomainRow:
    roles = list(roles)
    respondents = sum(stats.respondents.get((r, domain), 0) for r in roles)
    means = {}
    for measure in ("need", "capacity"):
        n = sum(stats.score_counts.get((r, domain, measure), 0) for r in roles)
        total = sum(stats.score_sums.get((r, domain, measure), 0.0) for r in roles)
        means[measure] = total / n if n else None
    need, capacity = means["need"], means["capacity"]
    gap = need - capacity if need is not None and capacity is not None else None
    return DomainRow(domain, respondents, need, capacity, gap)


def ranked_by_gap(rows: list[DomainRow], order: list[str]) -> list[DomainRow]:
    """By gap, largest first; rows without a gap last; ties in domain order."""
    position = {code: i for i, code in enumerate(order)}
    return sorted(
        rows, key=lambda r: (r.gap is None, -(r.gap or 0.0), position.get(r.domain_code, 0))
    )
