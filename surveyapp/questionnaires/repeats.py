"""Repeat pages: a page whose questions are asked once per entry ("each youth programme
your municipality runs"), as XLSForm's ``begin repeat`` and ``begin loop over``.

``Page.repeat`` says how: {"kind": "repeat"} lets the respondent add and remove entries;
"count" (a number or an expression over the other answers) fixes their number; a loop
({"kind": "loop", "list": name}) has one entry per choice of the list, headed by the
choice's label (``%(label)s`` in its questions' labels is that label too, as pyxform does).

Rules inside an entry read the same entry's answers: :func:`entry_values` puts them over
the other answers, with the entry's number (``position(..)``) and every repeat's entries
(``count``, ``sum``, ``indexed-repeat``; ``surveyapp.questionnaires.expressions``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from surveyapp.core.safe_text import gettext as _
from surveyapp.models import Choice, Page, QuestionnaireVersion
from surveyapp.questionnaires import rules
from surveyapp.questionnaires.expressions import POSITION, REPEATS, ExpressionError
from surveyapp.questionnaires.question_types import TYPES
from surveyapp.questionnaires.texts import Texts

#: Most entries of one repeat (added by the respondent or asked by a repeat_count).
MAX_ENTRIES = 50
#: Entries per repeat as the rules read them: {repeat name: [{question: value}, ...]}.
Entries = dict[str, list[dict[str, Any]]]


def is_repeat(page: Page) -> bool:
    return bool(page.repeat)


def repeat_pages(version: QuestionnaireVersion) -> list[Page]:
    return [page for page in version.pages if page.repeat]


def is_fixed(page: Page) -> bool:
    """Whether the number of entries is set by the form (a loop, a repeat_count): the
    respondent neither adds nor removes entries."""
    repeat = page.repeat or {}
    return repeat.get("kind") == "loop" or bool(repeat.get("count"))


def loop_choices(page: Page) -> list[Choice]:
    """A loop's choices, one entry each; [] for a repeat."""
    repeat = page.repeat or {}
    if repeat.get("kind") != "loop":
        return []
    for choice_list in page.version.choice_lists:
        if choice_list.name == repeat.get("list"):
            return list(choice_list.distinct_choices)
    return []


def entry_count(page: Page, values: Mapping[str, object], kept: int) -> int:
    """How many entries the page has: a loop's choices, a repeat_count's value (0 when it
    is not a number), else the ``kept`` count of the respondent's entries (at least 1)."""
    repeat = page.repeat or {}
    if repeat.get("kind") == "loop":
        return len(loop_choices(page))
    count = repeat.get("count")
    if count:
        expression = rules.compiled(str(count))
        try:
            number = float(expression.evaluate(values)) if expression else math.nan
        except (ExpressionError, TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            return 0
        return int(max(0, min(MAX_ENTRIES, number)))
    return max(1, min(MAX_ENTRIES, kept))


def heading(page: Page, number: int, texts: Texts) -> str:
    """An entry's heading: the loop's choice label, else "Entry 2"."""
    choices = loop_choices(page)
    if 1 <= number <= len(choices):
        choice = choices[number - 1]
        return texts.choice_label((page.repeat or {}).get("list", ""), choice.value)
    return _("Entry %(number)d", number=number)


def entry_text(text: str, page: Page, number: int, texts: Texts) -> str:
    """A question's label inside an entry: a loop's ``%(label)s`` is the choice's label."""
    if "%(label)s" in text and loop_choices(page):
        return text.replace("%(label)s", heading(page, number, texts))
    return text


def with_entries(values: Mapping[str, object], entries: Entries) -> dict[str, object]:
    """``values`` with every repeat's entries, for ``count``, ``sum`` and ``indexed-repeat``."""
    return {**values, REPEATS: entries}


def entry_values(
    values: Mapping[str, object], entries: Entries, page: Page, number: int
) -> dict[str, object]:
    """What rules inside entry ``number`` of ``page`` read: the entry's answers over the
    others, its position and every repeat's entries, and the page's calculations worked
    out from them."""
    own = entries.get(page.name) or []
    entry = own[number - 1] if 1 <= number <= len(own) else {}
    names = {q.name: None for q in page.questions}
    inside = {**values, **names, **entry, POSITION: number, REPEATS: entries}
    for question in page.questions:  # the entry's own calculations, in order
        if TYPES[question.type].calculated and question.calculation:
            inside[question.name] = rules.calculate(question, inside)
    return inside
