"""The streamed XLSX of the large exports (core/xlsx_stream.py), read back by openpyxl
as an analyst's tools read it: types kept, formulas never run, any text survives."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from surveyapp.core import xlsx_stream
from surveyapp.core.spreadsheets import Sheet


def _read(rows, **kwargs):
    output = xlsx_stream.stream_workbook([Sheet("responses", iter(rows), [10, 20])], **kwargs)
    return load_workbook(io.BytesIO(output.read()))


def test_cells_keep_their_type_and_the_header_is_bold_frozen_and_filtered():
    rows = [
        ["id", "when", "day", "score", "note", "yes"],
        [1, datetime(2026, 3, 1, 9, 30, tzinfo=UTC), date(2026, 3, 2), 2.5, "Скопје", True],
        [2, None, None, None, None, None],
    ]
    sheet = _read(rows)["responses"]
    assert [c.value for c in sheet[2]] == [
        1,
        datetime(2026, 3, 1, 9, 30),
        datetime(2026, 3, 2),
        2.5,
        "Скопје",
        True,
    ]
    assert sheet["C2"].is_date and "h" not in sheet["C2"].number_format
    assert sheet["B2"].is_date and "h" in sheet["B2"].number_format
    assert [c.value for c in sheet[3]] == [2, None, None, None, None, None]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.column_dimensions["B"].width > 20


def test_text_that_starts_like_a_formula_is_text_and_any_character_survives():
    odd = "a & b < c > d \"q\" 'x'  leading and trailing  "
    rows = [["=SUM(A1)"], ['=HYPERLINK("http://x")'], ["-2+3"], [odd], ["bell\x07end"], ["-5"]]
    sheet = _read(rows)["responses"]
    values = [row[0].value for row in sheet.iter_rows()]
    assert values[0] == "'=SUM(A1)"
    assert values[1].startswith("'=")
    assert values[2] == "'-2+3"
    assert values[3] == odd
    assert values[4] == "bell_x0007_end"  # as Excel writes a character XML cannot hold
    assert values[5] == "-5", "a number typed as text stays text"
    assert all(row[0].data_type != "f" for row in sheet.iter_rows())


def test_texts_past_the_shared_table_are_written_in_their_cells(monkeypatch, tmp_path):
    monkeypatch.setattr(xlsx_stream, "SHARED_TEXTS", 3)
    rows = [["text"], *[[f"answer {n}"] for n in range(10)], ["answer 1"]]
    path = tmp_path / "export.xlsx"
    xlsx_stream.stream_workbook([Sheet("responses", iter(rows))], target=path)
    workbook = load_workbook(path, read_only=True)
    sheet = workbook["responses"]
    assert sheet.max_row == 12, "the sheet's size is declared"
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [r[0] for r in rows]
    workbook.close()


def test_an_empty_sheet_and_several_sheets():
    output = xlsx_stream.stream_workbook(
        [Sheet("responses", iter([["a", "b"]])), Sheet("codebook", iter([]))]
    )
    workbook = load_workbook(io.BytesIO(output.read()))
    assert workbook.sheetnames == ["responses", "codebook"]
    assert [c.value for c in workbook["responses"][1]] == ["a", "b"]
    assert workbook["codebook"].max_row == 1
