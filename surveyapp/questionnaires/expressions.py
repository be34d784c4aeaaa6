"""Parse and evaluate the XPath expressions of XLSForm ``relevant``, ``constraint``,
``calculate`` and ``choice_filter`` columns, without ever executing Python.

A small tokenizer and a precedence-climbing parser turn the text into a tree of
nodes; evaluation walks that tree following XPath 1.0 and ODK rules.

API::

    expression = check("${age} >= 18 and selected(${roles}, 'mayor')", known_names)
    expression.references                      # frozenset({"age", "roles"})
    expression.is_true({"age": 40, "roles": ["mayor"]})  # True
    expression.evaluate(values, current=None, today=None)  # bool, float, str or date
    as_string(result)                          # XPath string(), e.g. to store a calculate
    expression.outline()                       # the syntax tree as plain tuples
    parse("county = ${county}", choice_filter=True).is_true(values, choice=row)

``parse(text)`` raises :class:`ExpressionError` (``.message``, ``.position``)
for anything outside the subset; so does evaluation, and nothing else.

Grammar: ``${name}``, ``.`` (the current question), numbers, strings in ``'``
or ``"`` (no escapes, as in XPath), ``or``, ``and``, ``=``, ``!=``, ``<``,
``<=``, ``>``, ``>=``, ``+``, ``-``, ``*``, ``div``, ``mod``, unary minus,
parentheses and the functions in ``FUNCTIONS``. With ``choice_filter=True`` a
bare name such as ``county`` reads that column of the choice being filtered.

Values: None (unanswered) is the empty string; a list of choice names is their
space-separated string; int and float are numbers; ``datetime.date`` is a date.
Numbers come back as float. Date-times, and other types, raise ExpressionError.

Deliberate differences from ODK (JavaRosa):

- A ``${name}`` missing from ``values`` raises ExpressionError when evaluated;
  unanswered questions must be present with None. ``check()`` finds unknown
  names at import time, since untaken ``if``/``and``/``or`` branches are never
  evaluated.
- ``selected()`` compares whole choice names split on whitespace.
- ``round()`` rounds half away from zero with or without ``digits``
  (XPath 1.0 would round -2.5 to -2; we give -3).
- ``string-length()`` counts code points, not UTF-16 units.
- A date compared with a date or a ``'YYYY-MM-DD'`` string compares as a date;
  in arithmetic or against a number it is its day count since 1970-01-01.
- ``today()`` is the ``today`` passed in, else the server's local date.
- ``regex()`` uses Python's ``re`` with ``re.ASCII`` (so ``\\d`` and ``\\w`` are
  ASCII, as in Java) and ``search`` semantics. Limits, because questionnaire
  authors write the patterns and respondents the text: a pattern over
  ``MAX_REGEX_PATTERN`` characters, one that repeats a group which itself holds
  an unbounded repetition (``(a+)+``, ``(\\w+ ?)*``), or nests groups more than
  ``MAX_REGEX_GROUPS`` deep is refused; text over ``MAX_REGEX_INPUT``
  characters does not match. This is a cheap heuristic, not a proof: patterns
  such as ``(a|a)*`` can still backtrack badly.
- Repeats (``surveyapp.questionnaires.repeats``): ``values`` may hold the entries of
  the form's repeats under ``REPEATS`` ({repeat name: [{question: value}, ...]}) and,
  inside an entry, its number under ``POSITION``; ``${q}`` then reads the same entry's
  answer. ``count(${repeat})`` and ``count(${q})`` are the repeat's number of entries,
  ``sum(${q})`` adds a repeat question's answers over the entries (unanswered ones count
  as 0, where ODK gives NaN), ``position(..)`` is the entry's number (an error outside
  a repeat) and ``indexed-repeat(${q}, ${repeat}, n)`` reads entry n (empty past the
  last). Applied to anything else, ``count`` is 1 and ``sum`` is ``number()``.
- Not supported: paths (``/data/x``, ``../x``, but ``position(..)``), predicates,
  ``|``, ``jr:`` functions and other ODK functions; they fail to parse with a
  message naming them.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

#: Longest expression text accepted, in characters.
MAX_LENGTH = 2000
#: Deepest nesting of operators, parentheses and calls, so no input exhausts the stack.
MAX_DEPTH = 50
#: Longest ``regex()`` pattern accepted, in characters.
MAX_REGEX_PATTERN = 500
#: Deepest nesting of groups in a ``regex()`` pattern.
MAX_REGEX_GROUPS = 20
#: Text longer than this never matches ``regex()``.
MAX_REGEX_INPUT = 1000

Value = bool | float | str | date
#: An expression's syntax tree as plain tuples (``Expression.outline``).
Outline = tuple
_TOO_DEEP = f"expression is nested too deeply (more than {MAX_DEPTH} levels)"


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated.

    ``message`` says what is wrong in English; ``position`` is the 0-based
    offset in the expression text it points at. ``str()`` gives both.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


# Tokens ---------------------------------------------------------------------

_WHITESPACE = " \t\r\n"
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_NAME = re.compile(r"[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?")
_QUESTION_NAME = re.compile(r"[^\W\d][\w.\-]*")
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",", ".")
_CURLY_QUOTES = "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"
_OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})
_LEVELS = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4}
_LEVELS |= {"+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "string", "ref", "name", "symbol" or "end"
    text: str
    position: int

    def is_symbol(self, symbol: str) -> bool:
        return self.kind == "symbol" and self.text == symbol


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    i, end = 0, len(text)
    while i < end:
        char = text[i]
        if char in _WHITESPACE:
            i += 1
        elif char == "$":
            tokens.append(_reference_token(text, i))
            i += len("${}") + len(tokens[-1].text)
        elif char in "'\"":
            close = text.find(char, i + 1)
            if close < 0:
                raise ExpressionError("unterminated string; add the closing quote", i)
            tokens.append(_Token("string", text[i + 1 : close], i))
            i = close + 1
        elif char in _CURLY_QUOTES:
            raise ExpressionError(f"curly quote {char} found; use straight quotes ' or \"", i)
        elif match := _NUMBER.match(text, i) or _NAME.match(text, i):
            kind = "number" if match.re is _NUMBER else "name"
            tokens.append(_Token(kind, match.group(), i))
            i = match.end()
        elif char == "/":
            raise ExpressionError("paths are not supported; refer to a question as ${name}", i)
        elif text.startswith("==", i):
            raise ExpressionError("'==' is not an operator; compare with '='", i)
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise ExpressionError(f"unexpected character {char!r}", i)
            tokens.append(_Token("symbol", symbol, i))
            i += len(symbol)
    tokens.append(_Token("end", "", end))
    return tokens


def _reference_token(text: str, start: int) -> _Token:
    """The ``${name}`` at ``start``; the token's text is the bare name."""
    if not text.startswith("${", start):
        raise ExpressionError("'$' must start a question reference such as ${name}", start)
    match = _QUESTION_NAME.match(text, start + 2)
    stop = match.end() if match else start + 2
    if stop >= len(text):
        raise ExpressionError("unterminated question reference; add the closing '}'", start)
    if text[stop] != "}":
        raise ExpressionError(f"unexpected character {text[stop]!r} in question reference", stop)
    if stop == start + 2:
        raise ExpressionError("empty question name in '${}'", start)
    return _Token("ref", text[start + 2 : stop], start)


