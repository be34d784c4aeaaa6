"""CSV and XLSX writing shared by every download: a BOM for Excel, formulas neutralised.

Every cell goes through ``neutralise`` here, headers and sheet names included,
so no caller can forget it: a question label or a municipality name typed by a
translator or an editor reaches these files, and a spreadsheet would run text
that starts like a formula (CWE-1236).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator

from openpyxl import Workbook

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
        writer.writerow(["" if value is None else neutralise(value) for value in row])
        if number % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: list[list[object]]) -> str:
    """A small CSV (profiles, peer lists) as text with a BOM; formulas neutralised."""
    return "".join(csv_chunks(iter(rows)))


def write_xlsx(
    rows: Iterator[list[object]], title: str = "responses"
) -> tempfile.SpooledTemporaryFile:
    """An XLSX in a temporary file (openpyxl's write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
