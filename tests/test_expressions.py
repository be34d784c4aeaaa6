"""XLSForm/ODK expressions: parsing, XPath evaluation, errors, and hostile input."""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.questionnaires.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_REGEX_INPUT,
    Expression,
    ExpressionError,
    as_string,
    check,
    parse,
    unknown_columns,
)

TODAY = date(2024, 5, 15)
NAN = math.nan


def evaluate(text: str, values: dict | None = None, current: object = None) -> object:
    return parse(text).evaluate(values or {}, current=current, today=TODAY)


@pytest.mark.parametrize(
    ("text", "values", "current", "expected"),
    [
        # relevant rules from real forms
        ("${has_council} = 'yes'", {"has_council": "yes"}, None, True),
        ("${has_council} = 'yes'", {"has_council": "no"}, None, False),
        ("${has_council} = 'yes'", {"has_council": None}, None, False),
        ("selected(${support}, 'other')", {"support": ["roads", "other"]}, None, True),
        ("selected(${support}, 'other')", {"support": ["roads"]}, None, False),
        ("selected(${support}, 'other')", {"support": None}, None, False),
        ("selected(${support}, 'other')", {"support": []}, None, False),
        ("selected(${support}, 'oth')", {"support": ["other"]}, None, False),
        ("selected(${support}, ' other ')", {"support": "roads other"}, None, True),
        ("count-selected(.) <= 3", {}, ["a", "b", "c"], True),
        ("count-selected(.) <= 3", {}, ["a", "b", "c", "d"], False),
        ("count-selected(.)", {}, None, 0),
        ("count-selected(.)", {}, "a  b ", 2),
        (". >= 0 and . <= 120", {}, 37, True),
        (". >= 0 and . <= 120", {}, "37", True),
        (". >= 0 and . <= 120", {}, 121, False),
        (". >= 0 and . <= 120", {}, -1, False),
        (". >= 0 and . <= 120", {}, None, False),
        (". >= 0 and . <= 120", {}, "old", False),
        ("string-length(.) <= 200", {}, "x" * 200, True),
        ("string-length(.) <= 200", {}, "x" * 201, False),
        ("string-length(.)", {}, "Ђурђевак", 8),
        ("string-length()", {}, "abc", 3),
        ("regex(., '^[0-9]{4}$')", {}, "1234", True),
        ("regex(., '^[0-9]{4}$')", {}, "12345", False),
        ("regex(., '^[0-9]{4}$')", {}, None, False),
        ("regex(., '[0-9]')", {}, "abc7", True),
        ("regex(., '^\\d+$')", {}, "١٢٣", False),
        ("regex(., '^[a-z]+$')", {}, "a" * (MAX_REGEX_INPUT + 1), False),
        ("regex(., '^[a-z]+$')", {}, "a" * MAX_REGEX_INPUT, True),
        ("regex(${code}, concat('^', ${prefix}))", {"code": "BG-1", "prefix": "BG"}, None, True),
        ("if(${a} > 5, 'big', 'small')", {"a": 7}, None, "big"),
        ("if(${a} > 5, 'big', 'small')", {"a": 5}, None, "small"),
        ("if(${a} > 5, 'big', 'small')", {"a": None}, None, "small"),
        ("not(${x} = '')", {"x": "hello"}, None, True),
        ("not(${x} = '')", {"x": None}, None, False),
        ("${name} = ''", {"name": None}, None, True),
        ("${age} > 18", {"age": None}, None, False),
        ("${age} <= 18", {"age": None}, None, False),
        ("${age} != 18", {"age": None}, None, True),
        ("${age} = 18", {"age": "18"}, None, True),
        ("${age} = '18'", {"age": 18}, None, True),
        ("${age} = '18.0'", {"age": 18}, None, True),
        ("${ratio} = 0.5", {"ratio": 0.5}, None, True),
        ("${big} > 1", {"big": 10**400}, None, True),
        ("${flag}", {"flag": True}, None, True),
        # references and values
        ("${q}", {"q": ["a", "b"]}, None, "a b"),
        ("${q} = 'a b'", {"q": ["a", "b"]}, None, True),
        ("${q}", {"q": ("a",)}, None, "a"),
        ("${q}", {"q": None}, None, ""),
        ("${q-1.x}", {"q-1.x": "ok"}, None, "ok"),
        ("${ime_čvor}", {"ime_čvor": "da"}, None, "da"),
        (".", {}, 3, 3),
        (".", {}, None, ""),
        # literals
        ('"it\'s"', {}, None, "it's"),
        ("'say \"hi\"'", {}, None, 'say "hi"'),
        ("007", {}, None, 7),
        ("1.", {}, None, 1),
        (".5 + .5", {}, None, 1),
        # arithmetic and precedence
        ("1 + 2 * 3", {}, None, 7),
        ("(1 + 2) * 3", {}, None, 9),
        ("10 div 4", {}, None, 2.5),
        ("7 mod 3", {}, None, 1),
        ("-7 mod 3", {}, None, -1),
        ("7 mod -3", {}, None, 1),
        ("-2 + 5", {}, None, 3),
        ("- -2", {}, None, 2),
        ("-'3'", {}, None, -3),
        ("10 - 2 - 3", {}, None, 5),
        ("2 * 3 div 4", {}, None, 1.5),
        ("${a}-${b}", {"a": 5, "b": 3}, None, 2),
        ("'5' + 1", {}, None, 6),
        ("true() + 1", {}, None, 2),
        ("1 div 0", {}, None, math.inf),
        ("-1 div 0", {}, None, -math.inf),
        ("0 div 0", {}, None, NAN),
        ("5 mod 0", {}, None, NAN),
        ("${x} + 1", {"x": None}, None, NAN),
        ("'abc' * 2", {}, None, NAN),
        # comparisons
        ("'10' < '9'", {}, None, False),
        ("'10' > '9'", {}, None, True),
        ("'abc' < 'abd'", {}, None, False),
        ("'abc' = 'abc'", {}, None, True),
        ("'abc' != 'ABC'", {}, None, True),
        ("'1.0' = '1'", {}, None, False),
        ("'1.0' = 1", {}, None, True),
        ("1 < 2 < 3", {}, None, True),
        ("3 > 2 > 1", {}, None, False),
        ("0 div 0 = 0 div 0", {}, None, False),
        ("0 div 0 != 0 div 0", {}, None, True),
        ("number('') = number('')", {}, None, False),
        ("true() = 'false'", {}, None, True),
        ("false() = ''", {}, None, True),
        ("false() = 0", {}, None, True),
        ("1 = 1 and 2 = 2 or 1 = 2", {}, None, True),
        ("1 = 2 and 2 = 2 or 1 = 1", {}, None, True),
        ("1 = 2 or 2 = 2 and 1 = 2", {}, None, False),
        # dates
        ("${d} < today()", {"d": date(2024, 5, 14)}, None, True),
        ("${d} < today()", {"d": date(2024, 5, 15)}, None, False),
        ("${d} = '2024-05-15'", {"d": date(2024, 5, 15)}, None, True),
        ("${d} >= '2000-01-01'", {"d": date(1999, 12, 31)}, None, False),
        ("${d} > '2024-02-30'", {"d": date(2024, 5, 15)}, None, False),
        ("today() - ${d}", {"d": date(2024, 5, 1)}, None, 14),
        ("${d} = 0", {"d": date(1970, 1, 1)}, None, True),
        ("${d} > 19000", {"d": TODAY}, None, True),
        ("${d} < today()", {"d": None}, None, False),
        ("string(today())", {}, None, "2024-05-15"),
        ("boolean(today())", {}, None, True),
        # functions
        ("number('  -12.5 ')", {}, None, -12.5),
        ("number('1e3')", {}, None, NAN),
        ("number('+1')", {}, None, NAN),
        ("number('1_000')", {}, None, NAN),
        ("number('inf')", {}, None, NAN),
        ("number(true())", {}, None, 1),
        ("number()", {}, "4", 4),
        ("string(3)", {}, None, "3"),
        ("string(-0.0)", {}, None, "0"),
        ("string(2.50)", {}, None, "2.5"),
        ("string(0.0000001)", {}, None, "0.0000001"),
        ("string(1 div 0)", {}, None, "Infinity"),
        ("string(-1 div 0)", {}, None, "-Infinity"),
        ("string(0 div 0)", {}, None, "NaN"),
        ("string(1 = 1)", {}, None, "true"),
        ("string()", {}, ["x", "y"], "x y"),
        ("boolean('')", {}, None, False),
        ("boolean('false')", {}, None, True),
        ("boolean(0)", {}, None, False),
        ("boolean(0 div 0)", {}, None, False),
        ("boolean(${q})", {"q": ["a"]}, None, True),
        ("boolean(${q})", {"q": []}, None, False),
        ("true()", {}, None, True),
        ("false()", {}, None, False),
        ("int(3.9)", {}, None, 3),
        ("int(-3.9)", {}, None, -3),
        ("int('x')", {}, None, NAN),
        ("round(2.5)", {}, None, 3),
        ("round(-2.5)", {}, None, -3),
        ("round(2.4)", {}, None, 2),
        ("round(3.14159, 2)", {}, None, 3.14),
        ("round(2.675, 2)", {}, None, 2.68),
        ("round(1234.5, -2)", {}, None, 1200),
        ("round(1.5, 1000)", {}, None, 1.5),
        ("round(1.5, -1000)", {}, None, 0),
        ("round(1.5, 'x')", {}, None, NAN),
        ("round(1 div 0)", {}, None, math.inf),
        ("concat('a', 1, true(), ${q})", {"q": ["x", "y"]}, None, "a1truex y"),
        ("concat()", {}, None, ""),
        ("contains('Banja Luka', 'Luka')", {}, None, True),
        ("contains('Banja Luka', 'luka')", {}, None, False),
        ("starts-with(${code}, 'ME')", {"code": "ME-01"}, None, True),
        ("starts-with(${code}, 'ME')", {"code": None}, None, False),
        ("coalesce(${a}, ${b})", {"a": None, "b": "fallback"}, None, "fallback"),
        ("coalesce(${a}, ${b})", {"a": "first", "b": "fallback"}, None, "first"),
        ("coalesce(${a}, 0) + 1", {"a": None}, None, 1),
        ("today()", {}, None, TODAY),
        # whitespace and layout
        (" ${a}\n\tand\r\n${b} ", {"a": "x", "b": "y"}, None, True),
        ("${a}and${b}", {"a": "x", "b": ""}, None, False),
    ],
)
def test_evaluation_follows_xpath(text, values, current, expected):
    result = evaluate(text, values, current)
    if isinstance(expected, bool):
        assert result is expected
    elif isinstance(expected, int | float):
        assert isinstance(result, float)
        assert result == expected or (math.isnan(expected) and math.isnan(result))
    else:
        assert (type(result), result) == (type(expected), expected)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("${a} > 5", {"a": 9}, True),
        ("${a} > 5", {"a": None}, False),
        ("${a}", {"a": "text"}, True),
        ("${a}", {"a": ""}, False),
        ("${a}", {"a": 0}, False),
        ("${a}", {"a": []}, False),
        ("${a}", {"a": ["x"]}, True),
        ("${a} div 0", {"a": 0}, False),
    ],
)
def test_is_true_is_the_xpath_boolean_of_the_result(text, values, expected):
    assert parse(text).is_true(values, today=TODAY) is expected


