"""The skip-rule builder of the question form: its condition rows as the browser
sends them, what the template draws for them, and the expression they make.

Works without JavaScript: "Add condition", "Remove" and a row whose question
or kind of value changed send the form and draw it again, saving nothing. The
rows are named ``condition-<n>-question``, ``-operator``, ``-value`` (one value)
or ``-values`` (several) and ``-drawn`` (the question and kind of value the row
was drawn for, so that a change made without a new drawing is noticed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.models import Page
from surveyapp.questionnaires import text_keys
from surveyapp.questionnaires.editing import conditions
from surveyapp.questionnaires.editing.conditions import Candidate, Condition, ConditionError, Rule
from surveyapp.questionnaires.texts import Texts

#: The most conditions one rule may have (the builder offers no more).
MAX_CONDITIONS = 12

OPERATOR_LABELS = {
    "is": _l("is"),
    "is_not": _l("is not"),
    "any_of": _l("is any of"),
    # I18N: a multiple-choice answer contains (has ticked) an option
    "contains": _l("contains"),
    "not_contains": _l("does not contain"),
    "eq": "=",
    "ne": "≠",
    "lt": "<",
    "le": "≤",
    "gt": ">",
    "ge": "≥",
    "answered": _l("is answered"),
    "not_answered": _l("is not answered"),
}

CONDITION_ERRORS = {
    "no_conditions": _l("Add at least one condition, or choose “Always”."),
    "bad_join": _l("Please choose whether all conditions or at least one must be met."),
    "condition_question": _l("Condition %(number)d: please choose one of the earlier questions."),
    "condition_operator": _l(
        "Condition %(number)d: please choose a comparison offered for this question."
    ),
    "condition_choice": _l("Condition %(number)d: please choose one of the question's answers."),
    "condition_choices": _l(
        "Condition %(number)d: please tick at least one of the question's answers."
    ),
    "condition_number": _l("Condition %(number)d: please write a number, for example 12 or 3,5."),
    "condition_date": _l(
        "Condition %(number)d: please write a date such as 2024-01-31, or “today”."
    ),
}


def condition_error_text(error: ConditionError) -> str:
    return str(CONDITION_ERRORS.get(error.code, error.code)) % {"number": error.row}


@dataclass
class Row:
    """One condition as the form holds it."""

    question: str = ""
    operator: str = ""
    values: list[str] = field(default_factory=list)
    #: "question|kind of value" it was drawn for ("" for a row not drawn yet).
    drawn: str = ""
    error: str = ""
    #: Drawn again for another question or kind of value: check before saving.
    redrawn: bool = False

    def condition(self) -> Condition:
        return Condition(self.question, self.operator, tuple(v for v in self.values if v))


@dataclass
class Builder:
    """The skip-rule part of the question form."""

    candidates: list[Candidate]
    rows: list[Row] = field(default_factory=list)
    #: Why an existing expression is shown as text rather than as conditions.
    unreadable: bool = False

    @property
    def known(self) -> dict[str, Candidate]:
        return conditions.by_name(self.candidates)

    def kind_of(self, row: Row) -> str | None:
        candidate = self.known.get(row.question)
        return conditions.value_kind(candidate.kind, row.operator) if candidate else None

    def key(self, row: Row) -> str:
        return f"{row.question}|{self.kind_of(row) or ''}"

    def operators(self, row: Row) -> list[str]:
        candidate = self.known.get(row.question)
        return list(conditions.OPERATORS[candidate.kind]) if candidate else []

    def choices(self, row: Row) -> tuple[str, ...]:
        candidate = self.known.get(row.question)
        return candidate.choices if candidate else ()

    def rule(self, join: str) -> Rule:
        return Rule(join, tuple(row.condition() for row in self.rows))

    def settle(self) -> None:
        """Fit every row's operator and values to its question, as it will be drawn."""
        for row in self.rows:
            drawn_kind = row.drawn.partition("|")[2] if row.drawn else None
            operators = self.operators(row)
            if operators and row.operator not in operators:
                row.operator = operators[0]
            kind = self.kind_of(row)
            # A question that is not an earlier one is refused when saving, not drawn again.
            if row.drawn and self.key(row) != row.drawn and row.question in self.known:
                row.redrawn = True
                if not {drawn_kind, kind} <= {"choice", "choices"}:
                    row.values = []
                elif kind == "choice":
                    row.values = row.values[:1]
            row.drawn = self.key(row)

    def written(self, join: str) -> str | None:
        """The expression the rows write, or None when they cannot write one yet."""
        try:
            return conditions.write(self.rule(join), self.known)
        except ConditionError:
            return None

    def write(self, join: str) -> str:
        """The expression of the rows; a ConditionError also marks the row at fault."""
        try:
            return conditions.write(self.rule(join), self.known)
        except ConditionError as error:
            if 1 <= error.row <= len(self.rows):
                self.rows[error.row - 1].error = condition_error_text(error)
            raise


