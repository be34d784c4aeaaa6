"""Answers given in the municipality's time zone, and the values recorded at
submission (``hidden``, ``start``, ``end``, ``today``): see
:mod:`surveyapp.questionnaires.question_types.more`."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import Country, Municipality, Question, Response
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.question_types.more import with_offset, zone_of_country


def clock_of(response_id: int) -> tuple[datetime, ZoneInfo]:
    """When the response was begun, and the time zone of its municipality."""
    started, country = db.session.execute(
        select(Response.started_at, Country.code)
        .join(Municipality, Municipality.id == Response.municipality_id)
        .join(Country, Country.id == Municipality.country_id)
        .where(Response.id == response_id)
    ).one()
    return started, zone_of_country(country)


def with_zones(
    response_id: int, questions: dict[str, Question], values: dict[str, Any]
) -> dict[str, Any]:
    """``values`` with the answers of zoned types (a date and time) given their offset."""
    zoned = [n for n, v in values.items() if v and TYPES[questions[n].type].zoned]
    if not zoned:
        return values
    zone = clock_of(response_id)[1]
    return {**values, **{name: with_offset(values[name], zone) for name in zoned}}


def recorded_values(response_id: int, questions: list[Question], now: datetime) -> dict[int, str]:
    """The values the recorded types keep at submission, by question id."""
    kinds = [(q, TYPES[q.type]) for q in questions if hasattr(TYPES[q.type], "recorded")]
    if not kinds:
        return {}
    started, zone = clock_of(response_id)
    found = {q.id: kind.recorded(q, started, now, zone) for q, kind in kinds}  # type: ignore[attr-defined]
    return {question_id: value for question_id, value in found.items() if value}
