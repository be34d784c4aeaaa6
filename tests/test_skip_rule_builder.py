"""The skip-rule builder's conditions and the ``relevant`` expressions they write:
rule → expression → rule round trips, expressions the builder can and cannot show,
and conditions it refuses (with nothing written)."""

from __future__ import annotations

from datetime import date

import pytest

from surveyapp.questionnaires.editing import conditions
from surveyapp.questionnaires.editing.conditions import (
    Candidate,
    Condition,
    ConditionError,
    Rule,
    read,
    write,
)
from surveyapp.questionnaires.expressions import check

KNOWN = conditions.by_name(
    [
        Candidate("council", "choice", ("yes", "no", "dk")),
        Candidate("level", "choice", ("1", "2", "3")),
        Candidate("support", "multiple", ("training", "funding", "exchange")),
        Candidate("staff", "number"),
        Candidate("adopted", "date"),
        Candidate("comments", "text"),
    ]
)

ROUND_TRIPS = [
    (Rule("and", (Condition("council", "is", ("yes",)),)), "${council} = 'yes'"),
    (Rule("and", (Condition("council", "is_not", ("no",)),)), "${council} != 'no'"),
    (
        Rule("and", (Condition("council", "any_of", ("yes", "dk")),)),
        "${council} = 'yes' or ${council} = 'dk'",
    ),
    (Rule("and", (Condition("level", "is", ("2",)),)), "${level} = '2'"),
    (Rule("and", (Condition("support", "contains", ("funding",)),)),
     "selected(${support}, 'funding')"),
    (Rule("and", (Condition("support", "not_contains", ("training",)),)),
     "not(selected(${support}, 'training'))"),
    (Rule("and", (Condition("staff", "ge", ("3.5",)),)), "${staff} >= 3.5"),
    (Rule("and", (Condition("staff", "lt", ("-2",)),)), "${staff} < -2"),
    (Rule("and", (Condition("staff", "ne", ("0",)),)), "${staff} != 0"),
    (Rule("and", (Condition("adopted", "le", ("2020-12-31",)),)), "${adopted} <= '2020-12-31'"),
    (Rule("and", (Condition("adopted", "gt", ("today",)),)), "${adopted} > today()"),
    (Rule("and", (Condition("comments", "answered"),)), "${comments} != ''"),
    (Rule("and", (Condition("staff", "not_answered"),)), "${staff} = ''"),
    (
        Rule(
            "and",
            (
                Condition("council", "any_of", ("yes", "dk")),
                Condition("staff", "gt", ("10",)),
                Condition("support", "contains", ("exchange",)),
            ),
        ),
        "(${council} = 'yes' or ${council} = 'dk') and ${staff} > 10"
        " and selected(${support}, 'exchange')",
    ),
    (
        Rule("or", (Condition("council", "is", ("no",)), Condition("adopted", "not_answered"))),
        "${council} = 'no' or ${adopted} = ''",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text"), ROUND_TRIPS)
def test_a_rule_writes_its_expression_and_reads_back_the_same(rule, text):
    assert write(rule, KNOWN) == text
    check(text, set(KNOWN))  # the editor's parser takes it
    assert read(text, KNOWN) == rule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Written by hand or imported: shown in the builder, and written back tidily.
        ("${council}='yes'", Rule("and", (Condition("council", "is", ("yes",)),))),
        ("(${council} = 'yes')", Rule("and", (Condition("council", "is", ("yes",)),))),
        ('selected(${council}, "dk")', Rule("and", (Condition("council", "is", ("dk",)),))),
        ("${level} = 3", Rule("and", (Condition("level", "is", ("3",)),))),
        ("${staff} >= 5.0", Rule("and", (Condition("staff", "ge", ("5",)),))),
        (
            "${adopted} < date('2019-06-01')",
            Rule("and", (Condition("adopted", "lt", ("2019-06-01",)),)),
        ),
        (
            "${council} = 'yes' and (${staff} = '' or ${staff} < 3)",
            None,  # "or" inside "and" on a number: not a condition the builder has
        ),
    ],
)
def test_expressions_the_builder_can_show(text, rule):
    assert read(text, KNOWN) == rule


