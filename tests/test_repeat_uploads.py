"""A file question inside a repeat (#20). Repeat pages do not take files: the page is
not multipart and ``responses.repeat_page`` stores no file, so each entry's photo
would be dropped without a word. Until they do, such a form is refused: by the
XLSForm importer, and by the editor's check before publishing."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import QuestionnaireVersion
from surveyapp.questionnaires.editing import text_edits
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.repeat_support import repeat_workbook
from tests.test_editor import _new_pilot, _page_id
from tests.test_xlsform import messages

SURVEY = [
    ["type", "name", "label::English (en)", "label::Македонски (mk)"],
    ["begin repeat", "programme", "Youth programmes", "Програми за млади"],
    ["text", "pname", "Name of the programme", "Име на програмата"],
    ["image", "pphoto", "A photo of the programme", "Фотографија од програмата"],
    ["end repeat"],
    ["begin group", "after", "After", "После"],
    ["file", "plan", "Your plan", "Вашиот план"],
    ["end group"],
]


def test_the_importer_refuses_a_file_question_inside_a_repeat(app):
    with app.app_context():
        result = import_xlsform(repeat_workbook(SURVEY), "youth.xlsx")
        assert not result.ok
        said = messages(result.errors)
        assert said.count("inside a repeat is not supported") == 1, said
        assert "Row 4" in said or "row 4" in said, said


def test_the_editor_will_not_publish_a_file_question_inside_a_repeat(app, staff):
    analyst = staff("analyst")
    version_id = _new_pilot(analyst)
    editor = f"/en/staff/questionnaires/{version_id}"
    page_id = _page_id(app, version_id)
    analyst.post_form(
        f"/en/staff/pages/{page_id}/questions/new",
        {"name": "site_photo", "type": "image", "label": "A photo of the site"},
    )
    analyst.post_form(f"/en/staff/pages/{page_id}/repeat", {}, form_page=editor)
    with app.app_context():
        page = db.session.get(QuestionnaireVersion, version_id).pages[0]
        assert page.repeat and [q.name for q in page.questions] == ["site_photo"]
    html = analyst.client.get(editor).get_data(as_text=True)
    assert "a file question cannot be inside a repeat" in html
    with app.app_context():  # nothing else stands in the way of publishing
        text_edits.set_source_text(version_id, "privacy.text", "Your answers stay with us.")
        text_edits.set_source_text(version_id, "privacy.consent", "I agree.")
    analyst.post_form(f"{editor}/publish", {}, form_page=editor)
    with app.app_context():
        status = db.session.scalar(
            select(QuestionnaireVersion.status).where(QuestionnaireVersion.id == version_id)
        )
    assert status == "draft"
