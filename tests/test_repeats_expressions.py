"""Expressions over repeats: ``${q}`` inside an entry, ``position(..)``, ``count``, ``sum``
and ``indexed-repeat``, on the server and, alike, in the page's script (live.js)."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.expressions import POSITION, REPEATS, ExpressionError, parse
from surveyapp.questionnaires.live_rules import encode_value, tree
from tests.test_live_rules_differential import _outcome, _run_in_node

ENTRIES = {"programme": [{"pname": "A", "funding": 100}, {"pname": "B", "funding": None},
                         {"pname": "C", "funding": 2.5}]}  # fmt: skip
#: What rules inside entry 2 read.
INSIDE = {"staff": 4, "pname": "B", "funding": None, "programme": None, REPEATS: ENTRIES,
          POSITION: 2}  # fmt: skip
CASES = [
    ("count(${programme})", 3.0),
    ("count(${pname})", 3.0),
    ("count(${staff})", 1.0),
    ("sum(${funding})", 102.5),
    ("sum(${staff})", 4.0),
    ("position(..)", 2.0),
    ("position(..) = 2 and ${pname} = 'B'", True),
    ("indexed-repeat(${pname}, ${programme}, 3)", "C"),
    ("indexed-repeat(${pname}, ${programme}, position(..) - 1)", "A"),
    ("indexed-repeat(${pname}, ${programme}, 9)", ""),
    ("sum(${funding}) div count(${programme}) > 30", True),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_repeat_functions_on_the_server(text, expected):
    assert parse(text).evaluate(INSIDE) == expected


@pytest.mark.parametrize(
    "text", ["position(..)", "indexed-repeat(${staff}, ${staff}, 1)", "count(${missing})"]
)
def test_outside_a_repeat_they_fail_as_expressions_do(text):
    with pytest.raises(ExpressionError):
        parse(text).evaluate({"staff": 4})


def test_the_page_script_gives_the_same_values():
    values = {name: encode_value(value) for name, value in INSIDE.items() if name[0] != "@"}
    values["@repeats"] = {
        name: [{q: encode_value(v) for q, v in entry.items()} for entry in rows]
        for name, rows in ENTRIES.items()
    }
    values["@position"] = 2
    cases = [[tree(parse(text).outline()), values, None, "2026-03-14"] for text, _ in CASES]
    assert _run_in_node(cases) == [_outcome(expected) for _, expected in CASES]
