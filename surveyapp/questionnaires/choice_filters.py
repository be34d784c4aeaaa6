"""``choice_filter``: the choices of a select that fit the answers given so far.

XLSForm's cascading selects (country, then municipality): a select_one or
select_multiple question with a ``choice_filter`` such as ``country = ${country}``
lists only the rows of its choice list for which the filter is true, a bare name
(``country``) reading that column of the row. Every row is tested, duplicates of
a name included (``allow_choice_duplicates``: the same name in two countries), and
a name is allowed when any of its rows is; the page shows it once.

"Other" (``or_other``) is always allowed, as ODK keeps it. A filter that cannot be
evaluated keeps the row (nothing a respondent chose is refused for the form's fault).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from surveyapp.models import Choice, Question
from surveyapp.questionnaires.expressions import Expression, ExpressionError, parse
from surveyapp.questionnaires.more_fields import OTHER
from surveyapp.questionnaires.other_choice import has_other

Values = dict[str, object]


@lru_cache(maxsize=1024)
def compiled_filter(text: str) -> Expression | None:
    """A choice filter parsed once per process; None when empty or unparseable."""
    try:
        return parse(text, choice_filter=True) if text.strip() else None
    except ExpressionError:
        return None


def expression_of(question: Question) -> Expression | None:
    """The question's filter, when it has one that applies (a list to filter)."""
    if not question.choice_filter or question.choice_list is None or not question.has_choices:
        return None
    return compiled_filter(question.choice_filter)


def row_of(choice: Choice) -> dict[str, object]:
    """A choice row as a filter reads it: its extra columns and its ``name``."""
    return {**(choice.extra or {}), "name": choice.value}


def _fits(expression: Expression, values, choice: Choice) -> bool:
    try:
        return expression.is_true(values, choice=row_of(choice))
    except ExpressionError:
        return True


def allowed_values(question: Question, values) -> dict[str, int] | None:
    """The choice names the question offers given ``values`` (every answer by name),
    each with its place in the list (that of its first row that fits, as ODK lists
    them); None when it has no filter (every choice)."""
    expression = expression_of(question)
    if expression is None or question.choice_list is None:  # expression_of checked it
        return None
    allowed: dict[str, int] = {}
    for place, choice in enumerate(question.choice_list.choices):
        if choice.value not in allowed and _fits(expression, values, choice):
            allowed[choice.value] = place
    if has_other(question):
        allowed[OTHER] = len(question.choice_list.choices)
    return allowed


def refused(question: Question, value: object, values) -> bool:
    """Whether an answer holds a choice the filter does not allow given ``values``."""
    if value in (None, "", []):
        return False
    allowed = allowed_values(question, values)
    if allowed is None:
        return False
    chosen = value if isinstance(value, list) else [value]
    return any(str(item) not in allowed for item in chosen)


def reads_names(question: Question, names: Iterable[str]) -> bool:
    """Whether the question's filter reads one of ``names`` (say, its page's questions)."""
    expression = expression_of(question)
    return bool(expression is not None and expression.references & set(names))
