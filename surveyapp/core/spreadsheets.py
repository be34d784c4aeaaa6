"""CSV and XLSX writing shared by every download: a BOM for Excel, formulas neutralised
(reading a table someone uploaded: ``uploaded_tables``).

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
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xlsxwriter

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


def csv_chunks(rows: Iterator[list[object]], prepared: bool = False) -> Iterator[str]:
    """CSV text in chunks, starting with a BOM so Excel reads UTF-8 (Cyrillic) right.

    ``prepared``: every cell of ``rows`` is already its field's text (``csv_field``; the
    responses export prepares each choice's label once, not once per cell), so the
    fields are only joined.
    """
    yield "\ufeff"
    if prepared:
        while chunk := list(islice(rows, CSV_CHUNK_ROWS)):
            yield "\r\n".join(map(",".join, chunk)) + "\r\n"  # type: ignore[arg-type]
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    general, starts, plain = _csv_value, FORMULA_STARTS, _PLAIN
    for number, row in enumerate(rows, start=1):
        # Inline, not a call per cell: numbers, None (an empty field) and text that cannot
        # be a formula go as they are; everything else takes _csv_value's general path.
        writer.writerow(
            [
                v
                if (t := type(v)) in plain or (t is str and not v.startswith(starts))  # type: ignore[attr-defined]
                else general(v)
                for v in row
            ]
        )
        if number % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


#: Rows per chunk of CSV text.
CSV_CHUNK_ROWS = 200
#: A field with one of these is quoted, as the csv module's default (excel) dialect does.
_QUOTED = re.compile('[,"\r\n]')


def csv_field(value: object) -> str:
    """A cell as its field's text in ``csv_chunks``' CSV (with other fields in its row):
    numbers as ``str`` writes them, None as nothing, times and dates as ISO text, text
    that starts like a formula neutralised, quoted where the csv module quotes it."""
    kind = type(value)
    if kind is int or kind is float:  # the most frequent: never quoted
        return str(value)
    if not (kind in _PLAIN or (kind is str and not value.startswith(FORMULA_STARTS))):  # type: ignore[attr-defined]
        value = _csv_value(value)
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    if _QUOTED.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_utc(moment: datetime | None) -> str:
    """A stored time (naive, in UTC) as ``csv_field`` writes it once marked as UTC."""
    return moment.isoformat(timespec="seconds") + "Z" if moment else ""


def csv_text(rows: list[list[object]]) -> str:
    """A small CSV (profiles, peer lists) as text with a BOM; formulas neutralised."""
    return "".join(csv_chunks(iter(rows)))


def _csv_datetime(value: datetime) -> str:
    if value.tzinfo is UTC:  # the exports' times: no conversion needed
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if value.tzinfo is not None:
        text = value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        return text + "Z"
    return value.isoformat(timespec="seconds")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _csv_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


#: Cells written to CSV as they are (the csv module writes None as an empty field).
_PLAIN = frozenset({int, float, type(None)})


@dataclass
class Sheet:
    """A worksheet: its rows (the first is the header) and column widths in characters
    (columns past ``widths`` keep Excel's default)."""

    title: str
    rows: Iterable[list[object]]
    widths: Sequence[float] = ()


def write_xlsx(rows: Iterator[list[object]], title: str = "responses") -> io.BytesIO:
    """One sheet of ``rows`` (the first is the header) as an XLSX in a temporary file."""
    return write_workbook([Sheet(title, rows)])


def write_workbook(
    sheets: Sequence[Sheet], target: str | os.PathLike | None = None
) -> io.BytesIO | None:
    """An XLSX of ``sheets``: into the file ``target`` names, or (without one) into a
    file in memory returned at its start.

    For the small workbooks (codebooks, XLSForms, profiles); the responses export has
    its own faster writer (``core.xlsx_stream``). XlsxWriter in its constant-memory mode
    writes each row to a temporary file as soon as the next one begins, so memory stays
    flat however many rows there are (the measurements are in bench/README.md). Imported
    here, on first use: a job worker that writes none does without it.
    """
    import xlsxwriter

    output = None if target is not None else tempfile.SpooledTemporaryFile(max_size=8 << 20)
    workbook = xlsxwriter.Workbook(
        target if target is not None else output,
        {
            "constant_memory": True,
            # Text is text: never a formula, a number or a link because of how it reads.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    formats = _Formats(workbook)
    for spec in sheets:
        _write_sheet(workbook, formats, spec)
    workbook.close()
    if output is None:
        return None
    # Handed back in memory, its temporary file closed here: a download's file is
    # closed only when the response is, and an unclosed one warns when it is collected.
    # (What goes straight to a download is small; large exports are written to a file.)
    output.seek(0)
    data = output.read()
    output.close()
    return io.BytesIO(data)


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.bold = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})


def _write_sheet(workbook: xlsxwriter.Workbook, formats: _Formats, spec: Sheet) -> None:
    sheet = workbook.add_worksheet(sheet_title(spec.title))
    for number, width in enumerate(spec.widths):
        sheet.set_column(number, number, width)
    sheet.freeze_panes(1, 0)
    rows = iter(spec.rows)
    header = next(rows, [])
    for column, value in enumerate(header):
        if isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(0, column, value, formats.bold)
        elif value is not None:
            sheet.write_string(0, column, str(neutralise(str(value))), formats.bold)
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    starts = FORMULA_STARTS
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            kind = type(value)
            if value is None:
                continue
            if kind is int or kind is float:
                write_number(count, column, value)
            elif kind is str:
                if value.startswith(starts):  # type: ignore[attr-defined]
                    value = neutralise(value)
                write_string(count, column, value)
            elif kind is datetime:
                write_datetime(count, column, _naive_utc(value), formats.datetime)  # type: ignore[arg-type]
            elif kind is date:
                write_datetime(count, column, value, formats.date)
            else:
                _write_other(sheet, count, column, value, formats)
    if header:  # the filter covers the header and every row written
        sheet.autofilter(0, 0, max(count, 0), len(header) - 1)


def _naive_utc(value: datetime) -> datetime:
    """Excel keeps no time zone: a zoned time in UTC, without its zone."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _write_other(sheet: Any, row: int, column: int, value: object, formats: _Formats) -> None:
    """A cell of a less common type: bool, Decimal, a datetime or str subclass."""
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, _naive_utc(value), formats.datetime)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, formats.date)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, column, float(value))
    else:
        sheet.write_string(row, column, str(neutralise(str(value))))