def from_expression(text: str | None, candidates: list[Candidate]) -> tuple[Builder, str, str]:
    """The builder for a stored expression, the way the form starts giving the rule
    ("always", "builder" or "expression") and how its conditions join ("and", "or")."""
    rule = conditions.read(text, conditions.by_name(candidates))
    if rule is None:
        return Builder(candidates, unreadable=True), "expression", "and"
    builder = Builder(
        candidates, [Row(c.question, c.operator, list(c.values)) for c in rule.conditions]
    )
    builder.settle()
    return builder, ("builder" if rule.conditions else "always"), rule.join


_ROW = re.compile(r"condition-(\d{1,3})-question")


def from_request(formdata: MultiDict, candidates: list[Candidate]) -> Builder:
    """The rows as the browser sent them, in order (at most MAX_CONDITIONS)."""
    numbers = sorted({int(m.group(1)) for key in formdata if (m := _ROW.fullmatch(key))})
    rows = []
    for number in numbers[:MAX_CONDITIONS]:
        prefix = f"condition-{number}-"
        drawn = formdata.get(prefix + "drawn", "")
        several = drawn.endswith("|choices")
        values = formdata.getlist(prefix + ("values" if several else "value"))
        rows.append(
            Row(
                question=formdata.get(prefix + "question", ""),
                operator=formdata.get(prefix + "operator", ""),
                values=[v.strip() for v in values][: 1 if not several else None],
                drawn=drawn,
            )
        )
    return Builder(candidates, rows)


def apply_action(builder: Builder, action: str, new_question: str | None) -> bool:
    """Add or remove a row for ``action`` ("add_condition", "remove:<n>"); whether it
    was one of those (the form is then drawn again, nothing saved)."""
    if action == "add_condition":
        if new_question in builder.known and len(builder.rows) < MAX_CONDITIONS:
            builder.rows.append(Row(question=new_question or ""))
        return True
    if action.startswith("remove:"):
        index = action[len("remove:") :]
        if index.isdigit() and int(index) < len(builder.rows):
            del builder.rows[int(index)]
        return True
    return False


# --- what the template shows -----------------------------------------------------------


def question_choices(page: Page, candidates: list[Candidate], texts: Texts) -> dict:
    """The earlier questions for a select, grouped by page (WTForms optgroups)."""
    numbers = {each.name: number for number, each in enumerate(page.version.pages, start=1)}
    groups: dict[str, list[SelectChoice]] = {}
    for candidate in candidates:
        question = candidate.question
        if question is None:
            continue
        page_label = str(
            _l(
                "Page %(number)d: %(title)s",
                number=numbers.get(question.page.name, 0),
                title=texts.page_title(question.page),
            )
        )
        groups.setdefault(page_label, []).append(
            SelectChoice(candidate.name, short_label(texts.label(question), candidate.name))
        )
    return groups


def short_label(label: str, name: str, limit: int = 70) -> str:
    """A question's text cut to fit a select, with its short name."""
    text = " ".join(label.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return f"{text} ({name})" if text else name


def choice_labels(builder: Builder, texts: Texts) -> Mapping[str, Mapping[str, str]]:
    """Question name -> choice code -> its label in ``texts``' language."""
    labels: dict[str, dict[str, str]] = {}
    for candidate in builder.candidates:
        question = candidate.question
        if question is None or question.choice_list is None:
            continue
        list_name = question.choice_list.name
        labels[candidate.name] = {
            code: texts.get(text_keys.choice_label(list_name, code)) or code
            for code in candidate.choices
        }
    return labels
