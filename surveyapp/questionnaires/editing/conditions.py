"""Skip rules as a few conditions: what the editor's builder shows and the
``relevant`` expression it writes.

A :class:`Rule` is conditions joined by "all of" (``and``) or "any of" (``or``).
A :class:`Condition` asks something of the answer to an earlier question (a
:class:`Candidate`); what it may ask depends on the question type's
``condition_kind``:

========== ======================================================================
choice     is, is not, is any of (one code; several codes), answered, not answered
multiple   contains, does not contain (``selected()``), answered, not answered
number     =, ≠, <, ≤, >, ≥ a number; answered, not answered
date       the same comparisons with a day or today; answered, not answered
text       answered, not answered
========== ======================================================================

:func:`write` turns a rule into XLSForm text (``${q} = 'yes' and ${n} >= 18``),
refusing a condition it cannot write with a :class:`ConditionError`; :func:`read`
turns an expression back into a rule, or says (None) that the builder cannot show
it, in which case the editor shows the text as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from surveyapp.models import Page, Question
from surveyapp.questionnaires.editing.errors import EditError
from surveyapp.questionnaires.expressions import ExpressionError, Outline, as_string, parse
from surveyapp.questionnaires.question_types import type_of

ANSWERED, NOT_ANSWERED = "answered", "not_answered"
_PRESENCE = (ANSWERED, NOT_ANSWERED)
_COMPARISONS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_COMPARING = tuple(_COMPARISONS)

#: The operators a condition may use, by the question type's ``condition_kind``.
OPERATORS: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "any_of", *_PRESENCE),
    "multiple": ("contains", "not_contains", *_PRESENCE),
    "number": (*_COMPARING, *_PRESENCE),
    "date": (*_COMPARING, *_PRESENCE),
    "text": _PRESENCE,
}
#: The value a date condition compares with when it is "today" (``today()``).
TODAY = "today"
#: "all of" and "any of".
JOINS = ("and", "or")


class ConditionError(EditError):
    """A condition the builder cannot write; ``row`` is its number (from 1)."""

    def __init__(self, code: str, row: int = 0, detail: str = "") -> None:
        super().__init__(code, detail)
        self.row = row


@dataclass(frozen=True)
class Candidate:
    """An earlier question a skip rule may test."""

    name: str
    kind: str
    #: The codes of its answer options (choice kinds), in order.
    choices: tuple[str, ...] = ()
    question: Question | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Condition:
    question: str
    operator: str
    #: One code, number (as "12.5") or day ("2024-01-31" or "today"); several codes
    #: for "any_of"; none for answered / not answered.
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    join: str = "and"
    conditions: tuple[Condition, ...] = ()


def value_kind(kind: str, operator: str) -> str | None:
    """What a condition's value is: "choice" (one code), "choices" (several),
    "number", "date", or None (no value)."""
    if operator in _PRESENCE:
        return None
    if operator == "any_of":
        return "choices"
    if kind in ("choice", "multiple"):
        return "choice"
    return kind


def candidates(page: Page, before: Question | None = None) -> list[Candidate]:
    """The questions of ``page``'s version that a skip rule on ``page`` may test, in
    order: those before ``before`` (all of the page's when None, for a new question
    added at its end) whose answer a condition can test."""
    found = []
    for each_page in page.version.pages:
        for question in each_page.questions:
            if question is before or (before is not None and question.name == before.name):
                return found
            kind = type_of(question.type).condition_kind
            if kind is None:
                continue
            codes = ()
            if question.choice_list is not None and kind in ("choice", "multiple"):
                codes = tuple(c.value for c in question.choice_list.distinct_choices)
            found.append(Candidate(question.name, kind, codes, question))
        if each_page is page or each_page.name == page.name:
            return found
    return found


def by_name(found: Iterable[Candidate]) -> dict[str, Candidate]:
    return {candidate.name: candidate for candidate in found}


# --- writing ------------------------------------------------------------------------


def write(rule: Rule, known: Mapping[str, Candidate]) -> str:
    """The ``relevant`` expression of ``rule``; ConditionError names the first
    condition that cannot be written (an unknown question, an operator that does not
    fit it, a value that is not one of its options, not a number or not a day)."""
    if not rule.conditions:
        raise ConditionError("no_conditions")
    if rule.join not in JOINS:
        raise ConditionError("bad_join")
    parts = [_condition_text(c, known, row) for row, c in enumerate(rule.conditions, start=1)]
    if len(parts) == 1 and parts[0].startswith("("):
        return parts[0][1:-1]  # "is any of" alone needs no parentheses
    return f" {rule.join} ".join(parts)


def _condition_text(condition: Condition, known: Mapping[str, Candidate], row: int) -> str:
    candidate = known.get(condition.question)
    if candidate is None:
        raise ConditionError("condition_question", row, condition.question)
    if condition.operator not in OPERATORS[candidate.kind]:
        raise ConditionError("condition_operator", row, condition.operator)
    reference = "${" + candidate.name + "}"
    if condition.operator == ANSWERED:
        return f"{reference} != ''"
    if condition.operator == NOT_ANSWERED:
        return f"{reference} = ''"
    kind = value_kind(candidate.kind, condition.operator)
    if kind == "choices":
        codes = [_code(candidate, value, row) for value in dict.fromkeys(condition.values)]
        if not codes:
            raise ConditionError("condition_choices", row)
        if len(codes) == 1:
            return f"{reference} = {codes[0]}"
        return "(" + " or ".join(f"{reference} = {code}" for code in codes) + ")"
    if len(condition.values) != 1:
        raise ConditionError(f"condition_{kind}", row)
    value = condition.values[0]
    if kind == "choice":
        code = _code(candidate, value, row)
        return {
            "is": f"{reference} = {code}",
            "is_not": f"{reference} != {code}",
            "contains": f"selected({reference}, {code})",
            "not_contains": f"not(selected({reference}, {code}))",
        }[condition.operator]
    symbol = _COMPARISONS[condition.operator]
    if kind == "number":
        return f"{reference} {symbol} {number_text(value, row)}"
    day = day_text(value, row)
    return f"{reference} {symbol} " + ("today()" if day == TODAY else f"'{day}'")


def _code(candidate: Candidate, value: str, row: int) -> str:
    """A choice code as a quoted literal; it must be one of the question's."""
    if value not in candidate.choices:
        raise ConditionError("condition_choice", row, value)
    quote = "'" if "'" not in value else '"'
    if quote in value:
        raise ConditionError("condition_choice", row, value)
    return f"{quote}{value}{quote}"


