"""Exports of responses open cleanly in a spreadsheet, Cyrillic included, formulas defused;
in XLSX numbers are numbers and dates are dates, the header is frozen and filtered, and a
codebook says what every short column header stands for."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.core import spreadsheets
from surveyapp.extensions import db
from surveyapp.models import Campaign, Response
from surveyapp.questionnaires.question_types import whole_if_integral
from surveyapp.questionnaires.texts import load_texts
from surveyapp.questionnaires.versions import load_version
from surveyapp.responses import exports
from surveyapp.responses.reads import saved_answers

FORMULA = '=HYPERLINK("http://evil.example","click")'
SUPPORT = [
    "peer_exchange",
    "staff_training",
    "action_plan",
    "safety_council",
    "youth_programmes",
    "crisis_planning",
    "coordination",
    "other",
]


def _campaign_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Campaign.id))


def _base(app) -> str:
    return f"/en/staff/campaigns/{_campaign_id(app)}"


def _workbook(client, url: str):
    """The XLSX at ``url``, read back in openpyxl's normal mode (views and filters too)."""
    with client.get(url) as got:
        assert got.status_code == 200, got.status_code
        assert got.mimetype.endswith("spreadsheetml.sheet")
        return load_workbook(io.BytesIO(got.data))


def _records(sheet) -> list[dict]:
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _csv_records(client, url: str) -> tuple[list[str], list[dict]]:
    with client.get(url) as got:
        assert got.status_code == 200
        raw = got.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_csv_export_is_utf8_with_bom_one_row_per_response(app, staff, make_response):
    make_response(municipality="rs-nis", role="councillor", lang="sr", top_priority="Млади и школе")
    make_response(municipality="al-tirane", role="mayor", lang="sq", comments=FORMULA)
    make_response(municipality="al-tirane", role="mayor", lang="sq", submit=False)
    analyst = staff("analyst")
    header, data = _csv_records(analyst.client, _base(app) + "/responses.csv")
    assert len(data) == 2, "only submitted responses"
    assert header[:4] == ["response_id", "submission_id", "country", "municipality_code"]
    by_place = {row["municipality_code"]: row for row in data}
    assert by_place["rs-nis"]["top_priority"] == "Млади и школе"
    assert by_place["rs-nis"]["role"] == "councillor" and by_place["rs-nis"]["language"] == "sr"
    assert by_place["al-tirane"]["comments"] == "'" + FORMULA


def test_xlsx_export_with_labels_in_a_language(app, staff, make_response):
    make_response(municipality="mk-bitola", lang="mk", comments=FORMULA, safety_council="no")
    analyst = staff("analyst")
    workbook = _workbook(analyst.client, _base(app) + "/responses.xlsx?labels=mk")
    (row,) = _records(workbook["responses"])
    with app.app_context():
        texts = load_texts(db.session.get(Campaign, _campaign_id(app)).version_id, "mk")
        assert row["safety_council"] == texts.choice_label("council_status", "no")
    assert row["municipality"] == "Битола"
    assert row["role"] == "Градоначалник"
    assert row["comments"] == "'" + FORMULA
    scale_value = row["social_cohesion_tensions_need"]
    assert any("\u0400" <= ch <= "\u04ff" for ch in scale_value), "choice labels in Macedonian"
    codebook = [list(r) for r in workbook["codebook"].iter_rows(values_only=True)]
    assert any("општина" in str(r[1]).lower() for r in codebook), "questions in Macedonian"


def test_exports_are_for_analysts_and_admins_only(app, staff, client):
    url = _base(app) + "/responses.csv"
    assert client.get(url).status_code == 302
    assert staff("translator").client.get(url).status_code == 403


# --- typed cells, frozen and filtered header ----------------------------------------------


def test_xlsx_numbers_are_numbers_and_dates_are_dates(app, staff, make_response):
    make_response(
        municipality="mk-bitola",
        years_experience=12,
        staff_prevention=2.5,
        strategy_date=date(2019, 5, 1),
        social_cohesion_tensions_need="4",
        social_cohesion_tensions_capacity="dk",
    )
    analyst = staff("analyst")
    workbook = _workbook(analyst.client, _base(app) + "/responses.xlsx?labels=codes")
    sheet = workbook["responses"]
    (row,) = _records(sheet)
    assert type(row["response_id"]) is int
    assert type(row["years_experience"]) is int and row["years_experience"] == 12
    assert type(row["staff_prevention"]) is float and row["staff_prevention"] == 2.5
    assert type(row["social_cohesion_tensions_need"]) is int, "a numeric code is a number"
    assert row["social_cohesion_tensions_need"] == 4
    assert row["social_cohesion_tensions_capacity"] == "dk", "a text code stays text"
    assert row["self_registered"] == 0
    assert isinstance(row["strategy_date"], datetime), "a real date cell"
    assert row["strategy_date"].date() == date(2019, 5, 1)
    assert isinstance(row["started_at"], datetime) and isinstance(row["submitted_at"], datetime)
    assert row["submitted_at"] >= row["started_at"]
    header = [cell.value for cell in sheet[1]]
    date_cell = sheet.cell(row=2, column=header.index("strategy_date") + 1)
    assert (
        date_cell.is_date and "yy" in date_cell.number_format and "h" not in date_cell.number_format
    )
    time_cell = sheet.cell(row=2, column=header.index("submitted_at") + 1)
    assert time_cell.is_date and "h" in time_cell.number_format