@pytest.mark.parametrize(
    "text",
    [
        "${staff} + 1 > 3",  # arithmetic
        "string-length(${comments}) > 10",  # another function
        "${council} = 'maybe'",  # not one of the question's answers
        "${council} < 'yes'",  # a comparison a select does not offer
        "${comments} = 'none'",  # text questions: answered or not only
        "${later} = 'yes'",  # not an earlier question
        "'yes' = ${council}",  # the question on the right
        "${council} = 'yes' and ${council} = 'no' or ${staff} > 1",  # mixed and/or
        "${staff} > '3'",  # a number question compared with text
        "${adopted} > 'soon'",  # not a day
        "count-selected(${support}) >= 2",
        "${council} = ${level}",
        "not(${council} = 'yes')",
        "${council} = 'yes' and",  # does not parse
    ],
)
def test_expressions_the_builder_cannot_show_are_left_as_text(text):
    assert read(text, KNOWN) is None


def test_no_expression_is_an_empty_rule():
    assert read(None, KNOWN) == Rule() and read("  ", KNOWN) == Rule()


@pytest.mark.parametrize(
    ("condition", "code"),
    [
        (Condition("later", "is", ("yes",)), "condition_question"),
        (Condition("council", "gt", ("yes",)), "condition_operator"),
        (Condition("comments", "is", ("x",)), "condition_operator"),
        (Condition("council", "is", ("maybe",)), "condition_choice"),
        (Condition("council", "is", ()), "condition_choice"),
        (Condition("council", "any_of", ()), "condition_choices"),
        (Condition("council", "any_of", ("yes", "' or 1=1 or '")), "condition_choice"),
        (Condition("staff", "ge", ("abc",)), "condition_number"),
        (Condition("staff", "ge", ("1e5",)), "condition_number"),
        (Condition("staff", "ge", ("NaN",)), "condition_number"),
        (Condition("staff", "ge", ("9" * 40,)), "condition_number"),
        (Condition("staff", "ge", ("",)), "condition_number"),
        (Condition("adopted", "lt", ("31.12.2020",)), "condition_date"),
        (Condition("adopted", "lt", ("2020-02-30",)), "condition_date"),
        (Condition("adopted", "lt", ("${staff}",)), "condition_date"),
    ],
)
def test_conditions_that_cannot_be_written_are_refused(condition, code):
    rule = Rule("and", (Condition("council", "is", ("yes",)), condition))
    with pytest.raises(ConditionError) as refused:
        write(rule, KNOWN)
    assert refused.value.code == code and refused.value.row == 2


def test_a_rule_without_conditions_is_refused():
    with pytest.raises(ConditionError) as refused:
        write(Rule("and", ()), KNOWN)
    assert refused.value.code == "no_conditions"


def test_numbers_are_read_the_local_way():
    rule = Rule("and", (Condition("staff", "le", ("1 000,5",)),))
    assert write(rule, KNOWN) == "${staff} <= 1000.5"


def test_written_rules_decide_as_the_respondent_path_does():
    """The expressions mean what the builder says, for answered and unanswered questions."""
    rule = Rule(
        "and",
        (
            Condition("council", "any_of", ("yes", "dk")),
            Condition("support", "contains", ("funding",)),
            Condition("adopted", "lt", ("2021-01-01",)),
        ),
    )
    expression = check(write(rule, KNOWN), set(KNOWN))
    values = {name: None for name in KNOWN}
    assert not expression.is_true(values)
    values |= {"council": "dk", "support": ["training", "funding"], "adopted": date(2019, 5, 1)}
    assert expression.is_true(values)
    assert not expression.is_true({**values, "adopted": date(2022, 1, 1)})
    assert not expression.is_true({**values, "council": "no"})
    answered = check(write(Rule("and", (Condition("staff", "answered"),)), KNOWN), set(KNOWN))
    assert not answered.is_true({"staff": None}) and answered.is_true({"staff": 0.0})