def test_references_list_the_questions_read():
    expression = parse("if(${a} > 1, concat(${b}, .), ${a}) and selected(${c-1}, 'x')")
    assert expression.references == frozenset({"a", "b", "c-1"})
    assert expression.choice_columns == frozenset()
    assert parse("1 + 1").references == frozenset()


def test_check_accepts_known_references():
    expression = check("${age} >= 18", ["age", "name"])
    assert isinstance(expression, Expression)
    assert expression.is_true({"age": 20})


def test_check_rejects_the_first_unknown_reference_with_its_position():
    with pytest.raises(ExpressionError) as caught:
        check("${age} > 1 and ${nope} = 'x' or ${other}", {"age"})
    assert caught.value.message == "unknown question ${nope}"
    assert caught.value.position == 15


def test_evaluating_a_reference_without_a_value_raises():
    with pytest.raises(ExpressionError) as caught:
        parse("1 = 1 and ${nope} = 2").evaluate({})
    assert caught.value.message == "no value given for ${nope}"
    assert caught.value.position == 10


def test_untaken_branches_are_not_evaluated():
    assert parse("if(true(), 1, ${missing})").evaluate({}) == 1
    assert parse("true() or ${missing}").evaluate({}) is True
    assert parse("false() and ${missing}").evaluate({}) is False
    assert parse("coalesce('x', ${missing})").evaluate({}) == "x"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (datetime(2024, 1, 1, 12, 0), "${a} is a date-time, which expressions do not support"),
        ({"x": 1}, "${a} has an unsupported value of type dict"),
        ([1, 2], "${a} has an unsupported value of type list"),
        (object(), "${a} has an unsupported value of type object"),
    ],
)
def test_unsupported_values_raise_expression_error(value, message):
    with pytest.raises(ExpressionError) as caught:
        parse("${a} = 1").evaluate({"a": value})
    assert caught.value.message == message
    assert caught.value.position == 0


