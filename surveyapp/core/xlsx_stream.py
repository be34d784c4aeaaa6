"""An XLSX written as a stream of XML into a zip, row by row: for the large exports.

``spreadsheets.write_workbook`` (XlsxWriter) spends about 2 µs per cell in its
constant-memory mode: at 100,000 responses of some 60 columns that was three quarters
of a 41 s export. Here a row is one string built from ready-made pieces (a column's
letters, a text's escaped XML kept once per text) and the zip compresses it as it
comes: on 20,000 rows of the export's shape, 2.6 processor seconds against XlsxWriter's
10.5, memory as flat (bench/README.md has the measurements). It writes what the
exports need and no more: text, numbers, dates and times with a date format, booleans;
a bold, frozen header with a filter; column widths.

The same rules as ``spreadsheets``: every text cell, headers and sheet names included,
goes through ``neutralise``, so text that starts like a formula is never run; numbers
and dates keep their type. Texts are shared (the workbook's table of strings) up to
``SHARED_TEXTS`` distinct ones, so the labels that repeat on every row are stored once;
texts past that (free text answers, mostly unique) are written in the cell, so memory
stays flat however many responses there are.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr  # nosec B406: writes XML, never parses

from surveyapp.core.spreadsheets import FORMULA_STARTS, Sheet, neutralise, sheet_title

__all__ = ["SHARED_TEXTS", "stream_workbook"]

#: Most distinct texts kept in the shared table (and their XML in memory). The labels that
#: repeat (choices, places, roles) come in the first rows; what fills the table later is
#: unique text (submission ids, free answers) that gains nothing from being shared. At
#: 20,000 responses 4,000 instead of 20,000 took 6 MB off the export's peak, for a file
#: 2 % larger (bench/README.md).
SHARED_TEXTS = 4_000
#: Rows gathered before they are handed to the zip.
ROWS_PER_WRITE = 500
#: zlib's level. Measured on 20,000 rows of the export's shape: level 1 took 10 % less
#: processor time than 6 but made a file 45 % larger; 6 makes it smaller than XlsxWriter's.
COMPRESS_LEVEL = 6
#: Excel counts days from 1899-12-30 (its day 60, 1900-02-29, never was).
_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
_FIRST_SERIAL_DAY = date(1900, 3, 1)
#: Characters XML 1.0 cannot hold: written as Excel writes them, _xHHHH_.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|^\s|\s$")

#: Cell styles (styles.xml's cellXfs): 1 bold, 2 a date, 3 a date and time.
BOLD, DATE, DATETIME = 1, 2, 3

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letters(number: int) -> str:
    """The letters of the column ``number`` (0 → A, 26 → AA)."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_xml(text: str) -> str:
    """``text`` as the content of a <t> element (with its tags)."""
    if not _NEEDS_WORK.search(text):
        return f"<t>{text}</t>"
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", escape(text))
    return f'<t xml:space="preserve">{text}</t>'


def serial(value: date) -> float | None:
    """A date or (naive, UTC) datetime as Excel's serial number; None before 1900-03-01."""
    day = value.date() if isinstance(value, datetime) else value
    if day < _FIRST_SERIAL_DAY:
        return None
    days = float(day.toordinal() - _EPOCH_ORDINAL)
    if isinstance(value, datetime):
        days += (
            value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        ) / 86400
    return days


class _Texts:
    """The shared strings: text -> the XML of a cell's type and value."""

    def __init__(self) -> None:
        self.index: dict[str, str] = {}
        self.table: list[str] = []

    def cell(self, text: str) -> str:
        """What follows ``<c r="A1"`` for ``text`` (already neutralised)."""
        known = self.index.get(text)
        if known is not None:
            return known
        if len(self.table) >= SHARED_TEXTS:
            return f' t="inlineStr"><is>{text_xml(text)}</is></c>'
        piece = f' t="s"><v>{len(self.table)}</v></c>'
        self.table.append(text_xml(text))
        self.index[text] = piece
        return piece

    def write(self, part) -> None:
        """The table's XML into ``part``, a thousand texts at a time (not as one string:
        at 20,000 texts that was a tenth of the export's memory)."""
        count = len(self.table)
        part.write(f'{_XML}<sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'.encode())
        for start in range(0, count, 1000):
            part.write("".join(f"<si>{t}</si>" for t in self.table[start : start + 1000]).encode())
        part.write(b"</sst>")


def _other_cell(value: object, texts: _Texts) -> str | None:
    """What follows ``<c r="A1"`` for a less common cell; None: an empty cell."""
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        number = serial(value)
        if number is None:
            return texts.cell(value.isoformat(timespec="seconds"))
        return f' s="{DATETIME}"><v>{number!r}</v></c>'
    if isinstance(value, date):
        number = serial(value)
        if number is None:
            return texts.cell(value.isoformat())
        return f' s="{DATE}"><v>{int(number)}</v></c>'
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            return ' t="e"><v>#NUM!</v></c>'
        return f"><v>{number!r}</v></c>"
    return texts.cell(str(neutralise(str(value))))