# Values ---------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
_NUMBER_TEXT = re.compile(r"[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _from_python(value: object, what: str, position: int) -> Value:
    """An answer as an XPath value; ``what`` names it in errors."""
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
        raise ExpressionError(f"{what} is a date-time, which expressions do not support", position)
    if isinstance(value, date):
        return value
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return " ".join(value)
    message = f"{what} has an unsupported value of type {type(value).__name__}"
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


def _number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, date):
        return float((value - _EPOCH).days)
    return float(value) if _NUMBER_TEXT.fullmatch(value) else math.nan


def _boolean(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, date):
        return True
    return value != ""


def _as_date(value: Value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
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


def _compare(symbol: str, left: Value, right: Value) -> bool:
    """XPath 1.0 comparison of two single values, with dates compared as dates."""
    dates = None
    if isinstance(left, date) or isinstance(right, date):
        dates = (_as_date(left), _as_date(right))
        if None in dates:
            dates = None
    if symbol in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = _boolean(left) == _boolean(right)
        elif dates is not None:
            equal = dates[0] == dates[1]
        elif isinstance(left, float) or isinstance(right, float):
            equal = _number(left) == _number(right)
        else:
            equal = as_string(left) == as_string(right)
        return equal if symbol == "=" else not equal
    if dates is not None and not isinstance(left, bool) and not isinstance(right, bool):
        return _RELATIONS[symbol](*dates)
    moments = _moments(left, right)
    if moments is not None:
        return _RELATIONS[symbol](*moments)
    return _RELATIONS[symbol](_number(left), _number(right))


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


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _divide,
    "mod": _modulo,
}