def test_today_defaults_to_the_local_date_and_accepts_a_datetime():
    assert parse("today()").evaluate({}) == date.today()
    assert parse("today()").evaluate({}, today=datetime(2024, 5, 15, 23, 59)) == TODAY


def test_choice_filter_reads_bare_names_from_the_choice():
    expression = check(
        "county = ${county} and selected(${kinds}, kind)",
        {"county", "kinds"},
        choice_columns={"county", "kind", "name"},
    )
    assert expression.choice_columns == frozenset({"county", "kind"})
    values = {"county": "north", "kinds": ["urban"]}
    assert expression.is_true(values, choice={"county": "north", "kind": "urban"})
    assert not expression.is_true(values, choice={"county": "south", "kind": "urban"})
    with pytest.raises(ExpressionError, match="needs a choice to filter"):
        expression.evaluate(values)
    # A choice without the column reads it as empty, as XPath reads a missing child.
    assert expression.evaluate(values, choice={"county": "north"}) is False


def test_a_bare_name_that_is_no_choice_column_reads_as_empty_as_in_odk():
    expression = check("pastel = yes", set(), choice_columns={"pastel"})
    assert unknown_columns(expression, {"pastel"}) == ["yes"]
    assert expression.is_true({}, choice={"pastel": ""})
    assert not expression.is_true({}, choice={"pastel": "yes"})
    assert unknown_columns(check("a = b or b = c", set(), choice_columns={"a"}), {"a"}) == [
        "b",
        "c",
    ]