def _sheet_xml(part, spec: Sheet, texts: _Texts) -> tuple[int, int]:
    """Write one worksheet's XML to ``part``; its rows and columns (header included).

    The rows go to a temporary file first: the sheet's size (``<dimension>``, which
    readers such as openpyxl's read-only mode trust) comes before them in the XML and
    is known only once they are written.
    """
    rows = iter(spec.rows)
    header = next(rows, None) or []
    with tempfile.TemporaryFile() as body:
        number, width = _rows_xml(body, header, rows, texts)
        cols = "".join(
            f'<col min="{n}" max="{n}" width="{chars + 0.7109375:.7g}" customWidth="1"/>'
            for n, chars in enumerate(spec.widths, start=1)
        )
        pane = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
        size = f"A1:{column_letters(max(width, 1) - 1)}{max(number, 1)}"
        part.write(
            (
                f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{size}"/>'
                f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                '<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "")
                + "<sheetData>"
            ).encode()
        )
        body.seek(0)
        shutil.copyfileobj(body, part, 1 << 20)
    end = "</sheetData>"
    if header:
        end += f'<autoFilter ref="A1:{column_letters(len(header) - 1)}{number}"/>'
    part.write((end + "</worksheet>").encode())
    return number, len(header)


def _rows_xml(part, header: list, rows, texts: _Texts) -> tuple[int, int]:
    """The <row> elements; the number of the last row and the most cells of a row."""
    letters = [column_letters(n) for n in range(max(len(header), 1))]
    out: list[str] = []
    if header:
        out.append('<row r="1">')
        for column, value in enumerate(header):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                out.append(f'<c r="{letters[column]}1" s="{BOLD}"><v>{value!r}</v></c>')
            else:
                piece = texts.cell(str(neutralise(str(value))))
                out.append(f'<c r="{letters[column]}1" s="{BOLD}"{piece}')
        out.append("</row>")
    text_cell, starts = texts.cell, FORMULA_STARTS
    number = 1
    width = len(header)
    for number, row in enumerate(rows, start=2):
        if len(row) > len(letters):
            letters += [column_letters(n) for n in range(len(letters), len(row))]
        width = max(width, len(row))
        line = str(number)
        out.append(f'<row r="{line}">')
        for column, value in enumerate(row):
            kind = type(value)
            if value is None:
                continue
            if kind is str:
                if value.startswith(starts):
                    value = neutralise(value)
                piece = text_cell(value)
            elif kind is int:
                piece = f"><v>{value}</v></c>"
            elif kind is float and math.isfinite(value):
                piece = f"><v>{value!r}</v></c>"
            else:
                piece = _other_cell(value, texts)  # type: ignore[assignment]
                if piece is None:
                    continue
            out.append(f'<c r="{letters[column]}{line}"{piece}')
        out.append("</row>")
        if number % ROWS_PER_WRITE == 0:
            part.write("".join(out).encode())
            out.clear()
    part.write("".join(out).encode())
    return number, width


def stream_workbook(
    sheets: Sequence[Sheet], target: str | os.PathLike | None = None
) -> io.BytesIO | None:
    """An XLSX of ``sheets`` (each one's first row its header): into the file ``target``
    names, or (without one) into a file in memory returned at its start."""
    output = tempfile.SpooledTemporaryFile(max_size=8 << 20) if target is None else None
    texts = _Texts()
    titles: list[str] = []
    filters: list[str] = []
    with zipfile.ZipFile(
        target if target is not None else output,  # type: ignore[call-overload]
        "w",
        compression=zipfile.ZIP_DEFLATED,
        compresslevel=COMPRESS_LEVEL,
    ) as archive:
        for number, spec in enumerate(sheets, start=1):
            title = sheet_title(spec.title)
            while title in titles:  # Excel refuses two sheets of one name
                title = sheet_title(f"{title[:27]} {number}")
            titles.append(title)
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as part:
                rows, columns = _sheet_xml(part, spec, texts)
            if columns:
                quoted = "'" + title.replace("'", "''") + "'"
                ref = f"{quoted}!$A$1:${column_letters(columns - 1)}${rows}"
                filters.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{number - 1}"'
                    f' hidden="1">{escape(ref)}</definedName>'
                )
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            texts.write(part)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/workbook.xml", _workbook_xml(titles, filters))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(titles)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("[Content_Types].xml", _content_types(len(titles)))
    if output is None:
        return None
    output.seek(0)
    data = output.read()
    output.close()
    return io.BytesIO(data)


def _workbook_xml(titles: list[str], filters: list[str]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
        for n, title in enumerate(titles, start=1)
    )
    names = f"<definedNames>{''.join(filters)}</definedNames>" if filters else ""
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
        f"</bookViews><sheets>{sheets}</sheets>{names}</workbook>"
    )


def _workbook_rels(count: int) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = [
        f'<Relationship Id="rId{n}" Type="{base}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    ]
    parts.append(f'<Relationship Id="rId{count + 1}" Type="{base}/styles" Target="styles.xml"/>')
    parts.append(
        f'<Relationship Id="rId{count + 2}" Type="{base}/sharedStrings"'
        ' Target="sharedStrings.xml"/>'
    )
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{"".join(parts)}</Relationships>'


_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
        f"{sheets}</Types>"
    )