# Syntax tree ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    values: Mapping[str, object]
    current: object
    today: date
    choice: Mapping[str, object] | None


class _Node:
    __slots__ = ("position", "depth")

    def __init__(self, position: int, *children: _Node) -> None:
        self.position = position
        self.depth = 1 + max((child.depth for child in children), default=0)
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_TOO_DEEP, position)

    def evaluate(self, context: _Context) -> Value:
        raise NotImplementedError

    def outline(self) -> Outline:
        raise NotImplementedError


class _Literal(_Node):
    __slots__ = ("value",)

    def __init__(self, position: int, value: Value) -> None:
        super().__init__(position)
        self.value = value

    def evaluate(self, context: _Context) -> Value:
        return self.value

    def outline(self) -> Outline:
        return ("literal", self.value)


class _Current(_Node):
    __slots__ = ()

    def evaluate(self, context: _Context) -> Value:
        return _from_python(context.current, "the current question ('.')", self.position)

    def outline(self) -> Outline:
        return ("current",)


class _Reference(_Node):
    __slots__ = ("name",)

    def __init__(self, position: int, name: str) -> None:
        super().__init__(position)
        self.name = name

    def evaluate(self, context: _Context) -> Value:
        what = f"${{{self.name}}}"
        try:
            value = context.values[self.name]
        except KeyError:
            raise ExpressionError(f"no value given for {what}", self.position) from None
        return _from_python(value, what, self.position)

    def outline(self) -> Outline:
        return ("ref", self.name)


class _Column(_Node):
    __slots__ = ("name",)

    def __init__(self, position: int, name: str) -> None:
        super().__init__(position)
        self.name = name

    def evaluate(self, context: _Context) -> Value:
        what = f"choice column {self.name!r}"
        if context.choice is None:
            raise ExpressionError(f"{what} needs a choice to filter", self.position)
        try:
            value = context.choice[self.name]
        except KeyError:
            raise ExpressionError(f"the choice has no {what}", self.position) from None
        return _from_python(value, what, self.position)

    def outline(self) -> Outline:
        return ("column", self.name)


class _Negate(_Node):
    __slots__ = ("operand",)

    def __init__(self, position: int, operand: _Node) -> None:
        super().__init__(position, operand)
        self.operand = operand

    def evaluate(self, context: _Context) -> Value:
        return -_number(self.operand.evaluate(context))

    def outline(self) -> Outline:
        return ("negate", self.operand.outline())


class _Chain(_Node):
    """Operators of one precedence level, left to right: ``a + b - c``.

    Flat rather than nested, so long chains stay shallow.
    """

    __slots__ = ("level", "first", "rest")

    def __init__(self, position: int, first: _Node, rest: list[tuple[str, _Node]]) -> None:
        super().__init__(position, first, *(node for _, node in rest))
        self.level = _LEVELS[rest[0][0]]
        self.first = first
        self.rest = rest

    def extended(self, symbol: str, node: _Node) -> _Chain:
        return _Chain(self.position, self.first, [*self.rest, (symbol, node)])

    def evaluate(self, context: _Context) -> Value:
        if self.level <= 2:  # or, and: stop at the first operand that decides
            deciding = self.level == 1
            if _boolean(self.first.evaluate(context)) is deciding:
                return deciding
            for _, node in self.rest:
                if _boolean(node.evaluate(context)) is deciding:
                    return deciding
            return not deciding
        value = self.first.evaluate(context)
        for symbol, node in self.rest:
            right = node.evaluate(context)
            if self.level <= 4:
                value = _compare(symbol, value, right)
            else:
                value = _ARITHMETIC[symbol](_number(value), _number(right))
        return value

    def outline(self) -> Outline:
        return ("chain", self.first.outline(), tuple((s, n.outline()) for s, n in self.rest))


