"""The XLSForm format as our questionnaire model sees it: reading a workbook
safely, and what its columns mean (``label::Language (code)`` and the rest).

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
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import ParseError

from babel import Locale
from defusedxml import DefusedXmlException
from flask_babel import gettext as _

from surveyapp.core.safe_text import lazy_gettext as _l
from surveyapp.languages.registry import LANGUAGES, SOURCE_LANGUAGE
from surveyapp.languages.transliteration import normalise_text

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
SHEETS = ("survey", "choices", "settings", "domains")
#: Texts of a survey row, per language: the part of their ``q.<name>.<part>`` key.
QUESTION_TEXTS = ("label", "hint", "constraint_message", "required_message")
#: Our settings columns with a text per language, and the key of their TextEntry.
SETTINGS_TEXTS = {
    "title": "questionnaire.title",
    "description": "questionnaire.description",
    "privacy_notice": "privacy.text",
    "privacy_consent": "privacy.consent",
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


class Report:
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

    def __init__(self, report: Report, sheet: str | None) -> None:
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


def cell_text(value: Any) -> str:
    """A cell's value as the text a person typed: 3.0 → "3", TRUE → "true"."""
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


def read_workbook(data: bytes, report: Report) -> dict[str, Sheet] | None:
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


def _zip_is_safe(data: bytes, report: Report) -> bool:
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


def _no_doctype(data: bytes, members: list[zipfile.ZipInfo], report: Report) -> bool:
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


def _read_xlsx(data: bytes, report: Report) -> dict[str, Sheet] | None:
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


def _read_xls(data: bytes, report: Report) -> dict[str, Sheet] | None:
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


def _wanted(title: str, sheets: dict[str, Sheet], report: Report) -> bool:
    key = title.strip().lower()
    if key not in SHEETS:
        report.warn(title, None, None, _l("This sheet is not used and was ignored."))
        return False
    if key in sheets:
        report.error(title, None, None, _l("There is more than one “%(name)s” sheet.", name=key))
        return False
    return True


def _collect(title: str, rows, report: Report) -> Sheet | None:
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


# --- columns and their languages -----------------------------------------------

#: Header spellings of other tools, and their name here.
HEADER_ALIASES = {
    "list name": "list_name",
    "jr:constraintmsg": "constraint_message",
    "jr:requiredmsg": "required_message",
    "constraint message": "constraint_message",
    "required message": "required_message",
}

#: Language names in headers such as ``label::Shqip`` or ``label:english``.
LANGUAGE_NAMES = {
    "english": "en",
    "albanian": "sq",
    "shqip": "sq",
    "bosnian": "bs",
    "bosanski": "bs",
    "macedonian": "mk",
    "македонски": "mk",
    "serbian": "sr",
    "српски": "sr",
    "serbian (cyrillic)": "sr",
    "serbian (latin)": "sr-Latn",
    "montenegrin": "cnr",
    "crnogorski": "cnr",
    **{language.autonym.lower(): code for code, language in LANGUAGES.items()},
}

#: A BCP 47 tag, private use (``x-...``) included.
_TAG = re.compile(r"(?:[A-Za-z]{2,3}|[Xx])(?:[-_][A-Za-z0-9]{1,8})*")
_WITH_CODE = re.compile(r"(.*?)\s*\(\s*([^()]*?)\s*\)\s*")


@dataclass(frozen=True)
class Header:
    """A header split into its base name (canonical, lower case) and the
    language part as written (``English (en)``), if it has one."""

    index: int
    text: str
    base: str
    language: str | None


def split_header(index: int, text: str, translatable: frozenset[str]) -> Header:
    """``label::English (en)``, ``label:english`` (legacy) or ``label``; any other
    header keeps its whole text as base (``media::image::English (en)``)."""
    stripped = text.strip()
    for separator in ("::", ":"):
        base, found, language = stripped.partition(separator)
        base = HEADER_ALIASES.get(base.strip().lower(), base.strip().lower())
        if found and base in translatable:
            return Header(index, text, base, language.strip() or None)
    whole = " ".join(stripped.lower().split())
    return Header(index, text, HEADER_ALIASES.get(whole, whole), None)


def canonical_tag(tag: str) -> str:
    """BCP 47 casing: ``SR_latn`` → ``sr-Latn``; our codes as the registry spells them."""
    for code in LANGUAGES:
        if code.lower() == tag.replace("_", "-").lower():
            return code
    parts = re.split(r"[-_]", tag)
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 or part.isdigit():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    return {name.lower(): code for code, name in Locale("en").languages.items() if "_" not in code}


