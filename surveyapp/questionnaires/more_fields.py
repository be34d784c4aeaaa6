"""Form fields of the types in :mod:`.question_types.more`, and "other, specify".

Every field checks on the server what the browser's native input may not have
checked (an old browser shows ``type=time`` as a plain text box), with a message
from our own catalogs. Inputs that belong to one question beside its own name are
named ``<name>-<part>`` (``fav_color-other``, ``place-lat``): a question name never
holds "-", so they cannot clash with another question.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape
from wtforms import Field, RadioField, ValidationError
from wtforms.widgets import TextInput

from surveyapp.core.form_fields import MultiCheckboxField
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.transliteration import normalise_text

#: The code of the "Other" choice that ``or_other`` adds to a list.
OTHER = "other"
#: Longest "other" text.
OTHER_MAX_LENGTH = 200

_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(.*)")


def parse_time(text: str) -> str | None:
    """``"9:30"``, ``"09.30"``, ``"09:30:15"`` → ``"09:30"``; None when it is no time of day."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59 or (match.group(3) and int(match.group(3)) > 59):
        return None
    return f"{hours:02d}:{minutes:02d}"


def parse_datetime(text: str) -> str | None:
    """``"2026-03-15T09:30"`` (what ``datetime-local`` sends), a space for the T, seconds
    and an offset allowed → ``"2026-03-15T09:30"`` (the wall-clock time, no offset)."""
    match = _DATETIME.fullmatch(text.strip())
    if not match:
        return None
    try:
        date.fromisoformat(match.group(1))
    except ValueError:
        return None
    clock = parse_time(match.group(2))
    return f"{match.group(1)}T{clock}" if clock else None