class _Call(_Node):
    __slots__ = ("name", "function", "args")

    def __init__(self, position: int, name: str, function: _Function, args: list[_Node]) -> None:
        super().__init__(position, *args)
        self.name = name
        self.function = function
        self.args = args

    def evaluate(self, context: _Context) -> Value:
        return self.function.implementation(context, self)

    def outline(self) -> Outline:
        return ("call", self.name, tuple(arg.outline() for arg in self.args))


# Functions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Function:
    min_args: int
    max_args: int | None  # None: any number
    implementation: Callable[[_Context, _Call], Value]


def _eager(function: Callable[..., Value], min_args: int, max_args: int | None = None) -> _Function:
    """A function of its arguments' values; ``max_args`` defaults to ``min_args``.

    A one-argument function given none is applied to ``.``, as XPath does.
    """

    def implementation(context: _Context, call: _Call) -> Value:
        values = [arg.evaluate(context) for arg in call.args]
        if not values and min_args == 0 and max_args == 1:
            values = [_from_python(context.current, "the current question ('.')", call.position)]
        return function(*values)

    return _Function(min_args, min_args if max_args is None else max_args, implementation)


def _round(number: Value, digits: Value = 0.0) -> float:
    value, places = _number(number), _number(digits)
    if math.isnan(places):
        return math.nan
    if math.isnan(value) or math.isinf(value):
        return value
    places = int(max(-400.0, min(400.0, places)))
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(value)).quantize(quantum, ROUND_HALF_UP, _ROUNDING_CONTEXT)
    return float(rounded)


_ROUNDING_CONTEXT = Context(prec=1000)


def _int(number: Value) -> float:
    value = _number(number)
    return value if math.isnan(value) or math.isinf(value) else float(math.trunc(value))


def _concat(context: _Context, args: list[_Node]) -> str:
    return "".join(as_string(arg.evaluate(context)) for arg in args)


def _if(context: _Context, call: _Call) -> Value:
    condition, then, otherwise = call.args
    branch = then if _boolean(condition.evaluate(context)) else otherwise
    return branch.evaluate(context)


def _coalesce(context: _Context, call: _Call) -> Value:
    first = call.args[0].evaluate(context)
    return first if as_string(first) != "" else call.args[1].evaluate(context)


def _regex(context: _Context, call: _Call) -> bool:
    text = as_string(call.args[0].evaluate(context))
    pattern = _compile_regex(as_string(call.args[1].evaluate(context)), call.args[1].position)
    return len(text) <= MAX_REGEX_INPUT and pattern.search(text) is not None


def _selected(value: Value, choice: Value) -> bool:
    return as_string(choice).strip() in as_string(value).split()


#: The functions expressions may call, by name.
FUNCTIONS: dict[str, _Function] = {
    "selected": _eager(_selected, 2),
    "count-selected": _eager(lambda value: float(len(as_string(value).split())), 1),
    "string-length": _eager(lambda value: float(len(as_string(value))), 0, 1),
    "regex": _Function(2, 2, _regex),
    "if": _Function(3, 3, _if),
    "not": _eager(lambda value: not _boolean(value), 1),
    "number": _eager(_number, 0, 1),
    "string": _eager(as_string, 0, 1),
    "boolean": _eager(_boolean, 1),
    "true": _eager(lambda: True, 0),
    "false": _eager(lambda: False, 0),
    "int": _eager(_int, 1),
    "round": _eager(_round, 1, 2),
    "concat": _Function(0, None, lambda context, call: _concat(context, call.args)),
    "contains": _eager(lambda text, part: as_string(part) in as_string(text), 2),
    "starts-with": _eager(lambda text, start: as_string(text).startswith(as_string(start)), 2),
    "coalesce": _Function(2, 2, _coalesce),
    "today": _Function(0, 0, lambda context, call: context.today),
    # date('2000-01-01'): an ISO day as a date; anything else is empty.
    "date": _eager(lambda value: _as_date(value) or "", 1),
}


