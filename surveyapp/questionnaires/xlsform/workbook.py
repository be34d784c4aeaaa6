"""Reading an XLSForm workbook safely, and the report of what was wrong with it.

What its columns mean (``label::Language (code)`` and the rest) is in
:mod:`surveyapp.questionnaires.xlsform.columns`.

Importing is in :mod:`surveyapp.questionnaires.xlsform.importer`, exporting in
:mod:`surveyapp.questionnaires.xlsform.exporter`; both use the vocabulary here.

Reading is defensive, since anyone on the staff may upload a file made
anywhere: the kind of file is told by its first bytes (never by its name);
an .xlsx is refused before openpyxl opens it when it would unpack to more than
``MAX_UNPACKED_BYTES`` or any part of it is compressed more than
``MAX_COMPRESSION_RATIO`` times; a sheet may hold at most ``MAX_ROWS`` rows
with content under at most ``MAX_COLUMNS`` headers.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from typing import Any

# Only the exception class, to catch what openpyxl raises; parsing goes through defusedxml.
from xml.etree.ElementTree import ParseError  # nosec B405

from defusedxml import DefusedXmlException
from flask_babel import gettext as _

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.core.uploaded_tables import cell_text
from surveyapp.questionnaires import text_keys

log = logging.getLogger(__name__)

#: Largest total size of an .xlsx once unpacked (and largest upload of any kind).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Largest ratio of unpacked to packed size of any part of an .xlsx.
MAX_COMPRESSION_RATIO = 100
#: Most parts an .xlsx may have.
MAX_ZIP_MEMBERS = 1000
#: Most rows with content a sheet may have (the header row included).
MAX_ROWS = 10_000
#: Most headed columns a sheet may have.
MAX_COLUMNS = 500
#: Excel's own limit; rows past it are not read at all.
EXCEL_MAX_ROWS = 1_048_576

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Sheets the importer reads; any other sheet is ignored.
SHEETS = ("survey", "choices", "settings", "domains", "external_choices")
#: Texts of a survey row, per language: the part of their ``q.<name>.<part>`` key.
QUESTION_TEXTS = text_keys.QUESTION_PARTS
#: Our settings columns with a text per language, and the key of their TextEntry.
SETTINGS_TEXTS = {
    "title": text_keys.QUESTIONNAIRE_TITLE,
    "description": text_keys.QUESTIONNAIRE_DESCRIPTION,
    "privacy_notice": text_keys.PRIVACY_TEXT,
    "privacy_consent": text_keys.PRIVACY_CONSENT,
}


@dataclass(frozen=True)
class Issue:
    """A problem found in a form: where it is (1-based row, column by its
    header as written; None where it is about a whole sheet or file) and what.
    ``message`` may be a lazy translated string: ``str()`` it when shown."""

    sheet: str | None
    row: int | None
    column: str | None
    message: Any

    def __str__(self) -> str:
        place = [self.sheet] if self.sheet else []
        if self.row:
            place.append(_("row %(row)d", row=self.row))
        if self.column:
            place.append(_("column “%(column)s”", column=self.column))
        return f"{', '.join(place)}: {self.message}" if place else str(self.message)


class XLSFormReport:
    """Collects the errors and warnings of one import."""

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def error(self, sheet: str | None, row: int | None, column: str | None, message) -> None:
        self.errors.append(Issue(sheet, row, column, message))

    def warn(self, sheet: str | None, row: int | None, column: str | None, message) -> None:
        self.warnings.append(Issue(sheet, row, column, message))

    def on(self, sheet: str | None) -> SheetReport:
        return SheetReport(self, sheet)


class SheetReport:
    """A report's errors and warnings about one sheet."""

    def __init__(self, report: XLSFormReport, sheet: str | None) -> None:
        self.report, self.sheet = report, sheet

    def error(self, row: int | None, column: str | None, message) -> None:
        self.report.error(self.sheet, row, column, message)

    def warn(self, row: int | None, column: str | None, message) -> None:
        self.report.warn(self.sheet, row, column, message)


# --- reading a workbook --------------------------------------------------------


@dataclass
class Sheet:
    """One sheet as text: ``headers[i]`` is column i's header as written ("" when
    none); each row is (1-based row number, cell texts aligned with headers)."""

    title: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_workbook(data: bytes, report: XLSFormReport) -> dict[str, Sheet] | None:
    """The sheets we use, by lower-case name, or None after reporting why not.

    A sheet name that is not one of ``SHEETS`` gives a warning.
    """
    if len(data) > MAX_UNPACKED_BYTES:
        report.on(None).error(None, None, _l("The file is larger than 50 MB."))
        return None
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, report)
    if data.startswith(OLE2_MAGIC):
        return _read_xls(data, report)
    message = _l("This is not an Excel workbook: upload an XLSForm saved as .xlsx (or .xls).")
    report.on(None).error(None, None, message)
    return None


