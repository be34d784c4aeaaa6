"""Exports of responses open cleanly in a spreadsheet, Cyrillic included, formulas defused."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.core import spreadsheets
from surveyapp.extensions import db
from surveyapp.models import Campaign, Response
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses import exports
from surveyapp.responses.reads import saved_answers

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def test_csv_export_is_utf8_with_bom_one_row_per_response(app, staff, make_response):
    make_response(municipality="rs-nis", role="councillor", lang="sr", top_priority="Млади и школе")
    make_response(municipality="al-tirane", role="mayor", lang="sq", comments=FORMULA)
    make_response(municipality="al-tirane", role="mayor", lang="sq", submit=False)
    analyst = staff("analyst")
    with analyst.client.get(f"/en/staff/campaigns/{_campaign_id(app)}/responses.csv") as got:
        assert got.status_code == 200
        raw = got.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert len(data) == 2, "only submitted responses"
    assert header[:4] == ["response_id", "submission_id", "country", "municipality_code"]
    by_place = {row[3]: dict(zip(header, row, strict=True)) for row in data}
    assert by_place["rs-nis"]["top_priority"] == "Млади и школе"
    assert by_place["rs-nis"]["role"] == "councillor" and by_place["rs-nis"]["language"] == "sr"
    assert by_place["al-tirane"]["comments"] == "'" + FORMULA


def test_xlsx_export_with_labels_in_a_language(app, staff, make_response):
    make_response(municipality="mk-bitola", lang="mk", comments=FORMULA)
    analyst = staff("analyst")
    url = f"/en/staff/campaigns/{_campaign_id(app)}/responses.xlsx?labels=mk"
    with analyst.client.get(url) as got:
        assert got.status_code == 200
        data = got.data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    labels = header[len(exports.FIXED_COLUMNS) :]
    assert any("општина" in str(h).lower() for h in labels), "question labels in Macedonian"
    assert row["municipality"] == "Битола"
    assert row[header[-1]] == "'" + FORMULA
    scale_value = next(v for h, v in row.items() if isinstance(v, str) and "–" in v)
    assert any("\u0400" <= ch <= "\u04ff" for ch in scale_value), "choice labels in Macedonian"


def test_exports_are_for_analysts_and_admins_only(app, staff, client):
    url = f"/en/staff/campaigns/{_campaign_id(app)}/responses.csv"
    assert client.get(url).status_code == 302
    assert staff("translator").client.get(url).status_code == 403


def _cell(value: object) -> object:
    """What the export writes for a value as saved_answers gives it back."""
    if isinstance(value, list):
        return "; ".join(sorted(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_export_in_several_batches_has_each_submitted_response_once_in_order(
    app, make_response, monkeypatch
):
    monkeypatch.setattr(exports, "BATCH", 2)
    submitted = []
    for number in range(5):
        if number == 2:
            make_response(municipality="rs-nis", submit=False)
        submitted.append(
            make_response(
                municipality=("mk-bitola", "al-tirane")[number % 2],
                variant=number % 2,
                comments=f"note {number}",
            )
        )
    with app.app_context():
        rows = list(exports.response_rows(_campaign_id(app), None))
        header, data = rows[0], rows[1:]
        assert [row[0] for row in data] == submitted, "every submitted response once, in order"
        for row in data:
            response = db.session.get(Response, row[0])
            version = load_version(response.version_id)
            answers = saved_answers(response, version)
            expected = [
                _cell(answers[q.id]) if q.id in answers else ""
                for page in version.pages
                for q in page.questions
            ]
            answers_part = row[len(exports.FIXED_COLUMNS) :]
            assert answers_part == expected, f"the answers of response {row[0]}"
            assert row[header.index("comments")] == f"note {submitted.index(row[0])}"


def test_a_choice_without_a_label_is_exported_as_its_code(app, make_response):
    """Labels asked for, but a choice has none in any language: the cell says the code."""
    from surveyapp.models import TextEntry

    make_response(municipality="mk-bitola", lang="mk", safety_council="no")
    with app.app_context():
        for entry in db.session.scalars(
            select(TextEntry).where(TextEntry.key.like("choice.%.no.label"))
        ):
            entry.text = ""
        db.session.commit()
        text = "".join(spreadsheets.csv_chunks(exports.response_rows(_campaign_id(app), "mk")))
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert "no" in rows[0].values(), "the code, where the label would be"


def test_a_formula_planted_in_a_translated_label_is_defused_in_every_export_header(
    app, staff, make_response
):
    """A translator's text reaches the header row: it must not run as a formula (ASVS 5.3.x)."""
    from surveyapp.questionnaires.texts import save_translation

    make_response(municipality="mk-bitola", lang="mk", comments="fine")
    campaign_id = _campaign_id(app)
    with app.app_context():
        version_id = db.session.get(Campaign, campaign_id).version_id
        save_translation(version_id, "q.comments.label", "mk", FORMULA)
    analyst = staff("analyst")
    base = f"/en/staff/campaigns/{campaign_id}/responses"
    with analyst.client.get(base + ".csv?labels=mk") as got:
        header = next(csv.reader(io.StringIO(got.get_data().decode("utf-8-sig"))))
    assert header[-1] == "'" + FORMULA
    with analyst.client.get(base + ".xlsx?labels=mk") as got:
        workbook = load_workbook(io.BytesIO(got.data), read_only=True)
        header = next(workbook.active.iter_rows(values_only=True))
        workbook.close()
    assert header[-1] == "'" + FORMULA


def test_spreadsheet_writers_defuse_every_cell_and_the_sheet_name():
    rows = [["=1+1", "@SUM(A1)", "-2", 3, None], ["+cmd|' /C calc'!A0", "ok", "1.5", 4.5, "x"]]
    text = "".join(spreadsheets.csv_chunks(iter(rows)))
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0][:3] == ["'=1+1", "'@SUM(A1)", "-2"], "negative numbers stay numbers"
    assert parsed[1][0] == "'+cmd|' /C calc'!A0"
    with spreadsheets.write_xlsx(iter(rows), title="=HYPERLINK(x)/[a]") as output:
        workbook = load_workbook(output, read_only=True)
        assert workbook.sheetnames == ["HYPERLINK(x)  a"]
        values = [list(r) for r in workbook.active.iter_rows(values_only=True)]
        workbook.close()
    assert values[0][:4] == ["'=1+1", "'@SUM(A1)", "-2", 3]
    assert values[1][3] == 4.5
