"""The repeats' functions of the expressions: ``count``, ``sum``, ``position`` and
``indexed-repeat`` (registered in ``FUNCTIONS`` on import; see the rules in
:mod:`surveyapp.questionnaires.expressions`). ``surveyapp.questionnaires.repeats``
fills ``REPEATS`` and ``POSITION`` in the values an expression is evaluated with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.questionnaires.expression_functions import FUNCTIONS
from surveyapp.questionnaires.expression_tree import _Call, _Node, _Reference
from surveyapp.questionnaires.expression_values import Context as _Context
from surveyapp.questionnaires.expression_values import ExpressionError, Value, as_string
from surveyapp.questionnaires.expression_values import Function as _Function
from surveyapp.questionnaires.expression_values import from_python as _from_python
from surveyapp.questionnaires.expression_values import number as _number

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
    what = cast(_Reference, call.args[0]).code  # ${name}, as _entries_of found it
    total = 0.0
    for entry in entries:
        value = _from_python(entry.get(name), what, call.position)
        if as_string(value) != "":
            total += _number(value)
    return total


def _position(context: _Context, call: _Call) -> float:
    position = context.values.get(POSITION)
    if not isinstance(position, int):
        message = _l("position() is only known inside a repeat")
        raise ExpressionError(message, call.position)
    return float(position)


def _indexed_repeat(context: _Context, call: _Call) -> Value:
    question, repeat, index = call.args
    found = _entries_of(context, repeat)
    if found is None or found[1] is not None or not isinstance(question, _Reference):
        message = _l("indexed-repeat() needs a question and its repeat")
        raise ExpressionError(message, call.position)
    number = _number(index.evaluate(context))
    entries = found[0]
    if not (number.is_integer() and 1 <= number <= len(entries)):
        return ""
    value = entries[int(number) - 1].get(question.name)
    return _from_python(value, question.code, call.position)


FUNCTIONS |= {
    "count": _Function(1, 1, _count),
    "sum": _Function(1, 1, _sum),
    "position": _Function(0, 0, _position),
    "indexed-repeat": _Function(3, 3, _indexed_repeat),
}
