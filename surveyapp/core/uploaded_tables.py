"""Reading a table someone uploaded (``read_table``: the first sheet of an .xlsx, or a
CSV file), defensively: sizes, zip parts and their compression, rows and columns are
limited, and a file that cannot be read is refused with a reason (``TableRefused``).
Moved out of ``spreadsheets``, which writes them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

# Only the exception class, to catch what openpyxl raises; parsing goes through defusedxml.
from xml.etree.ElementTree import ParseError  # nosec B405

from defusedxml import DefusedXmlException

#: Largest upload, and largest total size of an .xlsx once unpacked.
MAX_TABLE_BYTES = 50 * 1024 * 1024
#: Largest ratio of unpacked to packed size of any part of an .xlsx (a zip bomb's is huge).
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class TableRefused(ValueError):
    """An uploaded table that cannot be read. ``code`` says why: "empty", "xls" (an
    Excel 97-2003 file), "damaged", "too_large", "too_many_parts", "compressed",
    "doctype", "not_utf8", "too_many_rows", "too_many_columns"; ``limit`` is the limit
    that was passed, where there is one."""

    def __init__(self, code: str, limit: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


@dataclass
class Table:
    """The first sheet of a workbook, or a CSV file, as text: ``headers`` as written,
    and each row with content as (its line or row number, cells aligned with headers)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, max_rows: int = 10_000, max_columns: int = 100) -> Table:
    """Read an uploaded .xlsx (its first sheet) or CSV (UTF-8, comma, semicolon or tab).

    The kind of file is told by its first bytes, never by its name. An .xlsx is
    refused before openpyxl opens it when it would unpack to more than
    ``MAX_TABLE_BYTES``, a part is compressed suspiciously well, or a part has a
    document type declaration. Raises ``TableRefused``.
    """
    if not data.strip():
        raise TableRefused("empty")
    if len(data) > MAX_TABLE_BYTES:
        raise TableRefused("too_large", MAX_TABLE_BYTES // (1024 * 1024))
    if data.startswith(OLE2_MAGIC):
        raise TableRefused("xls")
    if data.startswith(ZIP_MAGIC):
        rows: Iterator[tuple[int, list[object]]] = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    return _collect_table(rows, max_rows, max_columns)


def _collect_table(
    rows: Iterator[tuple[int, list[object]]], max_rows: int, max_columns: int
) -> Table:
    headers: list[str] | None = None
    collected: list[tuple[int, list[str]]] = []
    for number, values in rows:
        texts = [cell_text(value) for value in values]
        if headers is None:
            if not any(texts):
                continue  # blank lines above the header
            headers = texts
            while headers and not headers[-1]:
                headers.pop()
            if len(headers) > max_columns:
                raise TableRefused("too_many_columns", max_columns)
            continue
        cells = (texts + [""] * len(headers))[: len(headers)]
        if any(cells):
            if len(collected) >= max_rows:
                raise TableRefused("too_many_rows", max_rows)
            collected.append((number, cells))
    return Table(headers or [], collected)


def cell_text(value: object) -> str:
    """A cell as the text a person typed: 3.0 → "3", a date → 2027-03-15."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableRefused("not_utf8") from None
    if "\x00" in text:
        raise TableRefused("damaged")
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    start = 1
    try:
        for row in reader:
            yield start, list(row)
            start = reader.line_num + 1
    except csv.Error:
        raise TableRefused("damaged") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    _check_zip(data)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        raise TableRefused("damaged") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableRefused("empty")
        sheet.reset_dimensions()  # declared sizes are often wrong (or huge)
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except (ParseError, DefusedXmlException, ValueError):  # read lazily
            raise TableRefused("damaged") from None
    finally:
        workbook.close()


def _check_zip(data: bytes) -> None:
    """Refuse a zip bomb by what the zip's directory says (zipfile then never reads past
    a part's declared size), and any part with a DTD (entities are how XML bombs work)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise TableRefused("damaged") from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise TableRefused("too_many_parts")
    if sum(member.file_size for member in members) > MAX_TABLE_BYTES:
        raise TableRefused("too_large", MAX_TABLE_BYTES // (1024 * 1024))
    for member in members:
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            raise TableRefused("compressed")
    for member in members:
        try:
            part = archive.read(member).replace(b"\x00", b"").lower()
        except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
            raise TableRefused("damaged") from None
        if b"<!doctype" in part or b"<!entity" in part:
            raise TableRefused("doctype")
