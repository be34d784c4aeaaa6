"""An SPSS .sav file written row by row, without pandas (as ``stata_file`` for Stata).

pyreadstat takes a whole pandas data frame: the table in memory once, and pandas in the
worker, above the exports' 150 MB (bench/README.md). This writer spools the rows to a
temporary file (``marshal``, each text column's longest value noted), then writes the
dictionary (which names each text column's width) and the cases, uncompressed.

What it writes, as pyreadstat (ReadStat) did, so that the files read back the same:
numbers as F8.2, dates as DATE11 and times as DATETIME20 (seconds since 1582-10-14),
text as A<longest value in UTF-8 bytes>; variable labels, value labels, discrete
missing values or a range, measurement levels, long variable names, UTF-8. Text longer
than 255 bytes needs SPSS's very long strings, which this writer leaves out:
``write_sav`` then returns False and writes nothing (the caller uses pyreadstat).

Format: the "System File Format" chapter of the PSPP manual.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from surveyapp.responses import row_spool

__all__ = ["SpssColumn", "write_sav"]

NUMBER, TEXT, DATE, DATETIME = "number", "text", "date", "datetime"
#: Longest short string; longer ones are "very long strings", not written here.
SHORT_MAX = 255
#: Formats: (type << 16) | (width << 8) | decimals; F8.2, DATE11, DATETIME20, A<w>.
FORMATS = {
    NUMBER: (5 << 16) | (8 << 8) | 2,
    DATE: (20 << 16) | (11 << 8),
    DATETIME: (22 << 16) | (20 << 8),
}
MEASURES = {"nominal": 1, "ordinal": 2, "scale": 3}
SYSMIS = -sys.float_info.max
#: Day 0 of SPSS's dates and times: the Gregorian calendar's first day.
ORIGIN = datetime(1582, 10, 14)
#: Seconds from it to 1970-01-01.
UNIX_SECONDS = 12219379200.0
PRODUCT = b"@(#) SPSS DATA FILE - surveyapp"


@dataclass
class SpssColumn:
    """One variable: ``kind`` (NUMBER, TEXT, DATE, DATETIME), its name and label, value
    labels (value -> label), missing values (up to three floats, or one {"lo", "hi"}
    range) and measurement level."""

    name: str
    kind: str
    label: str = ""
    value_labels: dict[float, str] = field(default_factory=dict)
    missing: list[Any] = field(default_factory=list)
    measure: str = "nominal"


def write_sav(
    path: Path,
    columns: Sequence[SpssColumn],
    rows: Iterable[Sequence[object]],
    file_label: str,
    now: datetime | None = None,
) -> tuple[bool, IO[bytes] | None]:
    """Write ``rows`` (a float or NaN, text, a date, a naive datetime, or None a column)
    to ``path``. (True, None) when written; (False, spool) when a text is longer than 255
    bytes: nothing is written, and ``spool`` holds the rows (``spooled_rows`` reads them)
    for another writer; the caller closes it."""
    texts = [n for n, c in enumerate(columns) if c.kind == TEXT]
    dates = [n for n, c in enumerate(columns) if c.kind == DATE]
    times = [n for n, c in enumerate(columns) if c.kind == DATETIME]

    def plain(values: list[Any]) -> list[Any]:
        # marshal keeps plain values only: a date as its ordinal, a time as ISO text
        for n in dates:
            values[n] = values[n].toordinal() if isinstance(values[n], date) else None
        for n in times:
            values[n] = values[n].isoformat() if isinstance(values[n], datetime) else None
        return values

    spool, widths, count = row_spool.spool(rows, texts, plain)
    if any(width > SHORT_MAX for width in widths.values()):
        return False, spool
    with spool, open(path, "wb") as out:
        _write(out, spool, columns, widths, count, file_label, now or datetime.now())
    return True, None


def spooled_rows(spool: IO[bytes], columns: Sequence[SpssColumn]) -> Iterable[list[Any]]:
    """The rows ``write_sav`` spooled, as they were given (text "" for None)."""
    texts = [n for n, c in enumerate(columns) if c.kind == TEXT]
    dates = [n for n, c in enumerate(columns) if c.kind == DATE]
    times = [n for n, c in enumerate(columns) if c.kind == DATETIME]
    for values in row_spool.spooled(spool):
        for n in texts:
            values[n] = values[n].decode("utf-8")
        for n in dates:
            values[n] = None if values[n] is None else date.fromordinal(values[n])
        for n in times:
            values[n] = None if values[n] is None else datetime.fromisoformat(values[n])
        yield values


def _padded(data: bytes, size: int) -> bytes:
    return data[:size].ljust(size, b" ")


def _short_names(columns: Sequence[SpssColumn]) -> list[bytes]:
    """Unique names of 8 ASCII characters at most (the long ones follow in record 7.13)."""
    names: list[bytes] = []
    taken: set[bytes] = set()
    for number, column in enumerate(columns, start=1):
        name = column.name.upper().encode("ascii", "replace")[:8]
        if name in taken or not name[:1].isalpha():
            name, extra = f"V{number}".encode(), 0
            while name in taken:  # a variable may be called v12 itself
                extra += 1
                name = f"V{number}_{extra}".encode()[:8]
        taken.add(name)
        names.append(name)
    return names


def _slots(column: SpssColumn, widths: dict[int, int], n: int) -> int:
    return (widths[n] + 7) // 8 if column.kind == TEXT else 1


def _write(
    out: IO[bytes],
    spool: IO[bytes],
    columns: Sequence[SpssColumn],
    widths: dict[int, int],
    count: int,
    file_label: str,
    now: datetime,
) -> None:
    slots = [_slots(c, widths, n) for n, c in enumerate(columns)]
    out.write(b"$FL2" + _padded(PRODUCT, 60))
    out.write(struct.pack("<iiiiid", 2, sum(slots), 0, 0, count, 100.0))
    out.write(now.strftime("%d %b %y").encode("ascii") + now.strftime("%H:%M:%S").encode("ascii"))
    out.write(_padded(file_label.encode("utf-8")[:64], 64) + b"\0" * 3)
    names = _short_names(columns)
    first_slot = []
    slot = 1
    for n, (column, name) in enumerate(zip(columns, names, strict=True)):
        first_slot.append(slot)
        slot += slots[n]
        out.write(_variable_record(column, name, widths.get(n, 0)))
        for _ in range(slots[n] - 1):  # a long string's further 8 bytes
            out.write(struct.pack("<iiiiii", 2, -1, 0, 0, 0, 0) + b" " * 8)
    for n, column in enumerate(columns):
        if column.value_labels and column.kind != TEXT:
            out.write(_value_labels(column.value_labels, first_slot[n]))
    out.write(_extension(3, 4, struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001)))
    lowest = struct.unpack("<d", struct.pack("<Q", 0xFFEFFFFFFFFFFFFE))[0]
    out.write(_extension(4, 8, struct.pack("<3d", SYSMIS, sys.float_info.max, lowest)))
    out.write(_extension(20, 1, b"UTF-8"))
    display = []
    for column in columns:
        right = 0 if column.kind == TEXT else 1
        display += [MEASURES.get(column.measure, 1), 8, right]
    out.write(_extension(11, 4, struct.pack(f"<{len(display)}i", *display)))
    long_names = b"\t".join(
        name + b"=" + column.name.encode("utf-8")
        for name, column in zip(names, columns, strict=True)
    )
    out.write(_extension(13, 1, long_names))
    out.write(_extension(16, 8, struct.pack("<qq", 1, count)))
    out.write(struct.pack("<ii", 999, 0))
    _write_cases(out, spool, columns, widths, slots, count)


def _extension(subtype: int, size: int, body: bytes) -> bytes:
    """Record 7 of ``subtype``: ``body`` in items of ``size`` bytes."""
    return struct.pack("<iiii", 7, subtype, size, len(body) // size) + body


def _variable_record(column: SpssColumn, name: bytes, width: int) -> bytes:
    if column.kind == TEXT:
        kind, fmt = width, (1 << 16) | (width << 8)
    else:
        kind, fmt = 0, FORMATS[column.kind]
    label = column.label.encode("utf-8")
    missing: list[float] = []
    n_missing = 0
    if column.missing and column.kind != TEXT:
        if isinstance(column.missing[0], dict):
            n_missing = -2
            missing = [float(column.missing[0]["lo"]), float(column.missing[0]["hi"])]
        else:
            missing = [float(value) for value in column.missing[:3]]
            n_missing = len(missing)
    record = struct.pack("<iiiiii", 2, kind, 1 if label else 0, n_missing, fmt, fmt) + _padded(
        name, 8
    )
    if label:
        record += struct.pack("<i", len(label)) + label.ljust((len(label) + 3) // 4 * 4, b" ")
    return record + struct.pack(f"<{len(missing)}d", *missing)


def _value_labels(labels: dict[float, str], slot: int) -> bytes:
    body = [struct.pack("<ii", 3, len(labels))]
    for value, text in sorted(labels.items()):
        data = text.encode("utf-8")[:120]
        body.append(struct.pack("<dB", float(value), len(data)))
        body.append(data.ljust((len(data) + 1 + 7) // 8 * 8 - 1, b" "))
    body.append(struct.pack("<iii", 4, 1, slot))
    return b"".join(body)


def _write_cases(
    out: IO[bytes],
    spool: IO[bytes],
    columns: Sequence[SpssColumn],
    widths: dict[int, int],
    slots: list[int],
    count: int,
) -> None:
    codes = "".join(f"{slots[n] * 8}s" if c.kind == TEXT else "d" for n, c in enumerate(columns))
    case = struct.Struct("<" + codes)
    numbers = [n for n, c in enumerate(columns) if c.kind == NUMBER]
    dates = [n for n, c in enumerate(columns) if c.kind == DATE]
    times = [n for n, c in enumerate(columns) if c.kind == DATETIME]
    texts = [(n, slots[n] * 8) for n, c in enumerate(columns) if c.kind == TEXT]
    origin_day = ORIGIN.toordinal()
    buffer = []
    for _ in range(count):
        values = row_spool.load(spool)
        for n in numbers:
            value = values[n]
            if value is None or value != value:
                values[n] = SYSMIS
        for n in dates:
            value = values[n]
            values[n] = SYSMIS if value is None else (value - origin_day) * 86400.0
        for n in times:
            value = values[n]
            values[n] = (
                SYSMIS
                if value is None
                # as pyreadstat computed it (the same double, to the last bit)
                else datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp() + UNIX_SECONDS
            )
        for n, size in texts:
            values[n] = values[n].ljust(size, b" ")
        buffer.append(case.pack(*values))
        if len(buffer) >= 1000:
            out.write(b"".join(buffer))
            buffer.clear()
    out.write(b"".join(buffer))
