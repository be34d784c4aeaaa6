"""The codebook of a questionnaire version, as a printable page and as an XLSX: every
variable with its names in each format, its question in each language, its type and
measurement level, its values and labels (missing ones marked), its domain and
measure, and its skip rule."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.core.database import write_transaction
from surveyapp.extensions import db
from surveyapp.models import Campaign, Question
from surveyapp.responses.variables import plan_variables, variable_name

LONG = "social_cohesion_tensions_capacity"


def _version_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.version_id))


def _with_skip_rule(app) -> None:
    with app.app_context(), write_transaction():
        question = db.session.scalar(select(Question).where(Question.name == "years_experience"))
        question.relevant = "${staff_prevention} > 0"


def test_the_codebook_page_explains_every_variable_in_every_language(app, staff):
    _with_skip_rule(app)
    analyst = staff("analyst")
    export_page = analyst.client.get(f"/mk/staff/campaigns/{db_campaign(app)}/export").get_data(
        as_text=True
    )
    url = f"/mk/staff/questionnaires/{_version_id(app)}/codebook"
    assert f'href="{url}"' in export_page, "a click away from the export page"
    reply = analyst.client.get(url)
    assert reply.status_code == 200
    html = reply.get_data(as_text=True)
    with app.app_context():
        variables = plan_variables(_version_id(app))
    assert html.count('class="codebook-entry"') == len(variables)
    assert "<code>social_cohesion_tensions_capacity</code>" in html, "the SPSS name"
    stata = variable_name(LONG, "dta")
    assert len(stata) < len(LONG) and f"<code>{stata}</code>" in html, "the Stata name, shortened"
    assert 'lang="sq"' in html and 'lang="mk"' in html, "the question in each language"
    assert "Ординално" in html, "scales are ordinal"
    assert "декларирано како недостасувачко" in html, "don't know is marked missing"
    assert "Потреба" in html and "Капацитет" in html, "need and capacity"
    assert "${staff_prevention} &gt; 0" in html, "the skip rule"


def test_the_codebook_as_xlsx(app, staff):
    analyst = staff("analyst")
    with analyst.client.get(f"/sr/staff/questionnaires/{_version_id(app)}/codebook.xlsx") as got:
        assert got.status_code == 200
        workbook = load_workbook(io.BytesIO(got.data))
    assert workbook.sheetnames == ["variables", "values"]
    variables = list(workbook["variables"].iter_rows(values_only=True))
    header = variables[0]
    assert header[:3] == ("Променљива", "SPSS", "Stata")
    assert "Македонски" in header and "Shqip" in header
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in variables[1:]}
    assert rows[LONG]["Stata"] == variable_name(LONG, "dta")
    assert "Ординални" == rows[LONG]["Мерни ниво"]
    values = list(workbook["values"].iter_rows(values_only=True))
    dk = next(row for row in values if row[0] == LONG and row[1] == "dk")
    assert dk[2] == -1 and dk[3] == 1, "don't know: -1, declared missing"


def test_translators_cannot_open_the_codebook(app, staff):
    translator = staff("translator")
    assert (
        translator.client.get(f"/en/staff/questionnaires/{_version_id(app)}/codebook").status_code
        == 403
    )


def db_campaign(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))