# Repeats --------------------------------------------------------------------
# (kept together: ``surveyapp.questionnaires.repeats`` fills REPEATS and POSITION)

#: Key of ``values`` holding the entries of the repeats: {repeat name: [{name: value}]}.
REPEATS = "@repeats"
#: Key of ``values`` holding the number (from 1) of the entry being evaluated.
POSITION = "@position"


def _entries_of(context: _Context, node: _Node) -> tuple[list, str | None] | None:
    """The entries a ``${name}`` argument stands for: (entries, question name or None for
    the repeat itself); None when it names no repeat and no question inside one."""
    repeats = context.values.get(REPEATS)
    if not isinstance(node, _Reference) or not isinstance(repeats, Mapping):
        return None
    if node.name in repeats:
        return list(repeats[node.name]), None
    for entries in repeats.values():
        if entries and node.name in entries[0]:
            return list(entries), node.name
    return None


def _count(context: _Context, call: _Call) -> float:
    found = _entries_of(context, call.args[0])
    if found is not None:
        return float(len(found[0]))
    call.args[0].evaluate(context)
    return 1.0


def _sum(context: _Context, call: _Call) -> float:
    found = _entries_of(context, call.args[0])
    if found is None or found[1] is None:
        return _number(call.args[0].evaluate(context))
    entries, name = found
    total = 0.0
    for entry in entries:
        value = _from_python(entry.get(name), f"${{{name}}}", call.position)
        if as_string(value) != "":
            total += _number(value)
    return total


def _position(context: _Context, call: _Call) -> float:
    position = context.values.get(POSITION)
    if not isinstance(position, int):
        raise ExpressionError("position() is only known inside a repeat", call.position)
    return float(position)


def _indexed_repeat(context: _Context, call: _Call) -> Value:
    question, repeat, index = call.args
    found = _entries_of(context, repeat)
    if found is None or found[1] is not None or not isinstance(question, _Reference):
        raise ExpressionError("indexed-repeat() needs a question and its repeat", call.position)
    number = _number(index.evaluate(context))
    entries = found[0]
    if not (number.is_integer() and 1 <= number <= len(entries)):
        return ""
    value = entries[int(number) - 1].get(question.name)
    return _from_python(value, f"${{{question.name}}}", call.position)


FUNCTIONS |= {
    "count": _Function(1, 1, _count),
    "sum": _Function(1, 1, _sum),
    "position": _Function(0, 0, _position),
    "indexed-repeat": _Function(3, 3, _indexed_repeat),
}


# Regular expressions --------------------------------------------------------

_BRACES = re.compile(r"\{([0-9]*)(,?)([0-9]*)\}")


def _compile_regex(pattern: str, position: int) -> re.Pattern[str]:
    if len(pattern) > MAX_REGEX_PATTERN:
        message = f"regular expression is longer than {MAX_REGEX_PATTERN} characters"
        raise ExpressionError(message, position)
    problem = _regex_problem(pattern)
    if problem:
        raise ExpressionError(f"regular expression refused: {problem}", position)
    try:
        return _cached_regex(pattern)
    except re.error as error:
        raise ExpressionError(f"invalid regular expression: {error.msg}", position) from None
    except Warning as warning:  # only raised when warnings are errors, as in tests
        raise ExpressionError(f"invalid regular expression: {warning}", position) from None


@lru_cache(maxsize=256)
def _cached_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


def _regex_problem(pattern: str) -> str | None:
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
                return f"groups nested more than {MAX_REGEX_GROUPS} deep"
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
                return "a repeated group contains an unbounded repetition, as in (a+)+"
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


