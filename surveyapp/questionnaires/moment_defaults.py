"""The default answer of a date, time or date-and-time question (XLSForm ``default``):
a fixed value, or the moment the respondent opens the page (``today()`` for a date,
``now()`` for a time or a date and time, as ODK's dynamic defaults), in the time zone of
the respondent's municipality. The respondent sees it filled in and may change it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from surveyapp.questionnaires.more_fields import parse_datetime, parse_time
from surveyapp.questionnaires.question_types.more import zone_of_country

if TYPE_CHECKING:
    from surveyapp.models import Page, Question

#: The types whose default is a moment, and what stands for "when the page is opened".
DYNAMIC = {"date": "today()", "time": "now()", "datetime": "now()"}


def names_the_moment(text: str | None) -> bool:
    """Whether ``text`` says "when the page is opened": ``now``, ``today``, ``now()`` or
    ``today()``, in any case."""
    return (text or "").strip().lower().removesuffix("()").strip() in ("now", "today")


def parse_default(type_code: str, text: str | None) -> str | None:
    """A default as stored: None for empty, the type's ``DYNAMIC`` word (``now``,
    ``today`` and ``now()``/``today()`` are all taken), or the fixed value normalised
    (``2026-03-15``, ``09:30``, ``2026-03-15T09:30``); ValueError when it is none."""
    text = (text or "").strip()
    if not text:
        return None
    if names_the_moment(text):
        return DYNAMIC[type_code]
    if type_code == "date":
        if len(text) != 10:
            raise ValueError(f"not a date: {text!r}")
        return date.fromisoformat(text).isoformat()
    parsed = parse_time(text) if type_code == "time" else parse_datetime(text)
    if parsed is None:
        raise ValueError(f"not a {type_code}: {text!r}")
    return parsed


def is_dynamic(question: Question) -> bool:
    return question.type in DYNAMIC and question.default == DYNAMIC[question.type]


def needs_zone(page: Page) -> bool:
    """Whether a question of the page defaults to the moment it is opened."""
    return any(is_dynamic(q) for q in page.questions)


def default_answer(question: Question, zone: ZoneInfo | None = None) -> object:
    """The answer the question's field shows before it is answered: a ``date`` for a date
    question, text for a time (``09:30``) or a date and time (``2026-03-15T09:30``);
    None for a default that is no such value."""
    try:
        stored = parse_default(question.type, question.default)
    except ValueError:
        return None
    if stored is None:
        return None
    if stored == DYNAMIC[question.type]:
        if zone is None:
            zone = zone_of_country(None)
        now = datetime.now(zone)
        if question.type == "date":
            return now.date()
        stored = now.strftime("%H:%M" if question.type == "time" else "%Y-%m-%dT%H:%M")
    return date.fromisoformat(stored) if question.type == "date" else stored