def test_bare_names_are_refused_outside_choice_filters():
    with pytest.raises(ExpressionError) as caught:
        parse("county = 'x'")
    assert caught.value.message == "unexpected name 'county'; refer to a question as ${county}"


def test_as_string_formats_results_for_storage():
    assert as_string(parse("2 * 3").evaluate({})) == "6"
    assert as_string(parse("1 div 4").evaluate({})) == "0.25"
    assert as_string(parse("1 = 1").evaluate({})) == "true"
    assert as_string(TODAY) == "2024-05-15"
    assert as_string(1e21) == "1000000000000000000000"
    assert as_string(1.5e-10) == "0.00000000015"


def test_the_error_string_gives_message_and_position():
    with pytest.raises(ExpressionError) as caught:
        parse("(1 + 2))")
    assert str(caught.value) == "unexpected ')' at position 7"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("foo(1)", "unknown function 'foo'", 0),
        ("1 + NOT(1)", "unknown function 'NOT'", 4),
        ("position(.)", "position() takes no arguments, but 1 given", 0),
        ("jr:itext(${q})", "unknown function 'jr:itext'", 0),
        (
            "jr:choice-name(${q}, ${q})",
            "jr:choice-name() takes the question as a quoted '${name}'",
            21,
        ),
        (
            "jr:choice-name(${q}, 'q')",
            "jr:choice-name() takes the question as a quoted '${name}'",
            21,
        ),
        ("(1 + 2", "missing ')' to close '('", 0),
        ("if(${a} > 1, 'x', 'y'", "missing ')' to close 'if('", 2),
        ("selected(. 'a')", "expected ',' or ')' after argument", 11),
        ("(1 2)", "expected ')' after expression", 3),
        ("1 + 2)", "unexpected ')'", 5),
        ("1 2", "unexpected '2'", 2),
        ("'a' 'b'", "unexpected string 'b'", 4),
        ("${a} ${b}", "unexpected ${b}", 5),
        ("1 +", "unexpected end of expression", 3),
        ("1 + * 2", "unexpected '*'", 4),
        ("and", "unexpected 'and'", 0),
        (",", "unexpected ','", 0),
        ("..", "unexpected '.'", 1),
        ("f(1,)", "unknown function 'f'", 0),
        ("concat(1,)", "unexpected ')'", 9),
        ("", "empty expression", 0),
        (" \n ", "empty expression", 0),
        ("'abc", "unterminated string; add the closing quote", 0),
        ('. = "abc', "unterminated string; add the closing quote", 4),
        ("${}", "empty question name in '${}'", 0),
        ("1 + ${a", "unterminated question reference; add the closing '}'", 4),
        ("${a b}", "unexpected character ' ' in question reference", 3),
        ("${1a}", "unexpected character '1' in question reference", 2),
        ("$a", "'$' must start a question reference such as ${name}", 0),
        ("1 == 1", "'==' is not an operator; compare with '='", 2),
        ("1 & 1", "unexpected character '&'", 2),
        ("1 | 2", "unexpected character '|'", 2),
        ("/data/q = 1", "paths are not supported; refer to a question as ${name}", 0),
        ("${q}[1]", "unexpected character '['", 4),
        ("not ${x}", "function 'not' must be followed by '('", 0),
        ("selected(${q})", "selected() takes 2 arguments, but 1 given", 0),
        ("if(1, 2)", "if() takes 3 arguments, but 2 given", 0),
        ("true(1)", "true() takes no arguments, but 1 given", 0),
        ("round(1, 2, 3)", "round() takes 1 or 2 arguments, but 3 given", 0),
        ("string-length(1, 2)", "string-length() takes 0 or 1 arguments, but 2 given", 0),
        # Python, never evaluated
        ("__import__('os')", "unknown function '__import__'", 0),
        ("a.b", "unexpected name 'a.b'; refer to a question as ${a.b}", 0),
        ("lambda", "unexpected name 'lambda'; refer to a question as ${lambda}", 0),
        ("lambda: 1", "unexpected character ':'", 6),
        ("().__class__", "unexpected ')'", 1),
        ("${a}.upper()", "unexpected '.'", 4),
        ("open('/etc/passwd').read()", "unknown function 'open'", 0),
        ("1 if True else 2", "unexpected 'if'", 2),
        ("'it''s'", "unexpected string 's'", 4),
        ("[x for x in y]", "unexpected character '['", 0),
        ("1; 2", "unexpected character ';'", 1),
        ("2 ** 3", "unexpected '*'", 3),
        ("'a' % 1", "unexpected character '%'", 4),
        ("f'{x}'", "unexpected name 'f'; refer to a question as ${f}", 0),
        # regular expressions given as literals are checked when parsed
        ("regex(., '[')", "invalid regular expression: unterminated character set", 9),
        (
            "regex(., '^(a+)+$')",
            "regular expression refused: a repeated group contains an unbounded repetition, "
            "as in (a+)+",
            9,
        ),
        ("regex(., '" + "x" * 501 + "')", "regular expression is longer than 500 characters", 9),
    ],
)
def test_errors_say_what_is_wrong_and_where(text, message, position):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.message == message
    assert caught.value.position == position


