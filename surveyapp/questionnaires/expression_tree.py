"""The expressions' tokens and syntax tree (:mod:`surveyapp.questionnaires.expressions`
parses the text into these nodes; evaluating a node walks its children).

Each node knows its position in the text (for messages), its depth (capped at
``MAX_DEPTH`` so that no input exhausts the stack), how to evaluate itself in a
:class:`~surveyapp.questionnaires.expression_values.Context`, and its outline as plain
tuples (what the live page's script and the tests read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from surveyapp.questionnaires.expression_values import ARITHMETIC as _ARITHMETIC
from surveyapp.questionnaires.expression_values import Context as _Context
from surveyapp.questionnaires.expression_values import ExpressionError, Value
from surveyapp.questionnaires.expression_values import Function as _Function
from surveyapp.questionnaires.expression_values import boolean as _boolean
from surveyapp.questionnaires.expression_values import compare as _compare
from surveyapp.questionnaires.expression_values import from_python as _from_python
from surveyapp.questionnaires.expression_values import number as _number

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
