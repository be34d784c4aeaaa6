"""Importing the rest of an XLSForm: the author reads the whole report of a refused
form, then chooses to import it without the rows it cannot take (listed in the new
draft's import notes) or not at all; nothing changes until they choose."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, select

from surveyapp.extensions import db
from surveyapp.models import Question, Questionnaire, QuestionnaireVersion
from surveyapp.questionnaires.xlsform.importer import import_xlsform
from tests.conftest import csrf_token

IMPORT = "/en/staff/questionnaires/import"
REST = "/en/staff/questionnaires/import/rest"


def workbook(**sheets: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


#: A form with an unsupported question, a question that refers to it, a group holding
#: an unsupported background-audio, and questions that import.
FORM = workbook(
    survey=[
        ["type", "name", "label", "relevant"],
        ["text", "city", "City"],  # row 2
        ["background-audio", "code", "Scan the code"],  # row 3: refused
        ["integer", "copies", "How many copies?", "${code} != ''"],  # row 4: refers to row 3
        ["begin group", "extra", "Extra"],  # row 5
        ["background-audio", "code2", "Another code"],  # row 6: refused
        ["end group", "", ""],  # row 7
        ["select_one yn", "agree", "Do you agree?", "${a} = ‘yes’"],  # row 8
        ["text", "a", "A"],  # row 9
    ],
    choices=[["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
)


def _names(version_id: int) -> set[str]:
    return set(db.session.scalars(select(Question.name).where(Question.version_id == version_id)))


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Questionnaire))


def test_by_default_a_form_with_a_refused_row_is_not_imported(app):
    with app.app_context():
        result = import_xlsform(FORM, "form.xlsx")
        assert not result.ok and result.can_import_rest
        # the report names every row that importing the rest would leave out, also the
        # one that refers to a refused question
        assert [(row.row, row.through) for row in result.left_out] == [(3, 3), (4, 4), (6, 6)]
        assert not db.session.scalar(select(Questionnaire).where(Questionnaire.name == "form"))


def test_importing_the_rest_leaves_out_the_rows_and_what_refers_to_them(app):
    with app.app_context():
        result = import_xlsform(FORM, "form.xlsx", import_rest=True)
        assert result.ok, result.errors
        assert _names(result.version.id) == {"city", "agree", "a"}
        left = [(row.row, row.through) for row in result.left_out]
        assert left == [(3, 3), (4, 4), (6, 6)]
        notes = db.session.get(QuestionnaireVersion, result.version.id).import_notes
        assert "survey, row 3" in notes and "background-audio" in notes
        assert "survey, row 4" in notes and "${code}" in notes
        # a curly-quoted string is read as a straight one, with a warning
        agree = db.session.scalar(
            select(Question).where(
                Question.name == "agree", Question.version_id == result.version.id
            )
        )
        assert agree.relevant == "${a} = 'yes'"
        assert any("Curly quotes" in str(w) for w in result.warnings)


def test_a_problem_that_is_not_on_a_row_keeps_the_whole_form_out(app):
    data = workbook(survey=[["type", "name", "label"], ["background-audio", "code", "Scan"]])
    with app.app_context():
        result = import_xlsform(data, "form.xlsx", import_rest=True)
        assert not result.ok and not result.can_import_rest
        assert "The form has no questions" in " ".join(str(e) for e in result.errors)


def test_a_whole_repeat_is_left_out_with_what_is_inside_it(app):
    data = workbook(
        survey=[
            ["type", "name", "label"],
            ["text", "city", "City"],
            ["begin repeat", "people", "People"],
            ["text", "person", "Name"],
            ["end repeat", "", ""],
        ]
    )
    with app.app_context():
        result = import_xlsform(data, "form.xlsx")
        if result.ok:  # the repeats branch makes repeats import; nothing to leave out then
            return
        assert [(row.row, row.through) for row in result.left_out] == [(3, 5)]
        result = import_xlsform(data, "form.xlsx", import_rest=True)
        assert result.ok
        assert _names(result.version.id) == {"city"}


def _upload(analyst, data=FORM, lang="en"):
    return analyst.post_form(
        IMPORT.replace("/en/", f"/{lang}/"),
        {"form_file": (io.BytesIO(data), "form.xlsx"), "name": "partial"},
        content_type="multipart/form-data",
    )


def _choice(analyst, html: str, choice: str, token: str | None = None):
    fields = dict(re.findall(r'name="(token|filename|name)"[^>]*value="([^"]*)"', html))
    fields = {key: value for key, value in fields.items()}
    if token is not None:
        fields["token"] = token
    data = {"csrf_token": csrf_token(html), "choice": choice, **fields}
    return analyst.client.post(REST, data=data)


def test_the_author_sees_the_whole_report_then_imports_the_rest(app, staff):
    analyst = staff("analyst")
    before = _count(app)
    refused = _upload(analyst)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Nothing was changed." in html and "Import the rest" in html
    assert "survey, row 3" in html and "survey, row 6" in html
    assert _count(app) == before
    made = _choice(analyst, html, "rest")
    assert made.status_code == 303, made.get_data(as_text=True)
    assert _count(app) == before + 1
    editor = analyst.client.get(made.location).get_data(as_text=True)
    assert "Import notes" in editor and "survey, row 3" in editor
    # the kept upload is taken once: the same choice again imports nothing more
    again = _choice(analyst, html, "rest")
    assert again.status_code == 303 and _count(app) == before + 1


def test_the_author_may_refuse_and_nothing_is_imported(app, staff):
    analyst = staff("analyst")
    before = _count(app)
    html = _upload(analyst).get_data(as_text=True)
    refused = _choice(analyst, html, "none")
    assert refused.status_code == 303
    assert _count(app) == before
    # the kept file is gone: choosing the rest afterwards imports nothing
    assert _choice(analyst, html, "rest").status_code == 303
    assert _count(app) == before


def test_a_forged_or_someone_elses_token_imports_nothing(app, staff, make_user):
    analyst = staff("analyst")
    before = _count(app)
    html = _upload(analyst).get_data(as_text=True)
    for token in ("../../etc/passwd", "x" * 32, ""):
        response = _choice(analyst, html, "rest", token=token)
        assert response.status_code == 303
    assert _count(app) == before
    # another staff member cannot take the analyst's kept upload
    other = staff("admin")
    assert _choice(other, html, "rest").status_code in (303, 400)
    assert _count(app) == before


def test_the_report_page_offers_the_choice_in_cyrillic(app, staff):
    analyst = staff("analyst")
    html = _upload(analyst, lang="sr").get_data(as_text=True)
    assert 'value="rest"' in html and 'value="none"' in html
    assert "Import the rest" not in html  # translated


def test_importing_the_rest_keeps_the_choices_file_uploaded_beside_the_form(app, staff):
    """Was: only the workbook was kept for "Import the rest"; the choices file uploaded
    beside it was dropped, and the rest was refused as missing it."""
    form = workbook(
        survey=[
            ["type", "name", "label"],
            ["text", "city", "City"],
            ["background-audio", "code", "Scan the code"],  # refused
            ["select_one_from_file towns.csv", "town", "Nearest town?"],
        ],
    )
    towns = b"name,label\nstruga,Struga\nohrid,Ohrid\n"
    analyst = staff("analyst")
    before = _count(app)
    refused = analyst.post_form(
        IMPORT,
        {
            "form_file": (io.BytesIO(form), "form.xlsx"),
            "choice_files": [(io.BytesIO(towns), "towns.csv")],
            "name": "partial",
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Import the rest" in html and "survey, row 3" in html
    made = _choice(analyst, html, "rest")
    assert made.status_code == 303, made.get_data(as_text=True)
    assert _count(app) == before + 1
    with app.app_context():
        version = db.session.scalar(
            select(QuestionnaireVersion).order_by(QuestionnaireVersion.id.desc())
        )
        town = db.session.scalar(
            select(Question).where(Question.version_id == version.id, Question.name == "town")
        )
        assert [c.value for c in town.choice_list.choices] == ["struga", "ohrid"]