def language_code(spec: str) -> tuple[str, bool]:
    """The code of a header's language part, and whether the header said which.

    ``English (en)`` → en; ``Swahili (sw)`` → sw; ``english`` / ``Shqip`` /
    ``Македонски`` → by name; ``EN`` → en; another language named in English
    (``Swahili``) → its code. Anything else gives a private-use code made from
    the name (``Martian`` → x-martian) and False.
    """
    match = _WITH_CODE.fullmatch(spec)
    if match and _TAG.fullmatch(match.group(2)):
        return canonical_tag(match.group(2)), True
    lowered = " ".join(spec.lower().split())
    if lowered in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[lowered], True
    if _TAG.fullmatch(spec):
        return canonical_tag(spec), True
    if lowered in _english_names():
        return _english_names()[lowered], True
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", lowered)) or ["unknown"]
    return "-".join(["x", *(word[:8] for word in words)])[:35].rstrip("-"), False


@lru_cache(maxsize=256)
def language_label(code: str) -> str:
    """How export names a language: ``Shqip (sq)``, or for a language that is
    not ours its English name, ``Swahili (sw)``."""
    if code in LANGUAGES:
        return f"{LANGUAGES[code].autonym} ({code})"
    names = Locale("en").languages
    name = names.get(code.replace("-", "_")) or names.get(code.split("-")[0]) or code
    return f"{name} ({code})"


class Languages:
    """The languages of a form's text columns, in the order first met.

    A column that names no language (``label``) is in ``default``.
    """

    def __init__(self, default: str = SOURCE_LANGUAGE) -> None:
        self.default = default
        self.found: list[str] = []

    def of(self, header: Header, at: SheetReport) -> str | None:
        """Our code for a text column's language; None (with a warning) when ignored."""
        if header.language is None:
            return self.plain()
        code, named = language_code(header.language)
        if code == "sr-Latn":
            at.warn(1, header.text, _l("Serbian Latin is made from Serbian Cyrillic: ignored."))
            return None
        if len(code) > 35:
            at.error(1, header.text, _l("This language code is too long."))
            return None
        if not named:
            message = _l("“%(language)s” has no language code: its texts are kept as “%(code)s”.")
            at.warn(1, header.text, message % {"language": header.language, "code": code})
        if code not in self.found:
            self.found.append(code)
        return code

    def plain(self) -> str:
        """The language of a text that names none: the default language."""
        if self.default not in self.found:
            self.found.append(self.default)
        return self.default


class Columns:
    """A sheet's headers: plain columns by name, text columns by name and
    language, and the other columns (kept by their header as written)."""

    def __init__(
        self, sheet: Sheet, texts: set[str], plain: set[str], languages: Languages, report: Report
    ) -> None:
        self.sheet, self.at = sheet, report.on(sheet.title)
        self.plain: dict[str, Header] = {}
        self.texts: dict[str, list[tuple[str, Header]]] = {}
        self.other: list[Header] = []
        seen: dict[tuple[str, str | None], Header] = {}
        for index, text in enumerate(sheet.headers):
            header = split_header(index, text, frozenset(texts))
            lang = languages.of(header, self.at) if text and header.base in texts else None
            if not text or (header.base in texts and lang is None):
                continue
            key = (header.base, lang) if header.base in texts | plain else ("", text.strip())
            if key in seen:
                self.at.error(1, text, _l("This column repeats “%(other)s”.", other=seen[key].text))
            elif header.base in texts:
                self.texts.setdefault(header.base, []).append((lang, header))
            elif header.base in plain:
                self.plain[header.base] = header
            else:
                self.other.append(header)
            seen.setdefault(key, header)

    def value(self, row: list[str], name: str) -> str:
        return row[self.plain[name].index] if name in self.plain else ""

    def header(self, name: str) -> str:
        """A plain column's header as written (for messages), else its name."""
        return self.plain[name].text if name in self.plain else name

    def texts_of(self, row: list[str], name: str) -> dict[str, str]:
        found = ((lang, row[h.index]) for lang, h in self.texts.get(name, []))
        return {lang: normalise_text(text) for lang, text in found if text}

    def kept(self, row: list[str]) -> dict[str, str] | None:
        """The other columns' values of a row, by header: kept in ``extra`` for export."""
        return {h.text.strip(): row[h.index] for h in self.other if row[h.index]} or None

    def other_value(self, row: list[str], name: str) -> tuple[str, str]:
        """An other column's value and header, found by its lower-case name."""
        found = next((h for h in self.other if h.base == name), None)
        return (row[found.index], found.text) if found else ("", name)

    def number(self, number: int, row: list[str], name: str) -> float | None:
        text = self.value(row, name)
        try:
            value = float(text) if text else None
        except ValueError:
            value = math.nan
        if value is not None and not math.isfinite(value):
            self.at.error(number, self.header(name), _l("This is not a number."))
            return None
        return value
