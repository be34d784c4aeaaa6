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
  :mod:`surveyapp.questionnaires.expression_functions` (the repeats' in
  :mod:`surveyapp.questionnaires.expression_repeats`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.expression_functions import (
    CHOICE_NAME_REFERENCE,
    FUNCTIONS,
    MAX_REGEX_GROUPS,
    MAX_REGEX_INPUT,
    MAX_REGEX_PATTERN,
    _compile_regex,
)
from surveyapp.questionnaires.expression_repeats import POSITION, REPEATS
from surveyapp.questionnaires.expression_tree import (
    _CURLY_QUOTES,
    _LEVELS,
    _OPERATOR_NAMES,
    _TOO_DEEP,
    MAX_DEPTH,
    MAX_LENGTH,
    Outline,
    _arity_message,
    _Call,
    _Chain,
    _Column,
    _Current,
    _Literal,
    _Negate,
    _Node,
    _Reference,
    _Token,
    _tokenize,
    _unexpected,
)
from surveyapp.questionnaires.expression_values import Context as _Context
from surveyapp.questionnaires.expression_values import ExpressionError, Value, as_string
from surveyapp.questionnaires.expression_values import boolean as _boolean

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "POSITION",
    "REPEATS",
    "Outline",
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
            raise ExpressionError(_l("empty expression"), 0)
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
                raise ExpressionError(_l("missing ')' to close '('"), token.position)
            if not closing.is_symbol(")"):
                raise ExpressionError(_l("expected ')' after expression"), closing.position)
            return inner
        if token.kind == "name":
            return self.name(token)
        raise _unexpected(token)

    def name(self, token: _Token) -> _Node:
        if self.peek().is_symbol("("):
            return self.call(token)
        if token.text in FUNCTIONS:
            message = _l("function %(name)s must be followed by '('", name=repr(token.text))
            raise ExpressionError(message, token.position)
        if token.text in _OPERATOR_NAMES:
            raise _unexpected(token)
        if self.choice_filter:
            self.names.append((token.position, "column", token.text))
            return _Column(token.position, token.text)
        message = _l(
            "unexpected name %(name)s; refer to a question as %(reference)s",
            name=repr(token.text),
            reference=f"${{{token.text}}}",
        )
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
            message = _l("unknown function %(name)s", name=repr(name.text))
            raise ExpressionError(message, name.position)
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
                    message = _l("missing ')' to close '%(name)s('", name=name.text)
                    raise ExpressionError(message, opening.position)
                if not token.is_symbol(","):
                    message = _l("expected ',' or ')' after argument")
                    raise ExpressionError(message, token.position)
        count = len(args)
        too_many = function.max_args is not None and count > function.max_args
        if count < function.min_args or too_many:
            message = _arity_message(name.text, function.min_args, function.max_args, count)
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
            message = _l("jr:choice-name() takes the question as a quoted '${name}'")
            raise ExpressionError(message, node.position)
        self.names.append((node.position, "ref", found.group(1)))


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
        message = _l("expression is longer than %(max)d characters", max=MAX_LENGTH)
        raise ExpressionError(message, MAX_LENGTH)
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
            message = _l("unknown question %(reference)s", reference=f"${{{name}}}")
            raise ExpressionError(message, position)
    return expression


def unknown_columns(expression: Expression, choice_columns: Collection[str]) -> list[str]:
    """The bare names of a choice filter that are no column of the choices, in order."""
    found = [name for _, kind, name in expression._names if kind == "column"]
    return [name for name in dict.fromkeys(found) if name not in choice_columns]