# Parser ---------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, choice_filter: bool) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.nesting = 0
        self.choice_filter = choice_filter
        self.names: list[tuple[int, str, str]] = []  # (position, "ref" or "column", name)

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExpressionError("empty expression", 0)
        node = self.expression(0)
        token = self.peek()
        if token.kind != "end":
            raise _unexpected(token)
        return node

    def nested(self, parse: Callable[[], _Node], token: _Token) -> _Node:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExpressionError(_TOO_DEEP, token.position)
        try:
            return parse()
        finally:
            self.nesting -= 1

    def expression(self, min_level: int) -> _Node:
        left = self.unary()
        while True:
            token = self.peek()
            symbol = token.text
            is_operator = token.kind == "symbol" and symbol in _LEVELS
            is_operator |= token.kind == "name" and symbol in _OPERATOR_NAMES
            if not is_operator or _LEVELS[symbol] < min_level:
                return left
            level = _LEVELS[symbol]
            self.advance()
            right = self.nested(lambda level=level: self.expression(level + 1), token)
            if isinstance(left, _Chain) and left.level == level:
                left = left.extended(symbol, right)
            else:
                left = _Chain(token.position, left, [(symbol, right)])

    def unary(self) -> _Node:
        token = self.peek()
        if token.is_symbol("-"):
            self.advance()
            return _Negate(token.position, self.nested(self.unary, token))
        return self.primary()

    def primary(self) -> _Node:
        token = self.advance()
        if token.kind == "number":
            return _Literal(token.position, float(token.text))
        if token.kind == "string":
            return _Literal(token.position, token.text)
        if token.kind == "ref":
            self.names.append((token.position, "ref", token.text))
            return _Reference(token.position, token.text)
        if token.is_symbol("."):
            return _Current(token.position)
        if token.is_symbol("("):
            inner = self.nested(lambda: self.expression(0), token)
            closing = self.advance()
            if closing.kind == "end":
                raise ExpressionError("missing ')' to close '('", token.position)
            if not closing.is_symbol(")"):
                raise ExpressionError("expected ')' after expression", closing.position)
            return inner
        if token.kind == "name":
            return self.name(token)
        raise _unexpected(token)

    def name(self, token: _Token) -> _Node:
        if self.peek().is_symbol("("):
            return self.call(token)
        if token.text in FUNCTIONS:
            message = f"function {token.text!r} must be followed by '('"
            raise ExpressionError(message, token.position)
        if token.text in _OPERATOR_NAMES:
            raise _unexpected(token)
        if self.choice_filter:
            self.names.append((token.position, "column", token.text))
            return _Column(token.position, token.text)
        message = f"unexpected name {token.text!r}; refer to a question as ${{{token.text}}}"
        raise ExpressionError(message, token.position)

    def _parent_step(self) -> bool:
        """Whether ``..)`` follows (``position(..)``); consumes it if so."""
        start = self.index
        if self.peek().is_symbol("."):
            self.advance()
            if self.peek().is_symbol("."):
                self.advance()
                if self.peek().is_symbol(")"):
                    self.advance()
                    return True
        self.index = start
        return False

    def call(self, name: _Token) -> _Node:
        function = FUNCTIONS.get(name.text)
        if function is None:
            raise ExpressionError(f"unknown function {name.text!r}", name.position)
        opening = self.advance()
        args: list[_Node] = []
        if name.text == "position" and self._parent_step():
            pass  # position(..): the entry of the repeat around
        elif self.peek().is_symbol(")"):
            self.advance()
        else:
            while True:
                args.append(self.nested(lambda: self.expression(0), name))
                token = self.advance()
                if token.is_symbol(")"):
                    break
                if token.kind == "end":
                    message = f"missing ')' to close '{name.text}('"
                    raise ExpressionError(message, opening.position)
                if not token.is_symbol(","):
                    raise ExpressionError("expected ',' or ')' after argument", token.position)
        count = len(args)
        too_many = function.max_args is not None and count > function.max_args
        if count < function.min_args or too_many:
            expected = _describe_arity(function.min_args, function.max_args)
            message = f"{name.text}() takes {expected}, but {count} given"
            raise ExpressionError(message, name.position)
        if name.text == "regex" and isinstance(args[1], _Literal):
            _compile_regex(as_string(args[1].value), args[1].position)
        return _Call(name.position, name.text, function, args)


