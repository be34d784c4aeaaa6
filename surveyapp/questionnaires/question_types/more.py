"""More question types, registered into :data:`.base.TYPES`: ``time``,
``datetime``, ``geopoint`` (answered), and ``hidden``, ``start``, ``end``, ``today``
(recorded when the response is submitted, never shown).

Time zones. A ``datetime`` answer is the wall-clock time the respondent typed, in
the time zone of their municipality's country (``COUNTRY_ZONES``; any other country,
the app's ``BABEL_DEFAULT_TIMEZONE``, else UTC), stored in ISO 8601 with that zone's
offset at that moment: ``2026-03-29T10:00+02:00``. ``start`` (when the response was
begun: consent, its first page), ``end`` (submission) are stored the same way,
``today`` as the submission's date there. A ``time`` is a time of day without a date,
so without a zone (``09:30``). Expressions see these texts: ISO text compares in time
order (within one zone), so ``${t} < '12:00'`` works as form authors expect.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context
from flask_babel import format_date, format_decimal, format_time, get_locale
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import Optional

from surveyapp.questionnaires.more_fields import (
    DateTimeField,
    GeopointField,
    TimeField,
    now_iso,
    split_point,
)
from surveyapp.questionnaires.question_types.base import (
    ANSWERED,
    AnswerValue,
    Columns,
    QuestionType,
    Scores,
    register,
)

if TYPE_CHECKING:
    from surveyapp.models import Question
    from surveyapp.questionnaires.texts import Texts

#: A country's time zone, by its code (Kosovo keeps Belgrade's: tzdata has no zone of its own).
COUNTRY_ZONES = {
    "AL": "Europe/Tirane",
    "BA": "Europe/Sarajevo",
    "HR": "Europe/Zagreb",
    "ME": "Europe/Podgorica",
    "MK": "Europe/Skopje",
    "RS": "Europe/Belgrade",
    "XK": "Europe/Belgrade",
}


def zone_of_country(code: str | None) -> ZoneInfo:
    """The time zone answers of a municipality in country ``code`` are given in."""
    name = COUNTRY_ZONES.get((code or "").upper())
    if name is None and has_app_context():
        name = current_app.config.get("BABEL_DEFAULT_TIMEZONE")
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def with_offset(wall_clock: str, zone: ZoneInfo) -> str:
    """``"2026-03-29T10:00"`` in ``zone`` → ``"2026-03-29T10:00+02:00"`` (an answer that
    already has an offset keeps it)."""
    moment = datetime.fromisoformat(wall_clock)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.isoformat(timespec="minutes")


def _aware(moment: datetime) -> datetime:
    """Stored timestamps are naive UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


class _StoredAsText(QuestionType):
    """An answer kept in the Answer row's text."""

    summary = None
    editor_fields = ANSWERED
    condition_kind = "text"


@register
class Time(_StoredAsText):
    code = "time"
    label = _l("Time of day")
    input_attrs = {"class": "short"}
    #: Given as the form's ``default`` when not answered yet.
    takes_default = True

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        return TimeField(validators=[Optional()], **kwargs)

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        try:
            return format_time(time.fromisoformat(str(value)), "short", rebase=False)
        except ValueError:
            return str(value)

    def export_cell(self, choice, number, text, label) -> object:
        return text or None  # "14:30", the same in CSV, XLSX and SPSS/Stata (a text)


@register
class DateTime(_StoredAsText):
    code = "datetime"
    label = _l("Date and time")
    takes_default = True
    #: The answer's time zone is added when it is stored (``with_offset``).
    zoned = True

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        return DateTimeField(validators=[Optional()], **kwargs)

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        moment = _moment(str(value))
        if moment is None:
            return str(value)
        # As typed, in the municipality's time (not moved to the reader's zone), the
        # date with its month's name and the time without seconds: "29. mar 2026. 10:00".
        locale = get_locale()
        pattern = locale.datetime_formats["medium"] if locale else "{1}, {0}"
        day = format_date(moment.date(), "medium")
        return pattern.replace("{1}", day).replace(
            "{0}", format_time(moment.time(), "short", rebase=False)
        )

    def export_cell(self, choice, number, text, label) -> object:
        return text or None  # ISO 8601 with its offset: unambiguous in every program

    def xlsform_type(self, question: Question) -> str:
        return question.source_type or "dateTime"


@register
class Geopoint(_StoredAsText):
    """Latitude and longitude in degrees, kept as ODK keeps them: ``"lat lon"``."""

    code = "geopoint"
    label = _l("Location (latitude and longitude)")
    #: A fieldset with a legend (two inputs), not a label for one input.
    fieldset = True
    #: Inputs beside the question's name (``<name>-lat``), kept in a draft.
    form_keys: ClassVar[tuple[str, ...]] = ("-lat", "-lon")
    #: Export columns after the question's own: (suffix, "number" or "text").
    extra_columns: ClassVar[tuple[tuple[str, str], ...]] = (
        ("_latitude", "number"),
        ("_longitude", "number"),
    )

    def field(self, question: Question, texts: Texts, kwargs: dict[str, Any]) -> Field:
        return GeopointField(**kwargs)

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        point = split_point(str(value))
        if point is None:
            return str(value)
        return f"{format_decimal(point[0], '0.######')}, {format_decimal(point[1], '0.######')}"

    def extra_cells(self, choice, number, text) -> list[object]:
        point = split_point(text)
        return list(point) if point else [None, None]

    def xlsform_type(self, question: Question) -> str:
        return question.source_type or "geopoint"


class _Recorded(QuestionType):
    """Not asked: its value is recorded when the response is submitted."""

    answerable = False
    shown = False
    calculated = True
    editor_fields = frozenset({"relevant"})
    condition_kind = None

    def recorded(self, question: Question, started: datetime, now: datetime, zone) -> str | None:
        raise NotImplementedError

    def columns(self, question: Question, value: Any, scores: Scores) -> Columns:
        return None, None, str(value)

    def export_cell(self, choice, number, text, label) -> object:
        return text or None


@register
class Hidden(_Recorded):
    """XLSForm ``hidden``: the form's ``default``, kept with every response."""

    code = "hidden"
    label = _l("Hidden value")

    def recorded(self, question, started, now, zone) -> str | None:
        return question.default or None


@register
class Start(_Recorded):
    code = "start"
    label = _l("When the response was begun (recorded)")

    def recorded(self, question, started, now, zone) -> str | None:
        return now_iso(_aware(started).astimezone(zone))


@register
class End(_Recorded):
    code = "end"
    label = _l("When the response was submitted (recorded)")

    def recorded(self, question, started, now, zone) -> str | None:
        return now_iso(_aware(now).astimezone(zone))


@register
class Today(_Recorded):
    code = "today"
    label = _l("Date of submission (recorded)")

    def recorded(self, question, started, now, zone) -> str | None:
        return _aware(now).astimezone(zone).date().isoformat()

    def answer_text(self, question: Question, value: AnswerValue, texts: Texts) -> str:
        try:
            return format_date(date.fromisoformat(str(value)), "long")
        except ValueError:
            return str(value)

    def export_cell(self, choice, number, text, label) -> object:
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return text
