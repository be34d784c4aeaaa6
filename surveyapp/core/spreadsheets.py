"""CSV and XLSX writing shared by every download: a BOM for Excel, formulas neutralised."""

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
        writer.writerow(["" if value is None else value for value in row])
        if number % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_text(rows: list[list[object]]) -> str:
    """A small CSV (profiles, peer lists) as text with a BOM; formulas neutralised."""
    return "".join(csv_chunks(iter([[neutralise(cell) for cell in row] for row in rows])))


def write_xlsx(
    rows: Iterator[list[object]], title: str = "responses"
) -> tempfile.SpooledTemporaryFile:
    """An XLSX in a temporary file (openpyxl's write-only mode keeps memory flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append(row)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(output)
    output.seek(0)
    return output