@pytest.mark.parametrize(
    "text",
    [
        "(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
        "-" * (MAX_DEPTH + 1) + "1",
        "not(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1),
        "1" + " or 1 and (1" * MAX_DEPTH + ")" * MAX_DEPTH,
        "if(1, 2, " * MAX_DEPTH + "3" + ")" * MAX_DEPTH,
    ],
)
def test_too_deep_nesting_is_refused(text):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.message == f"expression is nested too deeply (more than {MAX_DEPTH} levels)"


def test_the_deepest_accepted_expression_evaluates_inside_a_deep_call_stack():
    levels = MAX_DEPTH - 1
    text = "if(false(), 2, " * levels + "${a}" + ")" * levels
    expression = parse(text)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("if(false(), 2, " * (levels + 1) + "${a}" + ")" * (levels + 1))

    def recurse(depth: int) -> object:
        return recurse(depth - 1) if depth else expression.evaluate({"a": 3})

    assert recurse(500) == 3


def test_long_flat_expressions_stay_shallow():
    text = "1" + " + 1" * ((MAX_LENGTH - 1) // 4)
    assert len(text) <= MAX_LENGTH
    assert parse(text).evaluate({}) == 1 + (MAX_LENGTH - 1) // 4
    chain = " or ".join(["${a} = 'x'"] * 100)
    assert parse(chain).is_true({"a": "x"})


def test_too_long_text_is_refused():
    parse("1" + " " * (MAX_LENGTH - 1))
    with pytest.raises(ExpressionError) as caught:
        parse("1" + " " * MAX_LENGTH)
    assert caught.value.message == f"expression is longer than {MAX_LENGTH} characters"
    assert caught.value.position == MAX_LENGTH


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("^[0-9]{4}$", False),
        ("^\\+?[0-9 ]{6,15}$", False),
        ("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$", False),
        ("^(\\d{3}-){2}\\d{4}$", False),
        ("^(ab)+$", False),
        ("^(a+)?$", False),
        ("[(a+)+]", False),
        ("\\(a+\\)+", False),
        ("(a+)+", True),
        ("(a*)*", True),
        ("(a{2,})+", True),
        ("(\\w+ ?)*", True),
        ("((a+)b){2}", True),
        ("(?:[a-z]+\\.)+", True),
        ("(" * 21 + "a" + ")" * 21, True),
    ],
)
def test_regex_patterns_that_can_backtrack_badly_are_refused(pattern, refused):
    expression = parse("regex(., ${pattern})")
    if refused:
        with pytest.raises(ExpressionError, match="regular expression refused"):
            expression.evaluate({"pattern": pattern}, current="aaaa")
    else:
        assert isinstance(expression.evaluate({"pattern": pattern}, current="aaaa"), bool)


