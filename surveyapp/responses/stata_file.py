"""A Stata .dta file (format 118, Stata 14 and later) written row by row, without pandas.

pyreadstat takes a whole pandas data frame, so the .dta export held the whole table in
memory, and importing pandas alone put a worker above the exports' 150 MB (bench/README.md).
This writer keeps memory flat: the rows go to a temporary file as they are read (``marshal``,
each text column's longest value noted), then the file is written from it, since a .dta
names its number of rows and each text column's width before the data.

What it writes, as pyreadstat did (the tests read the files back with it): numbers as
doubles; the columns with Stata's labelled missing values (.a, .b ... for the unscored
choices) as 4-byte ints; dates (%td) and times (%tc) as doubles; text as str# of its
longest value in UTF-8 bytes, or as strL above Stata's 2,045 bytes (nothing typed is cut);
variable labels, value labels (named ``<variable><n>``, n counting the labelled
variables), and the file's label.

Format: Stata's "dta_118" specification (help dta); the offsets of its sections are
patched into the map at the end.
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from surveyapp.responses import row_spool

__all__ = ["StataColumn", "write_dta"]

#: Stata's longest str#; longer text is a strL.
STR_MAX = 2045
TYPE_STRL, TYPE_DOUBLE, TYPE_LONG = 32768, 65526, 65528
#: Missing values: "." and ".a" (the letters follow, one step each).
DOUBLE_MISSING = 0x7FE0000000000000
DOUBLE_STEP = 0x0000010000000000
LONG_MISSING = 2147483621
#: Day 0 of Stata's dates and times.
DATE_ORIGIN = date(1960, 1, 1)
#: Seconds from Stata's day 0 to 1970-01-01.
UNIX_SECONDS = 315619200.0
NUMBER, LONG, TEXT, DATE, DATETIME = "number", "long", "text", "date", "datetime"
FORMATS = {NUMBER: "%10.0g", LONG: "%12.0g", TEXT: "%-9s", DATE: "%td", DATETIME: "%tc"}


@dataclass
class StataColumn:
    """One variable: ``kind`` (NUMBER, LONG, TEXT, DATE, DATETIME), its name and label,
    and its value labels (value, or a missing value's letter, -> label)."""

    name: str
    kind: str
    label: str = ""
    value_labels: dict[Any, str] | None = None


def _missing_double(letter: str) -> float:
    bits = DOUBLE_MISSING + DOUBLE_STEP * (ord(letter) - ord("a") + 1)
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


_DOT = struct.unpack("<d", struct.pack("<Q", DOUBLE_MISSING))[0]


def _fixed(text: str, size: int) -> bytes:
    """``text`` in UTF-8 in a field of ``size`` bytes (cut at a character), NUL-padded."""
    data = text.encode("utf-8")[: size - 1]
    return data.decode("utf-8", "ignore").encode("utf-8").ljust(size, b"\0")


class _Sections:
    """The output file and where each section starts (the map's 14 offsets)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.offsets: list[int] = [0]

    def open(self, tag: str) -> None:
        self.offsets.append(self.out.tell())
        self.out.write(f"<{tag}>".encode())

    def close(self, tag: str) -> None:
        self.out.write(f"</{tag}>".encode())

    def whole(self, tag: str, data: bytes) -> None:
        self.open(tag)
        self.out.write(data)
        self.close(tag)


def write_dta(
    path: Path,
    columns: Sequence[StataColumn],
    rows: Iterable[Sequence[object]],
    file_label: str,
    now: datetime | None = None,
) -> int:
    """Write ``rows`` (one value a column: a float or NaN, an int or a missing value's
    letter for LONG, text, a date, a naive datetime, or None) to ``path``; the number of
    rows written."""
    texts = [n for n, c in enumerate(columns) if c.kind == TEXT]
    spool, widths, count = row_spool.spool(rows, texts, lambda values: _plain(values, columns))
    with spool, open(path, "wb") as out:
        _write(out, spool, columns, widths, count, file_label, now or datetime.now())
    return count


def _plain(values: list[Any], columns: Sequence[StataColumn]) -> list[Any]:
    """Dates and times as Stata's numbers (marshal keeps only plain values)."""
    for n, column in enumerate(columns):
        value = values[n]
        if column.kind == DATE:
            values[n] = float((value - DATE_ORIGIN).days) if isinstance(value, date) else None
        elif column.kind == DATETIME:
            values[n] = (
                # as pyreadstat computed it (the same double, to the last bit)
                (value.replace(tzinfo=UTC).timestamp() + UNIX_SECONDS) * 1000
                if isinstance(value, datetime)
                else None
            )
    return values


def _write(
    out: IO[bytes],
    spool: IO[bytes],
    columns: Sequence[StataColumn],
    widths: dict[int, int],
    count: int,
    file_label: str,
    now: datetime,
) -> None:
    types = []
    for n, column in enumerate(columns):
        if column.kind == TEXT:
            types.append(widths[n] if widths[n] <= STR_MAX else TYPE_STRL)
        else:
            types.append(TYPE_LONG if column.kind == LONG else TYPE_DOUBLE)
    label = _fixed(file_label, 321).rstrip(b"\0")  # 80 characters, 4 bytes at most each
    stamp = (
        now.strftime("%d ")
        + "JanFebMarAprMayJunJulAugSepOctNovDec"[3 * (now.month - 1) : 3 * now.month]
        + now.strftime(" %Y %H:%M")
    )
    out.write(b"<stata_dta><header><release>118</release><byteorder>LSF</byteorder>")
    out.write(b"<K>" + struct.pack("<H", len(columns)) + b"</K>")
    out.write(b"<N>" + struct.pack("<Q", count) + b"</N>")
    out.write(b"<label>" + struct.pack("<H", len(label)) + label + b"</label>")
    out.write(b"<timestamp>\x11" + stamp.encode("ascii") + b"</timestamp></header>")
    sections = _Sections(out)
    sections.whole("map", b"\0" * 8 * 14)
    sections.whole("variable_types", struct.pack(f"<{len(types)}H", *types))
    sections.whole("varnames", b"".join(_fixed(c.name, 129) for c in columns))
    sections.whole("sortlist", b"\0" * 2 * (len(columns) + 1))
    sections.whole("formats", b"".join(_fixed(FORMATS[c.kind], 57) for c in columns))
    label_names = _label_names(columns)
    sections.whole("value_label_names", b"".join(_fixed(n, 129) for n in label_names))
    sections.whole("variable_labels", b"".join(_fixed(c.label, 321) for c in columns))
    sections.whole("characteristics", b"")
    sections.open("data")
    with tempfile.TemporaryFile() as strls:
        _write_data(out, spool, types, count, strls)
        sections.close("data")
        sections.open("strls")
        strls.seek(0)
        while chunk := strls.read(1 << 20):
            out.write(chunk)
    sections.close("strls")
    sections.open("value_labels")
    for column, name in zip(columns, label_names, strict=True):
        if name:
            out.write(_label_table(name, column.value_labels or {}))
    sections.close("value_labels")
    sections.offsets.append(out.tell())
    out.write(b"</stata_dta>")
    sections.offsets.append(out.tell())
    out.seek(sections.offsets[1] + len(b"<map>"))
    out.write(struct.pack("<14Q", *sections.offsets))


def _label_names(columns: Sequence[StataColumn]) -> list[str]:
    names, labelled = [], 0
    for column in columns:
        if column.value_labels and column.kind in (NUMBER, LONG):
            names.append(f"{column.name}{labelled}")
            labelled += 1
        else:
            names.append("")
    return names


def _write_data(
    out: IO[bytes],
    spool: IO[bytes],
    types: list[int],
    count: int,
    strls: IO[bytes],
) -> None:
    """The rows from the spool, each packed as the .dta's fixed-width record; strL texts
    go to ``strls`` (its section follows the data) and their (variable, row) in the
    record."""
    codes = [
        "d" if kind == TYPE_DOUBLE else "i" if kind == TYPE_LONG else "Q" if kind == TYPE_STRL
        else f"{kind}s"
        for kind in types
    ]  # fmt: skip
    row_struct = struct.Struct("<" + "".join(codes))
    numbers = [n for n, kind in enumerate(types) if kind == TYPE_DOUBLE]
    longs = [n for n, kind in enumerate(types) if kind == TYPE_LONG]
    strl = [n for n, kind in enumerate(types) if kind == TYPE_STRL]
    letters = {chr(ord("a") + k): _missing_double(chr(ord("a") + k)) for k in range(26)}
    long_letters = {chr(ord("a") + k): LONG_MISSING + 1 + k for k in range(26)}
    gso = struct.Struct("<3sIQBI")
    buffer = []
    for observation in range(1, count + 1):
        values = row_spool.load(spool)
        for n in numbers:
            value = values[n]
            if value is None or value != value:
                values[n] = _DOT
            elif value.__class__ is str:
                values[n] = letters[value]
        for n in longs:
            value = values[n]
            if value is None or value != value:
                values[n] = LONG_MISSING
            elif value.__class__ is str:
                values[n] = long_letters[value]
        for n in strl:
            text = values[n]
            if text:
                strls.write(gso.pack(b"GSO", n + 1, observation, 130, len(text) + 1) + text)
                strls.write(b"\0")
                values[n] = (n + 1) | (observation << 16)
            else:
                values[n] = 0
        buffer.append(row_struct.pack(*values))
        if len(buffer) >= 1000:
            out.write(b"".join(buffer))
            buffer.clear()
    out.write(b"".join(buffer))


def _label_table(name: str, labels: dict[Any, str]) -> bytes:
    """One value label set: values in order, missing values' letters after them."""
    entries = sorted(
        (
            (LONG_MISSING + 1 + ord(key) - ord("a"), text)
            if isinstance(key, str)
            else (int(key), text)
            for key, text in labels.items()
        ),
        key=lambda entry: entry[0],
    )
    offsets, values, texts, offset = [], [], [], 0
    for value, text in entries:
        data = text.encode("utf-8") + b"\0"
        offsets.append(offset)
        values.append(value)
        texts.append(data)
        offset += len(data)
    n = len(entries)
    table = struct.pack(f"<ii{n}i{n}i", n, offset, *offsets, *values) + b"".join(texts)
    return (
        b"<lbl>" + struct.pack("<i", len(table)) + _fixed(name, 129) + b"\0" * 3 + table + b"</lbl>"
    )