_PLAIN_NUMBER = re.compile(r"-?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})")


def number_text(value: str, row: int = 0) -> str:
    """A number typed the local way ("3,5", "1 000", "-2") as the expression writes it."""
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ConditionError("condition_number", row, value) from None
    if not number.is_finite() or not _PLAIN_NUMBER.fullmatch(text):
        raise ConditionError("condition_number", row, value)
    return as_string(float(number))


def day_text(value: str, row: int = 0) -> str:
    """A day ("2024-01-31") or "today", as a condition keeps it."""
    text = (value or "").strip().lower()
    if text == TODAY:
        return TODAY
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ConditionError("condition_date", row, value) from None


# --- reading ------------------------------------------------------------------------


def read(text: str | None, known: Mapping[str, Candidate]) -> Rule | None:
    """The rule an expression says, as the builder would write it; an empty rule for no
    expression; None when the builder cannot show it (it refers to a later or unknown
    question, compares in a way the builder does not offer, or uses arithmetic or
    functions other than ``selected``, ``not`` and ``today``)."""
    if not (text or "").strip():
        return Rule()
    try:
        tree = parse(text or "").outline()
    except ExpressionError:
        return None
    whole = _any_of(tree, known)
    if whole is not None:
        return Rule("and", (whole,))
    join, parts = "and", [tree]
    if tree[0] == "chain" and tree[2][0][0] in JOINS:
        join = tree[2][0][0]
        parts = [tree[1], *(node for _symbol, node in tree[2])]
    conditions = []
    for part in parts:
        condition = _any_of(part, known) or _condition(part, known)
        if condition is None:
            return None
        conditions.append(condition)
    return Rule(join, tuple(conditions))