def test_invalid_regex_from_an_answer_raises_at_evaluation():
    expression = parse("regex(., ${pattern})")
    with pytest.raises(ExpressionError) as caught:
        expression.evaluate({"pattern": "(unclosed"}, current="x")
    assert caught.value.message.startswith("invalid regular expression: ")
    assert caught.value.position == 9


def test_text_that_looks_like_code_is_just_text():
    payload = "__import__('os').system('echo hi')"
    assert evaluate("${x}", {"x": payload}) == payload
    assert evaluate("concat(${x}, '')", {"x": payload}) == payload
    assert evaluate("string-length(${x})", {"x": payload}) == len(payload)
    assert evaluate("${x} = 'y'", {"x": payload}) is False


def test_function_table_matches_the_documented_subset():
    assert set(FUNCTIONS) == {
        "selected", "count-selected", "string-length", "regex", "if", "not", "number",
        "string", "boolean", "true", "false", "int", "round", "concat", "contains",
        "starts-with", "coalesce", "today", "date", "now", "selected-at", "jr:choice-name",
        "substr", "ends-with", "boolean-from-string", "pow", "sqrt", "exp", "exp10", "log",
        "log10", "sin", "cos", "tan", "asin", "acos", "atan", "abs", "floor", "ceiling", "pi",
        "format-date", "count", "sum", "position", "indexed-repeat",
    }  # fmt: skip


