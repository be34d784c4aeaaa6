"""Values of expressions (:mod:`surveyapp.questionnaires.expressions`): conversions
between answers and XPath values, comparison and arithmetic, and what functions see.

Values: None (unanswered) is the empty string; a list of choice names is their
space-separated string; int and float are numbers; ``datetime.date`` is a date.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from surveyapp.core.safe_text import EscapingLazyString
from surveyapp.core.safe_text import lazy_gettext as _l

Value = bool | float | str | date


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated.

    ``translated`` says what is wrong as a lazily translated message (in the reader's
    language wherever it is shown: put it in a page's message, ``str()`` it in a
    request); ``message`` says it in English, for logs and tests; ``position`` is the
    0-based offset in the expression text it points at. ``str()`` gives the English
    message and the position.

    Raised with ``_l("...", name=...)``: nothing is translated or formatted unless an
    expression is wrong, so evaluation stays cheap.
    """

    def __init__(self, message: EscapingLazyString, position: int) -> None:
        english = message.source_text()
        super().__init__(f"{english} at position {position}")
        self.translated = message
        self.message = english
        self.position = position


#: What ``.`` reads, as error messages name it.
CURRENT_QUESTION = _l("the current question ('.')")


EPOCH = date(1970, 1, 1)
NUMBER_TEXT = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def from_python(value: object, what: object, position: int) -> Value:
    """An answer as an XPath value; ``what`` names it in errors (``${name}``, or a lazily
    translated text made once, not per call: this runs for every value read)."""
    if value is None:
        return ""
    if isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    if isinstance(value, datetime):
        message = _l("%(what)s is a date-time, which expressions do not support", what=what)
        raise ExpressionError(message, position)
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    kind = type(value).__name__
    message = _l("%(what)s has an unsupported value of type %(type)s", what=what, type=kind)
    raise ExpressionError(message, position)


def as_string(value: Value) -> str:
    """XPath ``string()`` of a value returned by :meth:`Expression.evaluate`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float((value - EPOCH).days)
    return float(value) if NUMBER_TEXT.fullmatch(value) else math.nan


def boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, date):
        return True
    return value != ""


def as_date(value: Value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


_RELATIONS: dict[str, Callable[[object, object], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(symbol: str, left: Value, right: Value) -> bool:
    """XPath 1.0 comparison of two single values, with dates compared as dates."""
    dates = None
    if isinstance(left, date) or isinstance(right, date):
        dates = (as_date(left), as_date(right))
        if None in dates:
            dates = None
    if symbol in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = boolean(left) == boolean(right)
        elif dates is not None:
            equal = dates[0] == dates[1]
        elif isinstance(left, float) or isinstance(right, float):
            equal = number(left) == number(right)
        else:
            equal = as_string(left) == as_string(right)
        return equal if symbol == "=" else not equal
    if dates is not None and not isinstance(left, bool) and not isinstance(right, bool):
        return _RELATIONS[symbol](*dates)
    moments = _moments(left, right)
    if moments is not None:
        return _RELATIONS[symbol](*moments)
    return _RELATIONS[symbol](number(left), number(right))


_TIME_TEXT = re.compile(r"\d{2}:\d{2}(?::\d{2})?")


def _moments(left: Value, right: Value) -> tuple | None:
    """Two times of day ("09:30" < '12:00') or two ISO dates and times (a ``datetime``
    answer, stored with its offset): compared in time order, not as numbers (NaN)."""
    if not isinstance(left, str) or not isinstance(right, str):
        return None
    if _TIME_TEXT.fullmatch(left) and _TIME_TEXT.fullmatch(right):
        return (left + ":00")[:8], (right + ":00")[:8]
    if "T" not in left or "T" not in right:
        return None
    try:
        first, second = datetime.fromisoformat(left), datetime.fromisoformat(right)
    except ValueError:
        return None
    if (first.tzinfo is None) != (second.tzinfo is None):  # wall-clock times
        return first.replace(tzinfo=None), second.replace(tzinfo=None)
    return first, second


def _divide(left: float, right: float) -> float:
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def _modulo(left: float, right: float) -> float:
    try:
        return math.fmod(left, right)
    except ValueError:  # zero divisor or infinite dividend
        return math.nan


ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _divide,
    "mod": _modulo,
}


# What functions see -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    values: Mapping[str, object]
    current: object
    today: date
    choice: Mapping[str, object] | None
    #: Choice labels in the respondent's language by question name, then choice name
    #: (for ``jr:choice-name``); empty when the caller gives none.
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Function:
    """A function expressions may call: how many arguments, and what it does with the
    call (``call.args`` are syntax nodes with ``evaluate(context)``, ``call.position``)."""

    min_args: int
    max_args: int | None  # None: any number
    implementation: Callable[[Context, Any], Value]
