"""CSV and XLSX writing shared by every download: a BOM for Excel, formulas neutralised.

Every cell goes through ``neutralise`` here, headers and sheet names included,
so no caller can forget it: a question label or a municipality name typed by a
translator or an editor reaches these files, and a spreadsheet would run text
that starts like a formula (CWE-1236).

Cells keep their type: ints and floats are numbers, ``date`` and ``datetime``
are date cells with a date format in XLSX (a time zone is turned into UTC, which
Excel cannot store) and ISO 8601 text in CSV ("2026-03-01", "2026-03-01T09:30:00Z").
An XLSX sheet's first row is its header: bold, frozen, with a filter.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text starting like a formula gets a leading apostrophe; numbers and other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


_NOT_IN_SHEET_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_title(text: str) -> str:
    """A worksheet name Excel accepts (31 characters, none of []:*?/\\) that is not a formula."""
    title = text.translate(_NOT_IN_SHEET_TITLES).strip().lstrip("".join(FORMULA_STARTS) + "'")
    return title[:31].strip() or "Sheet"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "\t" not in text


def csv_chunks(rows: Iterator[list[object]]) -> Iterator[str]:
    """CSV text in chunks, starting with a BOM so Excel reads UTF-8 (Cyrillic) right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff"
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value) for value in row])
        if number % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: list[list[object]]) -> str:
    """A small CSV (profiles, peer lists) as text with a BOM; formulas neutralised."""
    return "".join(csv_chunks(iter(rows)))


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            text = value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
            return text + "Z"
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def _xlsx_value(value: object) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return neutralise(value)


@dataclass
class Sheet:
    """A worksheet: its rows (the first is the header) and column widths in characters
    (columns past ``widths`` keep Excel's default)."""

    title: str
    rows: Iterable[list[object]]
    widths: Sequence[float] = ()


def write_xlsx(
    rows: Iterator[list[object]], title: str = "responses"
) -> tempfile.SpooledTemporaryFile:
    """One sheet of ``rows`` (the first is the header) as an XLSX in a temporary file."""
    return write_workbook([Sheet(title, rows)])


def write_workbook(sheets: Sequence[Sheet]) -> tempfile.SpooledTemporaryFile:
    """An XLSX of ``sheets`` in a temporary file. openpyxl's write-only mode streams each
    sheet's rows to disk, so memory stays flat however many rows there are."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(sheet_title(spec.title))
        for number, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = width
        # Set before the first row: write-only sheets write their views first.
        sheet.freeze_panes = "A2"
        rows = iter(spec.rows)
        header = next(rows, [])
        bold = Font(bold=True)
        cells = []
        for value in header:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        count = 1
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
            count += 1
        if header:  # written with the sheet's end, so the last row is known by then
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count}"
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