# Property-based tests -------------------------------------------------------

NAMES = ("a", "b", "c")
ATOMS = (
    "${a}", "${b}", "${c}", ".", "0", "1", "2.5", ".5", "007", "'yes'", '"x y"', "''",
    "'2024-01-31'", "'[a-z]+'", "'(a'", "today()", "true()", "false()", "now()", "pi()",
    "'%Y %e'", "\u2018yes\u2019",
)  # fmt: skip
BINARY = ("or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod")
ONE_ARG = ("not", "number", "string", "boolean", "int", "round", "count-selected",
           "string-length", "boolean-from-string", "sqrt", "exp", "exp10", "log", "log10",
           "sin", "cos", "tan", "asin", "acos", "atan", "abs", "floor", "ceiling")  # fmt: skip
TWO_ARGS = ("selected", "contains", "starts-with", "coalesce", "regex", "round", "selected-at",
            "substr", "ends-with", "pow", "format-date")  # fmt: skip
TOKENS = (
    *ATOMS, *BINARY, *ONE_ARG, *TWO_ARGS, "if", "concat", "(", ")", ",", "-", "${", "}",
    "$", "'", '"', "${}", "==", "|", "/", "[", "]", "@", ":", "lambda", "__import__", "x.y",
)  # fmt: skip


def _binary(parts: tuple[str, str, str]) -> str:
    return f"{parts[0]} {parts[1]} {parts[2]}"


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(_binary),
        children.map(lambda child: f"({child})"),
        children.map(lambda child: f"-{child}"),
        st.tuples(st.sampled_from(ONE_ARG), children).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(TWO_ARGS), children, children).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(children, children, children).map(lambda t: f"if({t[0]}, {t[1]}, {t[2]})"),
        st.lists(children, max_size=4).map(lambda items: f"concat({', '.join(items)})"),
        st.tuples(children, st.sampled_from(NAMES)).map(
            lambda t: f"jr:choice-name({t[0]}, '${{{t[1]}}}')"
        ),
        st.tuples(children, children, children).map(lambda t: f"substr({t[0]}, {t[1]}, {t[2]})"),
    )


valid_expressions = st.recursive(st.sampled_from(ATOMS), _extend, max_leaves=25)
token_soup = st.tuples(
    st.lists(st.sampled_from(TOKENS), max_size=25), st.sampled_from(("", " "))
).map(lambda t: t[1].join(t[0]))
answers = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["", "yes", "12", " -3.5 ", "2024-02-29", "a b", "NaN", "Infinity"]),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.sampled_from(["a", "b", "other"]), max_size=3),
    st.dates(),
)


@contextmanager
def no_dynamic_code() -> Iterator[None]:
    """Make eval, exec, compile and __import__ fail loudly while the block runs."""
    names = ("eval", "exec", "compile", "__import__")
    saved = {name: getattr(builtins, name) for name in names}

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("expressions must never run Python code")

    for name in names:
        setattr(builtins, name, refuse)
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(builtins, name, function)


