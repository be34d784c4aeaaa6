"""What is wrong with an expression is told in the staff member's language: in the
XLSForm import report and in the editor's check, not in the evaluator's English."""

from __future__ import annotations

import io
from html import unescape

import pytest
from flask import g

from surveyapp.questionnaires.editing import structure, version_edits
from surveyapp.questionnaires.expressions import ExpressionError, check, parse
from tests.test_xlsform import workbook

IMPORT = "/{lang}/staff/questionnaires/import"

#: A form whose relevant columns the evaluator refuses, for three different reasons.
BROKEN = workbook(
    survey=[
        ["type", "name", "label", "relevant"],
        ["integer", "a", "A", None],
        ["text", "b", "B", "${a} == 1"],
        ["text", "c", "C", "foo(${a}) = 1"],
        ["text", "d", "D", "${a} >"],
    ]
)

REPORTED = {
    "mk": [
        "'==' не е оператор; за споредба користете '=' (кај знакот 6 од „${a} == 1“)",
        "непозната функција 'foo' (кај знакот 1 од „foo(${a}) = 1“)",
        "неочекуван крај на изразот (кај знакот 7 од „${a} >“)",
    ],
    "sq": [
        "'==' nuk është operator; për krahasim përdorni '=' (te karakteri 6 i «${a} == 1»)",
        "funksion i panjohur 'foo' (te karakteri 1 i «foo(${a}) = 1»)",
        "fund i papritur i shprehjes (te karakteri 7 i «${a} >»)",
    ],
}
ENGLISH = ["is not an operator", "unknown function", "unexpected end of expression"]


@pytest.mark.parametrize("lang", sorted(REPORTED))
def test_the_import_report_says_what_is_wrong_in_an_expression_in_the_staff_language(staff, lang):
    analyst = staff("analyst")
    refused = analyst.post_form(
        IMPORT.format(lang=lang),
        {"form_file": (io.BytesIO(BROKEN), "broken.xlsx"), "name": "broken"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = unescape(refused.get_data(as_text=True))
    for message in REPORTED[lang]:
        assert message in page
    for english in ENGLISH:
        assert english not in page


@pytest.fixture
def draft(app):
    """A draft asking how many staff, then how many meetings."""
    with app.app_context():
        version = version_edits.create_questionnaire("messages", "Messages")
        page = version.pages[0].id
        spec = structure.QuestionSpec
        structure.add_question(page, spec("staff", "number"), "How many staff?")
        return structure.add_question(page, spec("follow", "number"), "How many meetings?").id


def test_the_editor_refuses_an_expression_in_the_staff_language(staff, draft):
    analyst = staff("analyst")
    url = f"/sr/staff/questions/{draft}"
    fields = {"name": "follow", "type": "number", "shown_type": "number"}
    refused = analyst.post_form(
        url, {**fields, "rule_mode": "expression", "relevant": "${nobody} = 1"}
    )
    page = unescape(refused.get_data(as_text=True))
    said = "Израз не може да се користи: непознато питање ${nobody} (знак бр. 1 у „${nobody} = 1“)"
    assert said in page
    assert "unknown question" not in page


def test_the_english_message_stays_for_logs_whatever_the_request_language(app):
    with app.test_request_context("/mk/"):
        g.lang = "mk"
        with pytest.raises(ExpressionError) as caught:
            check("foo(${a})", {"a"})
        error = caught.value
        assert error.message == "unknown function 'foo'"
        assert str(error) == "unknown function 'foo' at position 0"
        assert str(error.translated) == "непозната функција 'foo'"


@pytest.mark.parametrize(
    ("text", "english", "macedonian"),
    [
        (
            "string-length(1, 2)",
            "string-length() takes 0 or 1 arguments, but 2 given",
            "string-length() прима 0 или 1 аргумент, а бројот на зададени аргументи е 2",
        ),
        (
            "if(1, 2)",
            "if() takes 3 arguments, but 2 given",
            "if() прима 3 аргументи, а бројот на зададени аргументи е 2",
        ),
        (
            "regex(., '(a+)+')",
            "regular expression refused: a repeated group contains an unbounded "
            "repetition, as in (a+)+",
            "регуларниот израз е одбиен: повторена група содржи неограничено "
            "повторување, како во (a+)+",
        ),
    ],
)
def test_messages_with_numbers_and_nested_parts_are_translated_whole(
    app, text, english, macedonian
):
    with app.test_request_context("/mk/"):
        g.lang = "mk"
        with pytest.raises(ExpressionError) as caught:
            parse(text)
        assert caught.value.message == english
        assert str(caught.value.translated) == macedonian
