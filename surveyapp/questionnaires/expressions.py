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
- ``now()`` is ``today()``: expressions have no date-times.
- ``jr:choice-name(value, '${q}')`` needs the labels passed to ``evaluate``
  (in the respondent's language); without them, or for a value that is not one
  of ``${q}``'s choices, it is the empty string.
- ``pow()``, ``exp()``, ``exp10()``, ``log()``, ``log10()``, ``sqrt()`` and the
  trigonometric functions follow JavaScript's ``Math`` (NaN outside the domain,
  no error) and are rounded to 15 significant digits, so that the browser's
  and the server's mathematical libraries give the same result.
- ``substr(text, start, end)`` counts code points from 0 and clamps both
  bounds into the text; ``format-date()`` knows ``%Y %y %m %n %d %e``.
- Curly quotes (‘ ’ “ ”) around strings count as straight ones.
- Repeats (``surveyapp.questionnaires.repeats``): ``values`` may hold the entries of
  the form's repeats under ``REPEATS`` ({repeat name: [{question: value}, ...]}) and,
  inside an entry, its number under ``POSITION``; ``${q}`` then reads the same entry's
  answer. ``count(${repeat})`` and ``count(${q})`` are the repeat's number of entries,
  ``sum(${q})`` adds a repeat question's answers over the entries (unanswered ones count
  as 0, where ODK gives NaN), ``position(..)`` is the entry's number (an error outside
  a repeat) and ``indexed-repeat(${q}, ${repeat}, n)`` reads entry n (empty past the
  last). Applied to anything else, ``count`` is 1 and ``sum`` is ``number()``.
- Not supported: paths (``/data/x``, ``../x``, but ``position(..)``), predicates,
  ``|``, other ``jr:`` functions and other ODK functions; they fail to parse with a
  message naming them. The functions are in
  :mod:`surveyapp.questionnaires.expression_functions` (the repeats' here, below).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from surveyapp.questionnaires.expression_functions import (
    CHOICE_NAME_REFERENCE,
    FUNCTIONS,
    MAX_REGEX_GROUPS,
    MAX_REGEX_INPUT,
    MAX_REGEX_PATTERN,
    _compile_regex,
)
from surveyapp.questionnaires.expression_values import ARITHMETIC as _ARITHMETIC
from surveyapp.questionnaires.expression_values import Context as _Context
from surveyapp.questionnaires.expression_values import ExpressionError, Value, as_string
from surveyapp.questionnaires.expression_values import Function as _Function
from surveyapp.questionnaires.expression_values import boolean as _boolean
from surveyapp.questionnaires.expression_values import compare as _compare
from surveyapp.questionnaires.expression_values import from_python as _from_python
from surveyapp.questionnaires.expression_values import number as _number

__all__ = [
    "FUNCTIONS",
    "MAX_REGEX_GROUPS",
    "MAX_REGEX_INPUT",
    "MAX_REGEX_PATTERN",
    "Expression",
    "ExpressionError",
    "Value",
    "as_string",
    "check",
    "parse",
    "straighten_quotes",
]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 2000
#: Deepest nesting of operators, parentheses and calls, so no input exhausts the stack.
MAX_DEPTH = 50

#: An expression's syntax tree as plain tuples (``Expression.outline``).
Outline = tuple
_TOO_DEEP = f"expression is nested too deeply (more than {MAX_DEPTH} levels)"


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


# Syntax tree ----------------------------------------------------------------


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
        # A name that is no column of the choice is an empty node-set in XPath: "".
        return _from_python(context.choice.get(self.name, ""), what, self.position)

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
        if name.text == "jr:choice-name":
            self.choice_name_reference(args[1])
        return _Call(name.position, name.text, function, args)

    def choice_name_reference(self, node: _Node) -> None:
        """``jr:choice-name``'s second argument names its question as ``'${name}'``."""
        text = node.value if isinstance(node, _Literal) else None
        found = CHOICE_NAME_REFERENCE.fullmatch(text.strip()) if isinstance(text, str) else None
        if found is None:
            message = "jr:choice-name() takes the question as a quoted '${name}'"
            raise ExpressionError(message, node.position)
        self.names.append((node.position, "ref", found.group(1)))


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
        labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> Value:
        """The expression's value: bool, float, str or ``datetime.date``.

        ``values`` maps every referenced question name to its answer (None when
        unanswered); ``current`` is the value of ``.``; ``today`` the date
        ``today()`` returns (default: the local date); ``choice`` the row a
        choice filter tests; ``labels`` the choice labels in the respondent's language
        by question and choice name, for ``jr:choice-name``. Raises ExpressionError,
        and nothing else, when a name has no value, a value has an unsupported type or
        a regex is bad.
        """
        if today is None:
            today = date.today()
        elif isinstance(today, datetime):
            today = today.date()
        return self._root.evaluate(_Context(values, current, today, choice, labels or {}))

    def is_true(
        self,
        values: Mapping[str, object],
        current: object = None,
        today: date | None = None,
        *,
        choice: Mapping[str, object] | None = None,
        labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> bool:
        """XPath ``boolean()`` of :meth:`evaluate`, as ``relevant`` and ``constraint`` use it."""
        return _boolean(self.evaluate(values, current, today, choice=choice, labels=labels))


_CURLY = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b", "'") | dict.fromkeys("\u201c\u201d\u201e\u201f", '"')
)


def straighten_quotes(text: str) -> str:
    """``text`` with the curly quotes (‘ ’ “ ” ...) that word processors put around
    strings made straight, outside straight-quoted strings (``'it’s'`` is kept)."""
    if not any(char in _CURLY_QUOTES for char in text):
        return text
    out, quote, curly = [], None, False  # the open string's quote; was it curly?
    for char in text:
        straight = char.translate(_CURLY)
        if quote is None and straight in "'\"":
            quote, curly, char = straight, char != straight, straight
        elif quote is not None and straight == quote and (curly or char == quote):
            quote, char = None, straight
        out.append(char)
    return "".join(out)


def parse(text: str, *, choice_filter: bool = False) -> Expression:
    """Parse ``text``; raise ExpressionError for anything outside the subset.

    ``choice_filter=True`` also accepts bare names, read from the choice row.
    Curly quotes outside strings count as straight ones (:func:`straighten_quotes`).
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(straighten_quotes(text), choice_filter)
    return Expression(text, parser.parse(), parser.names)


def check(
    text: str,
    known_names: Collection[str],
    *,
    choice_columns: Collection[str] | None = None,
) -> Expression:
    """Parse ``text`` and refuse references to questions not in ``known_names``.

    With ``choice_columns`` the text is a choice filter. Its bare names need not
    be among those columns: as in ODK, a name that is no column reads as the empty
    string (``unknown_columns`` lists them, for the importer to warn). The first
    unknown question raises ExpressionError.
    """
    expression = parse(text, choice_filter=choice_columns is not None)
    for position, kind, name in expression._names:
        if kind == "ref" and name not in known_names:
            raise ExpressionError(f"unknown question ${{{name}}}", position)
    return expression


def unknown_columns(expression: Expression, choice_columns: Collection[str]) -> list[str]:
    """The bare names of a choice filter that are no column of the choices, in order."""
    found = [name for _, kind, name in expression._names if kind == "column"]
    return [name for name in dict.fromkeys(found) if name not in choice_columns]
