"""The smallest and largest date a date question accepts.

A limit is stored as text: an ISO day ("2000-01-01") or "today", which is
resolved when an answer is checked (a form made yesterday still knows today).
An XLSForm constraint such as ``. <= today() and . >= date('2000-01-01')`` gives
the same limits (:func:`limits_from_constraint`); a constraint that says nothing
more than its limits is replaced by them, and exported again from them
(:func:`as_constraint`); any other constraint is kept and checked as well.
"""

from __future__ import annotations

import re
from datetime import date

TODAY = "today"

_DAY = r"date\(\s*['\"](\d{4}-\d{2}-\d{2})['\"]\s*\)|['\"](\d{4}-\d{2}-\d{2})['\"]"
_BOUND = rf"(?P<bound>today\(\s*\)|{_DAY})"
# ". <= X" and "X >= ." say the same; "<"/">" (strict) are left to the constraint.
_AT_MOST = [rf"^\.\s*<=\s*{_BOUND}$", rf"^{_BOUND}\s*>=\s*\.$"]
_AT_LEAST = [rf"^\.\s*>=\s*{_BOUND}$", rf"^{_BOUND}\s*<=\s*\.$"]


def parse_limit(text: str | None) -> str | None:
    """A limit as stored: None for empty, "today", or an ISO day; ValueError otherwise."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text == TODAY:
        return TODAY
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not a date limit: {text!r}")
    return date.fromisoformat(text).isoformat()


def resolve(limit: str | None, today: date | None = None) -> date | None:
    """The day a stored limit stands for (``today`` defaults to the local date)."""
    if limit is None:
        return None
    if limit == TODAY:
        return today or date.today()
    return date.fromisoformat(limit)


def in_order(smallest: str | None, largest: str | None) -> bool:
    """Whether the range can hold any day (checked against today for "today")."""
    low, high = resolve(smallest), resolve(largest)
    return low is None or high is None or low <= high


def _bound(match: re.Match) -> str:
    text = match.group("bound")
    if text.startswith("today"):
        return TODAY
    day = next(g for g in match.groups()[1:] if g)
    return date.fromisoformat(day).isoformat()


def limits_from_constraint(constraint: str | None) -> tuple[str | None, str | None, bool]:
    """(smallest, largest, whole) read from a date question's constraint: its parts
    joined by ``and`` that compare ``.`` with today() or a date (``<=``, ``>=``).
    ``whole`` says every part was such a limit, so the limits say all it says."""
    smallest = largest = None
    if not constraint or re.search(r"\bor\b", constraint):
        return None, None, False
    whole = True
    for part in re.split(r"\band\b", constraint.strip()):
        part = part.strip()
        while part.startswith("(") and part.endswith(")"):
            part = part[1:-1].strip()
        found = None
        for patterns, which in ((_AT_LEAST, "min"), (_AT_MOST, "max")):
            for pattern in patterns:
                match = re.match(pattern, part)
                if match:
                    try:
                        found = which, _bound(match)
                    except ValueError:
                        continue
        if found is None:
            whole = False
        elif found[0] == "min":
            smallest = found[1]
        else:
            largest = found[1]
    return smallest, largest, whole


def as_constraint(smallest: str | None, largest: str | None) -> str | None:
    """The XLSForm constraint that says the same as the limits (None without any)."""

    def bound(limit: str) -> str:
        return "today()" if limit == TODAY else f"date('{limit}')"

    parts = [f". >= {bound(smallest)}"] if smallest else []
    parts += [f". <= {bound(largest)}"] if largest else []
    return " and ".join(parts) or None
