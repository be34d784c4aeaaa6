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

from surveyapp.core.safe_text import EscapingLazyString, lazy_ngettext
from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.expression_values import ARITHMETIC as _ARITHMETIC
from surveyapp.questionnaires.expression_values import CURRENT_QUESTION as _CURRENT_QUESTION
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
_TOO_DEEP = _l("expression is nested too deeply (more than %(levels)d levels)", levels=MAX_DEPTH)


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
                raise ExpressionError(_l("unterminated string; add the closing quote"), i)
            tokens.append(_Token("string", text[i + 1 : close], i))
            i = close + 1
        elif char in _CURLY_QUOTES:
            message = _l("curly quote %(quote)s found; use straight quotes ' or \"", quote=char)
            raise ExpressionError(message, i)
        elif match := _NUMBER.match(text, i) or _NAME.match(text, i):
            kind = "number" if match.re is _NUMBER else "name"
            tokens.append(_Token(kind, match.group(), i))
            i = match.end()
        elif char == "/":
            message = _l("paths are not supported; refer to a question as ${name}")
            raise ExpressionError(message, i)
        elif text.startswith("==", i):
            raise ExpressionError(_l("'==' is not an operator; compare with '='"), i)
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                message = _l("unexpected character %(char)s", char=repr(char))
                raise ExpressionError(message, i)
            tokens.append(_Token("symbol", symbol, i))
            i += len(symbol)
    tokens.append(_Token("end", "", end))
    return tokens


def _reference_token(text: str, start: int) -> _Token:
    """The ``${name}`` at ``start``; the token's text is the bare name."""
    if not text.startswith("${", start):
        message = _l("'$' must start a question reference such as ${name}")
        raise ExpressionError(message, start)
    match = _QUESTION_NAME.match(text, start + 2)
    stop = match.end() if match else start + 2
    if stop >= len(text):
        message = _l("unterminated question reference; add the closing '}'")
        raise ExpressionError(message, start)
    if text[stop] != "}":
        message = _l("unexpected character %(char)s in question reference", char=repr(text[stop]))
        raise ExpressionError(message, stop)
    if stop == start + 2:
        raise ExpressionError(_l("empty question name in '${}'"), start)
    return _Token("ref", text[start + 2 : stop], start)


# Messages -------------------------------------------------------------------


def _unexpected(token: _Token) -> ExpressionError:
    if token.kind == "end":
        return ExpressionError(_l("unexpected end of expression"), token.position)
    if token.kind == "string":
        message = _l("unexpected string %(text)s", text=repr(token.text))
    elif token.kind == "ref":
        message = _l("unexpected %(token)s", token=f"${{{token.text}}}")
    else:
        message = _l("unexpected %(token)s", token=repr(token.text))
    return ExpressionError(message, token.position)


def _arity_message(name: str, low: int, high: int | None, count: int) -> EscapingLazyString:
    """``name() takes 2 arguments, but 1 given``, in the reader's language (English says
    "arguments" after "0 or 1"; other languages choose their plural by the larger number)."""
    if high == 0:
        return _l("%(name)s() takes no arguments, but %(count)d given", name=name, count=count)
    if high is None:
        return lazy_ngettext(
            "%(name)s() takes at least %(num)d argument, but %(count)d given",
            "%(name)s() takes at least %(num)d arguments, but %(count)d given",
            low,
            name=name,
            count=count,
        )
    if low == high:
        return lazy_ngettext(
            "%(name)s() takes %(num)d argument, but %(count)d given",
            "%(name)s() takes %(num)d arguments, but %(count)d given",
            high,
            name=name,
            count=count,
        )
    if high - low > 1:
        return lazy_ngettext(
            "%(name)s() takes %(low)d to %(num)d arguments, but %(count)d given",
            "%(name)s() takes %(low)d to %(num)d arguments, but %(count)d given",
            high,
            name=name,
            low=low,
            count=count,
        )
    return lazy_ngettext(
        "%(name)s() takes %(low)d or %(num)d arguments, but %(count)d given",
        "%(name)s() takes %(low)d or %(num)d arguments, but %(count)d given",
        high,
        name=name,
        low=low,
        count=count,
    )


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
        return _from_python(context.current, _CURRENT_QUESTION, self.position)

    def outline(self) -> Outline:
        return ("current",)


class _Reference(_Node):
    __slots__ = ("name", "code")

    def __init__(self, position: int, name: str) -> None:
        super().__init__(position)
        self.name = name
        #: ``${name}``, as messages show it (made once here, not per evaluation).
        self.code = f"${{{name}}}"

    def evaluate(self, context: _Context) -> Value:
        try:
            value = context.values[self.name]
        except KeyError:
            message = _l("no value given for %(reference)s", reference=self.code)
            raise ExpressionError(message, self.position) from None
        return _from_python(value, self.code, self.position)

    def outline(self) -> Outline:
        return ("ref", self.name)


class _Column(_Node):
    __slots__ = ("name", "what")

    def __init__(self, position: int, name: str) -> None:
        super().__init__(position)
        self.name = name
        #: How messages name the column (made once here, translated only when shown).
        self.what = _l("choice column %(name)s", name=repr(name))

    def evaluate(self, context: _Context) -> Value:
        if context.choice is None:
            message = _l("%(what)s needs a choice to filter", what=self.what)
            raise ExpressionError(message, self.position)
        # A name that is no column of the choice is an empty node-set in XPath: "".
        return _from_python(context.choice.get(self.name, ""), self.what, self.position)

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
