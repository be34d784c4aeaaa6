"""The editor's preview walks the questionnaire as a respondent would: the answers
typed in it decide, by the questionnaire's skip rules, which questions and pages
show; nothing is saved."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Answer, QuestionnaireVersion, Response
from surveyapp.questionnaires.editing import structure, text_edits, version_edits
from tests.conftest import csrf_token

YES_NO = [("yes", None, "Yes"), ("no", None, "No")]


@pytest.fixture
def version_id(app) -> int:
    """Page 1: has_plan (required), staff. Page 2: only when there is a plan.
    Page 3: always one question, and big_team only when staff > 10."""
    with app.app_context():
        version = version_edits.create_questionnaire("preview_test", "Preview test")
        spec = structure.QuestionSpec
        first = version.pages[0].id
        structure.add_question(
            first, spec("has_plan", "single_choice", required=True, choices=YES_NO),
            "Does the municipality have an action plan?",
        )  # fmt: skip
        structure.add_question(first, spec("staff", "number"), "How many staff work on it?")
        second = structure.add_page(version.id, "The plan").id
        structure.add_question(
            second, spec("plan_year", "number", relevant="${has_plan} = 'yes'"),
            "In which year was the plan adopted?",
        )  # fmt: skip
        third = structure.add_page(version.id, "Priorities").id
        structure.add_question(third, spec("priority", "long_text"), "What is your priority?")
        structure.add_question(
            third, spec("big_team", "short_text", relevant="${staff} > 10"),
            "How is the large team organised?",
        )  # fmt: skip
        text_edits.save_texts(
            version.id,
            {("q.priority.label", "mk"): "Кој е вашиот приоритет?"},
            {"q.priority.label"},
        )
        return version.id


def _url(version_id: int, number: int, lang: str = "en") -> str:
    return f"/en/staff/questionnaires/{version_id}/preview/{lang}/{number}"


def _send(analyst, version_id: int, number: int, html: str, answers: dict, lang: str = "en"):
    """Send the preview page ``html`` with its hidden answers and ``answers``."""
    carried = dict(re.findall(r'<input type="hidden" name="(carried-[^"]+)" value="([^"]*)"', html))
    data = {**carried, **answers, "csrf_token": csrf_token(html)}
    reply = analyst.client.post(_url(version_id, number, lang), data=data)
    assert reply.status_code == 200
    return unescape(reply.get_data(as_text=True))


def _page(html: str) -> str:
    return re.search(r'<form method="post" id="preview-form".*?</form>', html, re.S).group(0)


def test_an_answer_hides_the_questions_and_pages_it_skips(app, staff, version_id):
    analyst = staff("analyst")
    first = unescape(analyst.client.get(_url(version_id, 1)).get_data(as_text=True))
    assert "Does the municipality have an action plan?" in first

    third = _send(analyst, version_id, 1, first, {"has_plan": "no", "staff": "3", "action": "next"})
    page = _page(third)
    assert "Page 3 of 3" in page, "the plan's page is skipped"
    assert "Page 2 is skipped with the answers entered so far." in page
    assert "What is your priority?" in page
    assert "How is the large team organised?" not in page
    assert "1 question on this page is hidden by its skip rule" in page

    back = _send(analyst, version_id, 3, third, {"action": "back"})
    assert "Page 1 of 3" in back, "back goes past the skipped page"
    assert '<input checked id="has_plan-1" name="has_plan" type="radio" value="no"' in back
    assert 'name="staff" type="text" value="3"' in back, "the answers typed are kept"

    answers = {"has_plan": "yes", "staff": "12", "action": "next"}
    second = _send(analyst, version_id, 1, back, answers)
    assert "In which year was the plan adopted?" in _page(second)
    third = _send(analyst, version_id, 2, second, {"plan_year": "2020", "action": "next"})
    assert "How is the large team organised?" in _page(third), "12 staff: asked"

    end = _send(analyst, version_id, 3, third, {"priority": "Youth", "action": "next"})
    assert "Pages shown with these answers: 1, 2, 3 (of 3)." in end
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_page_the_empty_answers_skip_is_passed_over(staff, version_id):
    analyst = staff("analyst")
    html = unescape(analyst.client.get(_url(version_id, 2)).get_data(as_text=True))
    page = _page(html)
    assert "In which year was the plan adopted?" not in page
    assert "Page 3 of 3" in page and "Page 2 is skipped" in page
    assert "How is the large team organised?" not in page


def test_a_required_question_keeps_the_page_as_on_the_respondents_path(staff, version_id):
    analyst = staff("analyst")
    first = unescape(analyst.client.get(_url(version_id, 1)).get_data(as_text=True))
    again = _send(analyst, version_id, 1, first, {"staff": "many", "action": "next"})
    page = _page(again)
    assert "Page 1 of 3" in page
    assert "Please answer this question." in page
    assert "Please enter a number" in page
    assert 'value="many"' in page, "what was typed stays"


def test_another_language_keeps_the_answers(staff, version_id):
    analyst = staff("analyst")
    first = unescape(analyst.client.get(_url(version_id, 1)).get_data(as_text=True))
    third = _send(analyst, version_id, 1, first, {"has_plan": "no", "staff": "3", "action": "next"})
    in_mk = _send(analyst, version_id, 3, third, {"priority": "Млади", "action": "lang:mk"})
    page = _page(in_mk)
    assert "Кој е вашиот приоритет?" in page and "Млади" in page
    assert 'name="carried-has_plan" value="no"' in page
    assert "/preview/mk/3" in page


def test_the_end_goes_back_to_the_last_page_that_applies(staff, version_id):
    analyst = staff("analyst")
    first = unescape(analyst.client.get(_url(version_id, 1)).get_data(as_text=True))
    third = _send(analyst, version_id, 1, first, {"has_plan": "no", "action": "next"})
    end = _send(analyst, version_id, 3, third, {"action": "next"})
    assert "End of the questionnaire" in end
    assert "Pages shown with these answers: 1, 3 (of 3)." in end
    back = _send(analyst, version_id, 4, end, {"action": "back"})
    assert "Page 3 of 3" in _page(back)


def test_the_preview_does_not_take_a_page_beyond_the_end(staff, version_id):
    analyst = staff("analyst")
    assert analyst.client.get(_url(version_id, 4)).status_code == 404
    assert analyst.client.get(_url(version_id, 1, lang="xx")).status_code == 404


def test_a_label_naming_an_answer_shows_it_or_a_visible_gap(app, staff, version_id):
    with app.app_context():
        third = db.session.get(QuestionnaireVersion, version_id).pages[2].id
        note = structure.QuestionSpec("staff_note", "note")
        structure.add_question(third, note, "You told us of ${staff} staff.")
        db.session.commit()
    analyst = staff("analyst")
    first = unescape(analyst.client.get(_url(version_id, 1)).get_data(as_text=True))
    unanswered = _send(analyst, version_id, 1, first, {"has_plan": "no", "action": "next"})
    assert "You told us of … staff." in _page(unanswered), "not 'of staff'"
    back = _send(analyst, version_id, 3, unanswered, {"action": "back"})
    answers = {"has_plan": "no", "staff": "12", "action": "next"}
    assert "You told us of 12 staff." in _page(_send(analyst, version_id, 1, back, answers))
