"""Rows spooled to a temporary file, for the statistical files' writers (.sav, .dta):
both formats need the number of rows and each text column's width before the data, so
the rows are written to disk as they come and read back once those are known."""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import IO, Any


def spool(
    rows: Iterable[Sequence[object]], texts: Sequence[int], plain: Callable[[list[Any]], list[Any]]
) -> tuple[IO[bytes], dict[int, int], int]:
    """(the spool, the widest value in bytes of each text column (at least 1), the number
    of rows). Text columns are kept as UTF-8 bytes ("" for None); ``plain`` turns the
    other values into what marshal keeps (numbers, text, None). The caller closes the
    spool, which is at its start."""
    widths = dict.fromkeys(texts, 1)
    out = tempfile.TemporaryFile()
    count = 0
    for row in rows:
        values = list(row)
        for n in texts:
            text = values[n] = (values[n] or "").encode("utf-8")
            if len(text) > widths[n]:
                widths[n] = len(text)
        marshal.dump(plain(values), out)
        count += 1
    out.seek(0)
    return out, widths, count


def load(source: IO[bytes]) -> list[Any]:
    """The next row of a spool (EOFError after the last)."""
    # Our own temporary file, written by spool() in this process: nothing from outside.
    return marshal.load(source)  # nosec B302


def spooled(source: IO[bytes]) -> Iterator[list[Any]]:
    """The rows of a spool, as ``spool`` wrote them."""
    while True:
        try:
            yield load(source)
        except EOFError:
            return