def _zip_is_safe(data: bytes, report: XLSFormReport) -> bool:
    """Refuse a zip bomb by what the zip's directory says (which zipfile then
    enforces while unpacking: it never reads past a part's declared size)."""
    file = report.on(None)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        file.error(None, None, _l("The .xlsx file is damaged: it is not a valid zip file."))
        return False
    if len(members) > MAX_ZIP_MEMBERS:
        file.error(None, None, _l("The .xlsx file has too many parts to be a form."))
        return False
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        file.error(None, None, _l("The .xlsx file unpacks to more than 50 MB."))
        return False
    for member in members:
        if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
            message = _l(
                "The .xlsx file is refused: its part “%(part)s” is compressed suspiciously "
                "well (more than %(ratio)d times)."
            )
            file.error(
                None, None, message % {"part": member.filename, "ratio": MAX_COMPRESSION_RATIO}
            )
            return False
    return _no_doctype(data, members, report)


def _no_doctype(data: bytes, members: list[zipfile.ZipInfo], report: XLSFormReport) -> bool:
    """Refuse any XML part with a document type declaration: a workbook never needs one,
    and its entities are how XML bombs and file disclosure work (defusedxml, which
    openpyxl uses when installed, refuses the entities; this says so clearly first)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member in members:
        # UTF-16 parts too: their NUL bytes dropped, the declaration reads as ASCII.
        part = archive.read(member).replace(b"\x00", b"").lower()
        if b"<!doctype" in part or b"<!entity" in part:
            message = _l(
                "The .xlsx file is refused: its part “%(part)s” has a document type "
                "declaration (DTD), which a workbook never needs."
            )
            report.on(None).error(None, None, message % {"part": member.filename})
            return False
    return True


def _read_xlsx(data: bytes, report: XLSFormReport) -> dict[str, Sheet] | None:
    if not _zip_is_safe(data, report):
        return None
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file
        log.info("Unreadable .xlsx upload", exc_info=True)
        report.on(None).error(None, None, _l("The .xlsx file could not be read as a workbook."))
        return None
    try:
        sheets = {}
        for worksheet in workbook.worksheets:
            if not _wanted(worksheet.title, sheets, report):
                continue
            worksheet.reset_dimensions()  # declared sizes are often wrong (or huge)
            rows = worksheet.iter_rows(values_only=True)
            sheet = _collect(worksheet.title, rows, report)
            if sheet is None:
                return None
            sheets[worksheet.title.strip().lower()] = sheet
        return sheets
    except (ParseError, DefusedXmlException, ValueError):  # a sheet's XML is read lazily
        log.info("Unreadable .xlsx upload", exc_info=True)
        report.on(None).error(None, None, _l("The .xlsx file could not be read as a workbook."))
        return None
    finally:
        workbook.close()


def _read_xls(data: bytes, report: XLSFormReport) -> dict[str, Sheet] | None:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=data, on_demand=True, logfile=io.StringIO(), verbosity=0
        )
    except Exception:  # xlrd raises many kinds of errors on a damaged file
        log.info("Unreadable .xls upload", exc_info=True)
        message = _l("The file looks like an Excel 97–2003 (.xls) workbook but could not be read.")
        report.on(None).error(None, None, message)
        return None
    try:
        sheets = {}
        for title in book.sheet_names():
            if not _wanted(title, sheets, report):
                continue
            sheet = book.sheet_by_name(title)

            def rows(sheet=sheet):
                for index in range(sheet.nrows):
                    yield [_xls_value(cell, book.datemode) for cell in sheet.row(index)]

            collected = _collect(title, rows(), report)
            if collected is None:
                return None
            sheets[title.strip().lower()] = collected
        return sheets
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int) -> Any:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    return cell.value


def _wanted(title: str, sheets: dict[str, Sheet], report: XLSFormReport) -> bool:
    key = title.strip().lower()
    if key not in SHEETS:
        report.warn(title, None, None, _l("This sheet is not used and was ignored."))
        return False
    if key in sheets:
        report.error(title, None, None, _l("There is more than one “%(name)s” sheet.", name=key))
        return False
    return True


def _collect(title: str, rows, report: XLSFormReport) -> Sheet | None:
    """Texts of the headed columns of rows with content, within the limits."""
    headers: list[str] = []
    headed: list[int] = []
    collected: list[tuple[int, list[str]]] = []
    for number, values in enumerate(rows, start=1):
        if number > EXCEL_MAX_ROWS:
            break
        if number == 1:
            headers = [cell_text(value) for value in values]
            headed = [index for index, header in enumerate(headers) if header]
            if len(headed) > MAX_COLUMNS:
                message = _l("The sheet has more than %(count)d columns.")
                report.error(title, 1, None, message % {"count": MAX_COLUMNS})
                return None
            continue
        texts = [""] * len(headers)
        for index in headed:
            if index < len(values) and values[index] is not None:
                texts[index] = cell_text(values[index])
        if any(texts):
            if len(collected) + 1 >= MAX_ROWS:
                message = _l("The sheet has more than %(count)d rows.")
                report.error(title, number, None, message % {"count": MAX_ROWS})
                return None
            collected.append((number, texts))
    return Sheet(title, headers, collected)