def parse_or_error(text: str) -> Expression | ExpressionError:
    with no_dynamic_code():
        try:
            return parse(text)
        except ExpressionError as error:
            return error


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), token_soup, valid_expressions))
def test_parse_returns_an_expression_or_raises_expression_error(text):
    result = parse_or_error(text)
    assert isinstance(result, Expression | ExpressionError)
    if isinstance(result, ExpressionError):
        assert 0 <= result.position <= len(text)
        assert result.message


@settings(max_examples=300, deadline=None)
@given(valid_expressions, st.fixed_dictionaries({name: answers for name in NAMES}), answers)
def test_evaluate_returns_a_value_or_raises_expression_error(text, values, current):
    expression = parse_or_error(text)
    if isinstance(expression, ExpressionError):
        assert "nested too deeply" in expression.message or "regular" in expression.message
        return
    with no_dynamic_code():
        try:
            result = expression.evaluate(values, current=current, today=TODAY)
            truth = expression.is_true(values, current=current, today=TODAY)
            text_value = as_string(result)
        except ExpressionError as error:
            result = truth = text_value = error
    if not isinstance(result, ExpressionError):
        assert isinstance(result, bool | float | str | date)
        assert isinstance(truth, bool)
        assert isinstance(text_value, str)


@settings(max_examples=100, deadline=None)
@given(valid_expressions)
def test_generated_expressions_parse(text):
    try:
        expression = parse(text)
    except ExpressionError as error:
        assert "nested too deeply" in error.message or "regular" in error.message
    else:
        assert expression.references <= {"a", "b", "c"}


# Functions of real forms (issue #20) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("${a} = \u2018yes\u2019", {"a": "yes"}, True),
        ("${a} = \u201cyes\u201d", {"a": "yes"}, True),
        ("${a} = 'it\u2019s'", {"a": "it\u2019s"}, True),
        ("selected-at(${a}, 0)", {"a": ["x", "y"]}, "x"),
        ("selected-at(${a}, 2)", {"a": ["x", "y"]}, ""),
        ("count-selected(${a})", {"a": ["x", "y"]}, 2.0),
        ("jr:choice-name(${a}, '${a}')", {"a": "yes"}, "Po"),
        ("jr:choice-name(${a}, '${a}')", {"a": "maybe"}, ""),
        ("jr:choice-name(${a}, '${a}')", {"a": None}, ""),
        ("substr('Općina', 1, 3)", {}, "pć"),
        ("substr('Општина', 4)", {}, "ина"),
        ("ends-with('Skopje', 'je')", {}, True),
        ("boolean-from-string('true')", {}, True),
        ("boolean-from-string('yes')", {}, False),
        ("pow(2, 10)", {}, 1024.0),
        ("pow(0, -1)", {}, math.inf),
        ("round(15 div (sqrt(cos(atan(${a} div 100)))), 2)", {"a": 30}, 15.33),
        ("log(0)", {}, -math.inf),
        ("floor(-2.5) + ceiling(2.1)", {}, 0.0),
        ("format-date(${a}, '%d.%m.%Y')", {"a": date(2026, 3, 4)}, "04.03.2026"),
        ("format-date(${a}, '%e/%n/%y')", {"a": "2026-03-04"}, "4/3/26"),
        ("format-date('soon', '%Y')", {}, ""),
        ("now() = today()", {}, True),
    ],
)
def test_functions_real_forms_use(text, values, expected):
    labels = {"a": {"yes": "Po", "no": "Jo"}}
    result = parse(text).evaluate(values, today=TODAY, labels=labels)
    assert result == expected


def test_choice_name_refers_to_a_known_question():
    with pytest.raises(ExpressionError, match="unknown question"):
        check("jr:choice-name(${a}, '${b}')", {"a"})
    assert check("jr:choice-name(${a}, '${b}')", {"a", "b"}).references == {"a", "b"}


def test_sqrt_of_a_negative_number_is_not_a_number():
    assert math.isnan(parse("sqrt(-1)").evaluate({}))
    assert math.isnan(parse("pow(-8, 1 div 3)").evaluate({}))
