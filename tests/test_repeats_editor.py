"""Staff build a repeat in the questionnaire editor: a page made a repeat, questions moved
into it and out, renamed (its title) and deleted like any page."""

from __future__ import annotations

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from tests.test_editor import _new_pilot, _page_id


def _pages(app, version_id: int) -> list[tuple]:
    with app.app_context():
        version = db.session.get(QuestionnaireVersion, version_id)
        return [(p.name, p.repeat, [q.name for q in p.questions]) for p in version.pages]


def test_build_a_repeat_move_questions_in_and_out_and_delete_it(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    editor = f"/en/staff/questionnaires/{version_id}"
    page_id = _page_id(app, version_id)
    for name in ("staff_count", "programme_name"):
        analyst.post_form(
            f"/en/staff/pages/{page_id}/questions/new",
            {"name": name, "type": "short_text", "label": name.title()},
        )
    analyst.post_form(f"{editor}/pages", {"title": "Programmes"}, form_page=editor)
    repeat_page = _page_id(app, version_id, 1)
    made = analyst.post_form(f"/en/staff/pages/{repeat_page}/repeat", {}, form_page=editor)
    assert made.status_code == 303
    html = analyst.client.get(editor).get_data(as_text=True)
    assert "asked once per entry, and the respondent adds and removes entries" in html
    with app.app_context():
        question_id = db.session.get(QuestionnaireVersion, version_id).pages[0].questions[1].id
    analyst.post_form(f"/en/staff/questions/{question_id}/next_page", {}, form_page=editor)
    assert _pages(app, version_id) == [
        ("page_1", None, ["staff_count"]),
        ("page_2", {"kind": "repeat"}, ["programme_name"]),
    ]
    # Past the last page: a message, nothing changed.
    refused = analyst.post_form(
        f"/en/staff/questions/{question_id}/next_page", {}, form_page=editor
    )
    assert refused.status_code == 303
    page = analyst.client.get(editor).get_data(as_text=True)
    assert "There is no page there to move the question to." in page
    analyst.post_form(f"/en/staff/questions/{question_id}/prev_page", {}, form_page=editor)
    analyst.post_form(f"/en/staff/pages/{repeat_page}/plain", {}, form_page=editor)
    assert _pages(app, version_id) == [
        ("page_1", None, ["staff_count", "programme_name"]),
        ("page_2", None, []),
    ]
    analyst.post_form(f"/en/staff/pages/{repeat_page}/repeat", {}, form_page=editor)
    analyst.post_form(f"/en/staff/pages/{repeat_page}/delete", {}, form_page=editor)
    assert _pages(app, version_id) == [("page_1", None, ["staff_count", "programme_name"])]