def test_xlsx_header_row_is_frozen_bold_and_filtered(app, staff, make_response):
    make_response(municipality="mk-bitola")
    make_response(municipality="al-tirane", variant=1)
    analyst = staff("analyst")
    workbook = _workbook(analyst.client, _base(app) + "/responses.xlsx?labels=mk")
    assert workbook.sheetnames == ["responses", "codebook"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
        assert sheet.cell(1, 1).font.b, "a bold header"
    assert workbook["responses"].max_row == 3


def test_column_headers_are_the_questions_short_names_in_labels_and_codes(
    app, staff, make_response
):
    make_response(municipality="mk-bitola")
    analyst = staff("analyst")
    with app.app_context():
        version = load_version(db.session.get(Campaign, _campaign_id(app)).version_id)
        names = [q.name for page in version.pages for q in page.questions]
    headers = []
    for labels in ("mk", "codes"):
        workbook = _workbook(analyst.client, _base(app) + f"/responses.xlsx?labels={labels}")
        headers.append([cell.value for cell in workbook["responses"][1]])
    assert headers[0] == headers[1], "the same short headers with labels as with codes"
    header = headers[0]
    assert header[: len(exports.FIXED_COLUMNS)] == exports.FIXED_COLUMNS
    assert [h for h in header if h in names] == names
    assert all(len(h) <= 64 for h in header)


def test_multiple_choice_has_the_joined_cell_and_one_0_1_column_per_option(
    app, staff, make_response
):
    make_response(municipality="mk-bitola", support_wanted=["peer_exchange", "action_plan"])
    make_response(municipality="mk-ohrid", support_wanted=["other"])
    unanswered = make_response(municipality="al-tirane", support_wanted=[])
    analyst = staff("analyst")
    option_columns = [f"support_wanted/{code}" for code in SUPPORT]

    workbook = _workbook(analyst.client, _base(app) + "/responses.xlsx?labels=codes")
    header = [cell.value for cell in workbook["responses"][1]]
    start = header.index("support_wanted")
    assert header[start + 1 : start + 1 + len(SUPPORT)] == option_columns
    rows = {row["municipality_code"]: row for row in _records(workbook["responses"])}
    bitola, ohrid, tirane = rows["mk-bitola"], rows["mk-ohrid"], rows["al-tirane"]
    assert bitola["support_wanted"] == "action_plan; peer_exchange"
    assert [bitola[c] for c in option_columns] == [1, 0, 1, 0, 0, 0, 0, 0]
    assert [ohrid[c] for c in option_columns] == [0, 0, 0, 0, 0, 0, 0, 1]
    assert all(type(ohrid[c]) is int for c in option_columns)
    assert tirane["response_id"] == unanswered
    assert tirane["support_wanted"] is None
    assert [tirane[c] for c in option_columns] == [None] * 8, "not answered: empty, not 0"

    labelled = _workbook(analyst.client, _base(app) + "/responses.xlsx?labels=mk")
    rows = {row["municipality_code"]: row for row in _records(labelled["responses"])}
    with app.app_context():
        texts = load_texts(db.session.get(Campaign, _campaign_id(app)).version_id, "mk")
        expected = "; ".join(
            texts.choice_label("support_types", code) for code in ("action_plan", "peer_exchange")
        )
    assert rows["mk-bitola"]["support_wanted"] == expected
    assert [rows["mk-bitola"][c] for c in option_columns] == [1, 0, 1, 0, 0, 0, 0, 0]

    _header, records = _csv_records(analyst.client, _base(app) + "/responses.csv")
    rows = {row["municipality_code"]: row for row in records}
    assert [rows["mk-bitola"][c] for c in option_columns] == ["1", "0", "1"] + ["0"] * 5
    assert [rows["al-tirane"][c] for c in option_columns] == [""] * 8


def test_csv_writes_dates_as_iso_text_and_whole_numbers_without_decimals(app, staff, make_response):
    make_response(municipality="mk-bitola", years_experience=12, strategy_date=date(2019, 5, 1))
    analyst = staff("analyst")
    _header, (row,) = _csv_records(analyst.client, _base(app) + "/responses.csv")
    assert row["years_experience"] == "12"
    assert row["strategy_date"] == "2019-05-01"
    assert row["submitted_at"].endswith("Z") and "T" in row["submitted_at"]
    assert datetime.fromisoformat(row["submitted_at"].removesuffix("Z"))


# --- the codebook -------------------------------------------------------------------------


def test_codebook_sheet_explains_every_column_in_the_chosen_language(app, staff, make_response):
    make_response(municipality="mk-bitola")
    analyst = staff("analyst")
    url = _base(app) + "/responses.xlsx?labels=codes&language=mk"
    workbook = _workbook(analyst.client, url)
    header = [cell.value for cell in workbook["responses"][1]]
    codebook = [list(r) for r in workbook["codebook"].iter_rows(values_only=True)]
    assert codebook[0] == ["column", "question", "type", "code", "label"]
    described = {row[0]: row for row in codebook[1:] if row[1]}
    assert list(described) == header, "every column, in order, once with its description"
    with app.app_context():
        version_id = db.session.get(Campaign, _campaign_id(app)).version_id
        texts = load_texts(version_id, "mk")
        version = load_version(version_id)
        question = next(q for p in version.pages for q in p.questions if q.name == "support_wanted")
        label = texts.label(question)
        option = texts.choice_label("support_types", "peer_exchange")
        scale_four = texts.choice_label("need_scale", "4")
    assert described["support_wanted"][1] == label
    assert described["support_wanted/peer_exchange"][1] == f"{label}: {option}"
    assert described["years_experience"][2] == "Број", "the type in Macedonian"
    choices = {(row[0], row[3]): row[4] for row in codebook[1:] if row[3] is not None}
    assert choices[("support_wanted", "peer_exchange")] == option
    assert choices[("social_cohesion_tensions_need", "4")] == scale_four
    assert choices[("role", "mayor")] == "Градоначалник"
    assert choices[("self_registered", 1)] and choices[("self_registered", 0)]


def test_codebook_csv_for_the_csv_export(app, staff):
    analyst = staff("analyst")
    header, records = _csv_records(analyst.client, _base(app) + "/codebook.csv?language=sq")
    assert header == ["column", "question", "type", "code", "label"]
    years = next(r for r in records if r["column"] == "years_experience" and r["question"])
    assert years["type"] == "Numër"
    assert analyst.client.get(_base(app) + "/codebook.csv?language=xx").status_code == 303


# --- formulas, batches, labels missing ------------------------------------------------------


def _cells(answers: dict, question) -> list[object]:
    """What the export writes for a question's answer as saved_answers gives it back."""
    value = answers.get(question.id)
    if question.type == "multiple_choice":
        codes = [c.value for c in question.choice_list.choices]
        if value is None:
            return [None] * (1 + len(codes))
        return ["; ".join(sorted(value))] + [1 if code in value else 0 for code in codes]
    if question.type in ("single_choice", "scale"):
        return [exports.code_cell(value)]
    if question.type == "number":
        return [whole_if_integral(value)]
    return [value]


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
                cell
                for page in version.pages
                for q in page.questions
                for cell in _cells(answers, q)
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
    assert rows[0]["safety_council"] == "no", "the code, where the label would be"


def test_a_formula_planted_in_a_translation_is_defused_in_every_export(app, staff, make_response):
    """A translator's text reaches the codebook and the labelled cells: it must not run as
    a formula (ASVS 5.3.x)."""
    from surveyapp.questionnaires.texts import save_translation

    make_response(municipality="mk-bitola", lang="mk", safety_council="no")
    campaign_id = _campaign_id(app)
    with app.app_context():
        version_id = db.session.get(Campaign, campaign_id).version_id
        save_translation(version_id, "q.comments.label", "mk", FORMULA)
        save_translation(version_id, "choice.council_status.no.label", "mk", FORMULA)
    analyst = staff("analyst")
    base = _base(app)
    _header, codebook = _csv_records(analyst.client, base + "/codebook.csv?language=mk")
    assert next(r for r in codebook if r["column"] == "comments")["question"] == "'" + FORMULA
    _header, (row,) = _csv_records(analyst.client, base + "/responses.csv?labels=mk")
    assert row["safety_council"] == "'" + FORMULA
    workbook = _workbook(analyst.client, base + "/responses.xlsx?labels=mk")
    (row,) = _records(workbook["responses"])
    assert row["safety_council"] == "'" + FORMULA
    codebook_rows = list(workbook["codebook"].iter_rows(values_only=True))
    assert ("comments", "'" + FORMULA) in {(r[0], r[1]) for r in codebook_rows}
    assert not any(
        isinstance(value, str) and value.startswith("=")
        for sheet in workbook.worksheets
        for r in sheet.iter_rows(values_only=True)
        for value in r
    )


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