def _unexpected(token: _Token) -> ExpressionError:
    if token.kind == "end":
        return ExpressionError("unexpected end of expression", token.position)
    if token.kind == "string":
        return ExpressionError(f"unexpected string {token.text!r}", token.position)
    if token.kind == "ref":
        return ExpressionError(f"unexpected ${{{token.text}}}", token.position)
    return ExpressionError(f"unexpected {token.text!r}", token.position)


def _describe_arity(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low} argument{'s' * (low != 1)}"
    if low == high:
        return f"{low} argument{'s' * (low != 1)}" if low else "no arguments"
    return f"{low} to {high} arguments" if high - low > 1 else f"{low} or {high} arguments"


# Public API -----------------------------------------------------------------


class Expression:
    """A parsed expression: immutable, safe to keep and share between requests.

    ``references`` holds the question names it reads through ``${name}``;
    ``choice_columns`` the bare column names of a choice filter.
    """

    __slots__ = ("text", "references", "choice_columns", "_root", "_names")

    def __init__(self, text: str, root: _Node, names: list[tuple[int, str, str]]) -> None:
        self.text = text
        self._root = root
        self._names = tuple(names)
        self.references = frozenset(name for _, kind, name in names if kind == "ref")
        self.choice_columns = frozenset(name for _, kind, name in names if kind == "column")

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def outline(self) -> Outline:
        """The syntax tree as plain tuples, for tools that recognise the shape of an
        expression (the editor's skip-rule builder). Parentheses leave no trace.

        ``("literal", value)`` (a float or a str), ``("ref", name)``, ``("current",)``,
        ``("column", name)``, ``("negate", node)``, ``("call", name, (node, ...))`` and
        ``("chain", first, ((operator, node), ...))``: operators of one precedence level
        applied left to right (``or``; ``and``; ``=`` ``!=``; ``<`` ``<=`` ``>`` ``>=``;
        ``+`` ``-``; ``*`` ``div`` ``mod``).
        """
        return self._root.outline()

    def evaluate(
        self,
        values: Mapping[str, object],
        current: object = None,
        today: date | None = None,
        *,
        choice: Mapping[str, object] | None = None,
    ) -> Value:
        """The expression's value: bool, float, str or ``datetime.date``.

        ``values`` maps every referenced question name to its answer (None when
        unanswered); ``current`` is the value of ``.``; ``today`` the date
        ``today()`` returns (default: the local date); ``choice`` the row a
        choice filter tests. Raises ExpressionError, and nothing else, when a
        name has no value, a value has an unsupported type or a regex is bad.
        """
        if today is None:
            today = date.today()
        elif isinstance(today, datetime):
            today = today.date()
        return self._root.evaluate(_Context(values, current, today, choice))

    def is_true(
        self,
        values: Mapping[str, object],
        current: object = None,
        today: date | None = None,
        *,
        choice: Mapping[str, object] | None = None,
    ) -> bool:
        """XPath ``boolean()`` of :meth:`evaluate`, as ``relevant`` and ``constraint`` use it."""
        return _boolean(self.evaluate(values, current, today, choice=choice))


def parse(text: str, *, choice_filter: bool = False) -> Expression:
    """Parse ``text``; raise ExpressionError for anything outside the subset.

    ``choice_filter=True`` also accepts bare names, read from the choice row.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(text, choice_filter)
    return Expression(text, parser.parse(), parser.names)


def check(
    text: str,
    known_names: Collection[str],
    *,
    choice_columns: Collection[str] | None = None,
) -> Expression:
    """Parse ``text`` and refuse references to questions not in ``known_names``.

    With ``choice_columns`` the text is a choice filter, and its bare names
    must be among those columns. The first unknown name raises ExpressionError.
    """
    expression = parse(text, choice_filter=choice_columns is not None)
    for position, kind, name in expression._names:
        if kind == "ref" and name not in known_names:
            raise ExpressionError(f"unknown question ${{{name}}}", position)
        if kind == "column" and name not in (choice_columns or ()):
            raise ExpressionError(f"unknown choice column {name!r}", position)
    return expression
