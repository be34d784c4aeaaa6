"""The functions expressions may call (``FUNCTIONS``), for
:mod:`surveyapp.questionnaires.expressions`; ``static/live.js`` has their twins,
held to the same results by tests/test_live_rules_differential.py."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from decimal import Context as DecimalContext
from functools import lru_cache
from typing import Any

from surveyapp.core.safe_text import EscapingLazyString
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.expression_values import (
    CURRENT_QUESTION,
    Context,
    ExpressionError,
    Function,
    Value,
    as_date,
    as_string,
    boolean,
    from_python,
    number,
)

#: Longest ``regex()`` pattern accepted, in characters.
MAX_REGEX_PATTERN = 500
#: Deepest nesting of groups in a ``regex()`` pattern.
MAX_REGEX_GROUPS = 20
#: Text longer than this never matches ``regex()``.
MAX_REGEX_INPUT = 1000


def _eager(function: Callable[..., Value], min_args: int, max_args: int | None = None) -> Function:
    """A function of its arguments' values; ``max_args`` defaults to ``min_args``.

    A one-argument function given none is applied to ``.``, as XPath does.
    """

    def implementation(context: Context, call: Any) -> Value:
        values = [arg.evaluate(context) for arg in call.args]
        if not values and min_args == 0 and max_args == 1:
            values = [from_python(context.current, CURRENT_QUESTION, call.position)]
        return function(*values)

    return Function(min_args, min_args if max_args is None else max_args, implementation)


def _round(given: Value, digits: Value = 0.0) -> float:
    value, places = number(given), number(digits)
    if math.isnan(places):
        return math.nan
    if math.isnan(value) or math.isinf(value):
        return value
    places = int(max(-400.0, min(400.0, places)))
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP, _ROUNDING_CONTEXT)
    return float(rounded)


_ROUNDING_CONTEXT = DecimalContext(prec=1000)


def _int(given: Value) -> float:
    value = number(given)
    return value if math.isnan(value) or math.isinf(value) else float(math.trunc(value))


def _concat(context: Context, args: list[Any]) -> str:
    return "".join(as_string(arg.evaluate(context)) for arg in args)


def _if(context: Context, call: Any) -> Value:
    condition, then, otherwise = call.args
    branch = then if boolean(condition.evaluate(context)) else otherwise
    return branch.evaluate(context)


def _coalesce(context: Context, call: Any) -> Value:
    first = call.args[0].evaluate(context)
    return first if as_string(first) != "" else call.args[1].evaluate(context)


def _regex(context: Context, call: Any) -> bool:
    text = as_string(call.args[0].evaluate(context))
    pattern = _compile_regex(as_string(call.args[1].evaluate(context)), call.args[1].position)
    return len(text) <= MAX_REGEX_INPUT and pattern.search(text) is not None


def _selected(value: Value, choice: Value) -> bool:
    return as_string(choice).strip() in as_string(value).split()


def _selected_at(value: Value, index: Value) -> str:
    words, at = as_string(value).split(), number(index)
    if math.isnan(at) or math.isinf(at):
        return ""
    at = math.trunc(at)
    return words[at] if 0 <= at < len(words) else ""


#: ``jr:choice-name(value, '${name}')``: the question named in the second argument.
CHOICE_NAME_REFERENCE = re.compile(r"\$\{([^\W\d][\w.\-]*)\}")


def _choice_name(context: Context, call: Any) -> str:
    """The label of the choice ``value`` of question ``${name}`` in the respondent's
    language; empty when the question has no such choice or no labels were given."""
    value = as_string(call.args[0].evaluate(context)).strip()
    question = CHOICE_NAME_REFERENCE.fullmatch(call.args[1].value.strip())
    labels = context.labels.get(question.group(1)) if question else None
    return (labels or {}).get(value, "")


def _substr(text: Value, start: Value, end: Value | None = None) -> str:
    """Code points ``start`` (0-based) up to ``end`` (default: the end), clamped to the
    text; a bound that is not a number counts as 0."""
    chars = list(as_string(text))

    def bound(value: Value) -> int:
        at = number(value)
        return 0 if math.isnan(at) else int(max(0.0, min(float(len(chars)), at)))

    first = bound(start)
    last = len(chars) if end is None else bound(end)
    return "".join(chars[first:last])


_SIGNIFICANT = DecimalContext(prec=15, rounding=ROUND_HALF_UP)


def _significant(value: float) -> float:
    """``value`` to 15 significant digits, so that the server's and the browser's
    mathematical libraries give the same result."""
    if value == 0 or not math.isfinite(value):
        return value
    return float(_SIGNIFICANT.plus(Decimal(value)))


def _real(function: Callable[[float], float]) -> Callable[[Value], float]:
    """A mathematical function of one number, as JavaScript's ``Math`` gives it: NaN
    outside its domain, infinity when too large, to 15 significant digits."""

    def apply(value: Value) -> float:
        x = number(value)
        try:
            return _significant(function(x))
        except OverflowError:
            return math.inf
        except ValueError:
            return -math.inf if x == 0 and function in (math.log, math.log10) else math.nan

    return apply


def _pow(base: Value, exponent: Value) -> float:
    x, y = number(base), number(exponent)
    if math.isnan(y):
        return math.nan
    if y == 0:
        return 1.0
    if abs(x) == 1 and math.isinf(y):
        return math.nan
    odd = y.is_integer() and abs(y) % 2 == 1
    try:
        return _significant(math.pow(x, y))
    except OverflowError:
        return -math.inf if x < 0 and odd else math.inf
    except ValueError:
        if x == 0:  # a negative exponent
            return -math.inf if math.copysign(1.0, x) < 0 and odd else math.inf
        return math.nan


def _whole(function: Callable[[float], int]) -> Callable[[Value], float]:
    def apply(value: Value) -> float:
        x = number(value)
        return x if not math.isfinite(x) else float(function(x)) + 0.0

    return apply


_DATE_PARTS: dict[str, Callable[[Any], str]] = {
    "Y": lambda day: f"{day.year:04d}",
    "y": lambda day: f"{day.year % 100:02d}",
    "m": lambda day: f"{day.month:02d}",
    "n": lambda day: str(day.month),
    "d": lambda day: f"{day.day:02d}",
    "e": lambda day: str(day.day),
}


def _format_date(value: Value, pattern: Value) -> str:
    """``%Y %y %m %n %d %e`` of a date (ODK's meanings); any other character as it is;
    empty when ``value`` is not a date."""
    day = as_date(value)
    if day is None:
        return ""
    text, out, i = as_string(pattern), [], 0
    while i < len(text):
        part = _DATE_PARTS.get(text[i + 1]) if text[i] == "%" and i + 1 < len(text) else None
        out.append(part(day) if part else text[i])
        i += 2 if part else 1
    return "".join(out)


#: The functions expressions may call, by name.
FUNCTIONS: dict[str, Function] = {
    "selected": _eager(_selected, 2),
    "count-selected": _eager(lambda value: float(len(as_string(value).split())), 1),
    "string-length": _eager(lambda value: float(len(as_string(value))), 0, 1),
    "regex": Function(2, 2, _regex),
    "if": Function(3, 3, _if),
    "not": _eager(lambda value: not boolean(value), 1),
    "number": _eager(number, 0, 1),
    "string": _eager(as_string, 0, 1),
    "boolean": _eager(boolean, 1),
    "true": _eager(lambda: True, 0),
    "false": _eager(lambda: False, 0),
    "int": _eager(_int, 1),
    "round": _eager(_round, 1, 2),
    "concat": Function(0, None, lambda context, call: _concat(context, call.args)),
    "contains": _eager(lambda text, part: as_string(part) in as_string(text), 2),
    "starts-with": _eager(lambda text, start: as_string(text).startswith(as_string(start)), 2),
    "coalesce": Function(2, 2, _coalesce),
    "today": Function(0, 0, lambda context, call: context.today),
    # date('2000-01-01'): an ISO day as a date; anything else is empty.
    "date": _eager(lambda value: as_date(value) or "", 1),
    "now": Function(0, 0, lambda context, call: context.today),
    "selected-at": _eager(_selected_at, 2),
    "jr:choice-name": Function(2, 2, _choice_name),
    "substr": _eager(_substr, 2, 3),
    "ends-with": _eager(lambda text, end: as_string(text).endswith(as_string(end)), 2),
    "boolean-from-string": _eager(lambda value: as_string(value) in ("true", "1"), 1),
    "pow": _eager(_pow, 2),
    "sqrt": _eager(_real(math.sqrt), 1),
    "exp": _eager(_real(math.exp), 1),
    "exp10": _eager(lambda value: _pow(10.0, value), 1),
    "log": _eager(_real(math.log), 1),
    "log10": _eager(_real(math.log10), 1),
    "sin": _eager(_real(math.sin), 1),
    "cos": _eager(_real(math.cos), 1),
    "tan": _eager(_real(math.tan), 1),
    "asin": _eager(_real(math.asin), 1),
    "acos": _eager(_real(math.acos), 1),
    "atan": _eager(_real(math.atan), 1),
    "abs": _eager(lambda value: abs(number(value)), 1),
    "floor": _eager(_whole(math.floor), 1),
    "ceiling": _eager(_whole(math.ceil), 1),
    "pi": _eager(lambda: math.pi, 0),
    "format-date": _eager(_format_date, 2),
}


# Regular expressions --------------------------------------------------------

_BRACES = re.compile(r"\{([0-9]*)(,?)([0-9]*)\}")


def _compile_regex(pattern: str, position: int) -> re.Pattern[str]:
    if len(pattern) > MAX_REGEX_PATTERN:
        message = _l("regular expression is longer than %(max)d characters", max=MAX_REGEX_PATTERN)
        raise ExpressionError(message, position)
    problem = _regex_problem(pattern)
    if problem:
        message = _l("regular expression refused: %(problem)s", problem=problem)
        raise ExpressionError(message, position)
    try:
        return _cached_regex(pattern)
    except re.error as error:
        # I18N: %(detail)s is Python's own description of the pattern's mistake, in English.
        message = _l("invalid regular expression: %(detail)s", detail=error.msg)
        raise ExpressionError(message, position) from None
    except Warning as warning:  # only raised when warnings are errors, as in tests
        message = _l("invalid regular expression: %(detail)s", detail=str(warning))
        raise ExpressionError(message, position) from None


@lru_cache(maxsize=256)
def _cached_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _regex_problem(pattern: str) -> EscapingLazyString | None:
    """Why a pattern risks catastrophic backtracking, or None.

    Looks for a group holding an unbounded repetition that is itself repeated,
    and for deeply nested groups; character classes and escapes are skipped.
    """
    groups = [False]  # per open group: does it hold an unbounded repetition?
    closed_group_repeats = False  # the atom just read is such a group
    i = 0
    while i < len(pattern):
        char = pattern[i]
        repeat = None  # (more than once, unbounded) for a quantifier at i
        if char == "\\":
            i += 2
        elif char == "[":
            i = _skip_class(pattern, i)
        elif char == "(":
            groups.append(False)
            if len(groups) > MAX_REGEX_GROUPS + 1:
                return _l("groups nested more than %(levels)d deep", levels=MAX_REGEX_GROUPS)
            i += 1
        elif char == ")" and len(groups) > 1:
            inner = groups.pop()
            groups[-1] = groups[-1] or inner
            closed_group_repeats = inner
            i += 1
            continue
        elif char in "*+":
            repeat = (True, True)
            i += 1
        elif char == "{" and (braces := _BRACES.match(pattern, i)):
            low, comma, high = braces.groups()
            unbounded = bool(comma) and not high
            repeat = (unbounded or int(high or low or "0") > 1, unbounded)
            i = braces.end()
        else:
            i += 1
        if repeat is not None:
            if closed_group_repeats and repeat[0]:
                return _l("a repeated group contains an unbounded repetition, as in (a+)+")
            groups[-1] = groups[-1] or repeat[1]
        closed_group_repeats = False
    return None


def _skip_class(pattern: str, start: int) -> int:
    """The index just past the character class ``[...]`` opening at ``start``."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1