def _comparison(node: Outline) -> tuple[str, str, Outline] | None:
    """(question name, symbol, right-hand node) of ``${q} <symbol> <node>``."""
    if node[0] != "chain" or node[1][0] != "ref" or len(node[2]) != 1:
        return None
    symbol, right = node[2][0]
    if symbol not in _COMPARISONS.values():
        return None
    return node[1][1], symbol, right


def _any_of(node: Outline, known: Mapping[str, Candidate]) -> Condition | None:
    """``${q} = 'a' or ${q} = 'b'`` on one choice question."""
    if node[0] != "chain" or node[2][0][0] != "or":
        return None
    found = [_condition(part, known) for part in (node[1], *(n for _s, n in node[2]))]
    if any(c is None or c.operator != "is" for c in found):
        return None
    names = {c.question for c in found if c is not None}
    if len(names) != 1:
        return None
    values = tuple(dict.fromkeys(c.values[0] for c in found if c is not None))
    return Condition(names.pop(), "any_of", values)


def _literal_code(node: Outline, candidate: Candidate) -> str | None:
    if node[0] != "literal":
        return None
    code = as_string(node[1])
    return code if code in candidate.choices else None


def _condition(node: Outline, known: Mapping[str, Candidate]) -> Condition | None:
    if node[0] == "call":
        return _selected(node, known)
    compared = _comparison(node)
    if compared is None:
        return None
    name, symbol, right = compared
    candidate = known.get(name)
    if candidate is None:
        return None
    if right == ("literal", "") and symbol in ("=", "!="):
        return Condition(name, NOT_ANSWERED if symbol == "=" else ANSWERED)
    operator = next(op for op, s in _COMPARISONS.items() if s == symbol)
    if candidate.kind == "choice" and symbol in ("=", "!="):
        code = _literal_code(right, candidate)
        if code is None:
            return None
        return Condition(name, "is" if symbol == "=" else "is_not", (code,))
    if candidate.kind == "number":
        number = _number_of(right)
        return None if number is None else Condition(name, operator, (number,))
    if candidate.kind == "date":
        if right == ("call", "today", ()):
            return Condition(name, operator, (TODAY,))
        if right[0] == "call" and right[1] == "date":  # date('2024-01-31'), as XLSForms say it
            right = right[2][0]
        if right[0] == "literal" and isinstance(right[1], str) and right[1] != TODAY:
            try:
                return Condition(name, operator, (day_text(right[1]),))
            except ConditionError:
                return None
    return None


def _number_of(node: Outline) -> str | None:
    negative = node[0] == "negate"
    if negative:
        node = node[1]
    if node[0] != "literal" or not isinstance(node[1], float):
        return None
    return as_string(-node[1] if negative else node[1])


def _selected(node: Outline, known: Mapping[str, Candidate]) -> Condition | None:
    """``selected(${q}, 'a')`` and ``not(selected(${q}, 'a'))``."""
    negated = node[1] == "not" and len(node[2]) == 1 and node[2][0][0] == "call"
    call = node[2][0] if negated else node
    if call[1] != "selected" or call[2][0][0] != "ref":
        return None
    candidate = known.get(call[2][0][1])
    if candidate is None or candidate.kind not in ("choice", "multiple"):
        return None
    code = _literal_code(call[2][1], candidate)
    if code is None:
        return None
    if candidate.kind == "multiple":
        operator = "not_contains" if negated else "contains"
    else:
        operator = "is_not" if negated else "is"
    return Condition(candidate.name, operator, (code,))