def time_from_cell(text: str) -> str | None:
    """A time default as a spreadsheet holds it: "09:30", "09:30:00", or a fraction of a
    day (0.395833 is 09:30, as Excel keeps a time typed without a date)."""
    parsed = parse_time(text) or (parse_datetime(text) or "")[11:] or None
    if parsed or not text:
        return parsed  # an .xls time cell reads as 1899-12-31T09:30:00
    try:
        fraction = float(text)
    except ValueError:
        return None
    if not 0 <= fraction < 1:
        return None
    minutes = round(fraction * 24 * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


class TimeField(Field):
    """A time of day, kept as ``HH:MM``."""

    widget = TextInput(input_type="time")

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (self.data or "")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = parse_time(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Please enter a time of day, for example 14:30."))


class DateTimeField(Field):
    """A date and a time of day, kept as ``YYYY-MM-DDTHH:MM`` (the wall-clock time; the
    time zone is added when the answer is stored)."""

    widget = TextInput(input_type="datetime-local")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return (self.data or "")[:16]

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = parse_datetime(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Please enter a date and a time, for example 2025-03-15 14:30."))


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None


def split_point(value: str | None) -> tuple[float, float] | None:
    """A stored location ("42.66 21.16", ODK's "lat lon [alt acc]") as (lat, lon)."""
    parts = (value or "").split()
    if len(parts) < 2:
        return None
    lat, lon = _number(parts[0]), _number(parts[1])
    return None if lat is None or lon is None else (lat, lon)


def _degrees(number: float) -> str:
    return f"{number:.6f}".rstrip("0").rstrip(".")


class GeopointWidget:
    """Latitude and longitude inputs, and a "Use my location" button that
    ``static/geopoint.js`` shows where the browser can tell the location."""

    def __call__(self, field: GeopointField, **attrs: Any) -> Markup:
        lat, lon = field.parts()
        shared = "".join(
            f' {escape(key)}="{escape(value)}"'
            for key, value in attrs.items()
            if key.startswith("aria-")
        )
        rows = []
        for part, label, value in (("lat", field.lat_label, lat), ("lon", field.lon_label, lon)):
            input_id = escape(f"{field.id}-{part}")
            rows.append(
                f'<p class="geo-part"><label for="{input_id}">{escape(label)}</label> '
                f'<input id="{input_id}" name="{escape(field.name)}-{part}" type="text" '
                f'inputmode="decimal" class="short" value="{escape(value)}"{shared}></p>'
            )
        texts = "".join(
            f' data-{key}="{escape(text)}"'
            for key, text in (
                ("waiting", field.waiting_label),
                ("done", field.done_label),
                ("failed", field.failed_label),
            )
        )
        button = (
            f'<p class="geo-locate" hidden><button type="button" class="button secondary" '
            f'data-geopoint="{escape(field.id)}"{texts}>{escape(field.locate_label)}</button> '
            f'<span class="geo-status" role="status"></span></p>'
        )
        return Markup("\n".join([*rows, button]))  # nosec B704: every value escaped


class GeopointField(Field):
    """A location as latitude and longitude in degrees, kept as ``"lat lon"``."""

    widget = GeopointWidget()
    lat_label = _l("Latitude (−90 to 90)")
    lon_label = _l("Longitude (−180 to 180)")
    locate_label = _l("Use my location")
    waiting_label = _l("Finding your location…")
    done_label = _l("Your location was filled in: please check it.")
    failed_label = _l("Your location could not be found: please type it in.")

    def parts(self) -> tuple[str, str]:
        if self.raw_data is not None and len(self.raw_data) == 2:
            return self.raw_data[0], self.raw_data[1]
        point = split_point(self.data)
        return (_degrees(point[0]), _degrees(point[1])) if point else ("", "")

    def process(self, formdata, data=None, extra_filters=None) -> None:
        self.process_errors = []
        self.object_data = data
        self.data = data
        self.raw_data = None
        if formdata is None:
            return
        self.raw_data = [
            (formdata.get(f"{self.name}-{part}") or "").strip() for part in ("lat", "lon")
        ]
        self.data = None
        lat_text, lon_text = self.raw_data
        if not lat_text and not lon_text:
            return
        if not lat_text or not lon_text:
            self.process_errors.append(_l("Please enter both the latitude and the longitude."))
            return
        lat, lon = _number(lat_text), _number(lon_text)
        if lat is None or not -90 <= lat <= 90:
            self.process_errors.append(
                _l("Please enter the latitude as a number from -90 to 90, for example 42.66.")
            )
        if lon is None or not -180 <= lon <= 180:
            self.process_errors.append(
                _l("Please enter the longitude as a number from -180 to 180, for example 21.17.")
            )
        if not self.process_errors:
            self.data = f"{_degrees(lat)} {_degrees(lon)}"


# --- "other, specify" ------------------------------------------------------------


class WithOther(str):
    """A one-answer choice that may carry the text of its "Other" answer."""

    other: str | None = None


class ListWithOther(list):
    """The ticked codes of a several-answers choice, with the text of "Other"."""

    other: str | None = None


def with_other(value: Any, text: str | None) -> Any:
    """``value`` (a code or a list of codes) carrying ``text`` when "Other" is chosen."""
    if not text or value is None:
        return value
    if isinstance(value, list):
        if OTHER not in value:
            return value
        carried: Any = ListWithOther(value)
    elif value == OTHER:
        carried = WithOther(value)
    else:
        return value
    carried.other = text
    return carried


def other_text(value: Any) -> str | None:
    return getattr(value, "other", None)


class _OtherMixin:
    """Reads ``<name>-other`` beside the choice; "Other" chosen needs it filled in."""

    other_text: str = ""

    def process(self, formdata, data=None, extra_filters=None) -> None:
        super().process(formdata, data, extra_filters)
        if formdata is not None:
            raw = formdata.get(f"{self.name}-other") or ""
            self.other_text = normalise_text(raw.strip())
        else:
            self.other_text = other_text(data) or ""
        self.data = with_other(self.data, self.other_text)

    def post_validate(self, form, validation_stopped: bool) -> None:
        chosen = self.data if isinstance(self.data, list) else [self.data]
        if OTHER not in chosen:
            self.other_text = ""
            return
        if not self.other_text:
            raise ValidationError(_l("You chose “Other”: please say what it is."))
        if len(self.other_text) > OTHER_MAX_LENGTH:
            raise ValidationError(
                _l("Please keep this under %(max)d characters.", max=OTHER_MAX_LENGTH)
            )


class OtherRadioField(_OtherMixin, RadioField):
    pass


class OtherCheckboxField(_OtherMixin, MultiCheckboxField):
    pass


def now_iso(moment: datetime) -> str:
    """A zone-aware moment as stored: ``2026-03-15T09:30:05+01:00``."""
    return moment.isoformat(timespec="seconds")
