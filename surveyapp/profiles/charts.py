"""Geometry of the charts drawn on the server as SVG (no JavaScript needed).

The functions return plain numbers; templates/_charts.html draws them. Every
chart also has a table or a text alternative next to it.

Labels are never cut at the edge of a chart: the server cannot measure text,
so it estimates a label's width (``text_width``, on the widths of DejaVu
Sans, wider than most fonts a reader's browser uses, and Cyrillic included)
and wraps a label onto two lines where one would not fit; only a label too
long for two lines ends in "…" (the table beside the chart has it whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Scores run from 1 to 5; bars start at 0 so that a 1 is still visible.
SCALE_MAX = 5.0
#: Font size of the labels in the chart's units (app.css: ``.chart-svg .label``).
LABEL_SIZE = 13
#: Distance between two lines of a label.
LINE_HEIGHT = 15
#: Room right of the longest bar for its value ("4,6", "100 %").
VALUE_ROOM = 44
#: Lines a label may take.
MAX_LINES = 2

# Advance widths in em, by kind of character, rounded up from DejaVu Sans.
_NARROW = set("iljIíìïîĳіїјı.,:;'’!|")
_SLIM = set("frtJ()[]- ")
_WIDE = set("mwMWŒœшщжюмыфЖШЩЮМЫФљњЉЊ%")


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """An upper estimate of the width of ``text`` at font size ``size``."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.32
        elif char in _SLIM:
            em += 0.44
        elif char in _WIDE:
            em += 1.0
        elif char.isupper():
            em += 0.78
        else:
            em += 0.66
    return em * size


def wrap_label(text: str, width: float, size: float = LABEL_SIZE) -> list[str]:
    """``text`` in at most ``MAX_LINES`` lines that each fit ``width``, broken between
    words; the last line ends in "…" when the text is longer still."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < MAX_LINES:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size) <= width:
            line += " " + words.pop(0)
        lines.append(line)
    if words or any(text_width(line, size) > width for line in lines):
        lines[-1] = _shortened(" ".join([lines[-1], *words]), width, size)
    return lines or [""]


def _shortened(line: str, width: float, size: float) -> str:
    if text_width(line, size) <= width:
        return line
    while line and text_width(line + "…", size) > width:
        line = line[:-1]
    return line.rstrip() + "…"


@dataclass
class Bar:
    y: float
    width: float
    value: float | None
    kind: str  # "need", "capacity", "country", "region", "share"


@dataclass
class BarGroup:
    label: str
    y: float
    bars: list[Bar]
    note: str = ""
    #: The label as drawn: one or two lines, and the baseline of the first.
    lines: list[str] = field(default_factory=list)
    label_y: float = 0.0


@dataclass
class BarChart:
    width: int
    height: int
    label_width: int
    plot_width: int
    groups: list[BarGroup]
    #: x positions and labels of the vertical grid lines
    ticks: list[tuple[float, str]]


def need_capacity_chart(
    rows: list[tuple[str, float | None, float | None, str]],
    width: int = 720,
    label_width: int = 230,
) -> BarChart:
    """Two bars per domain (need, capacity) on the 1–5 scale; rows are
    (label, need, capacity, note) in the order to draw. A label right-aligned
    beside its bars, on two lines where one would not fit."""
    plot = width - label_width - VALUE_ROOM
    bar, gap = 14, 14
    groups = []
    y = 24.0
    for label, need, capacity, note in rows:
        bars = [
            Bar(y, _scaled(need, plot), need, "need"),
            Bar(y + bar + 2, _scaled(capacity, plot), capacity, "capacity"),
        ]
        lines = wrap_label(label, label_width - 14)
        # One line between the bars; two lines centred on them.
        label_y = y + 19 if len(lines) == 1 else y + 12
        groups.append(BarGroup(label, y, bars, note, lines, label_y))
        y += 2 * bar + 2 + gap
    ticks = [(label_width + plot * step / SCALE_MAX, str(step)) for step in range(0, 6)]
    return BarChart(width, int(y + 6), label_width, plot, groups, ticks)


def share_chart(rows: list[tuple[str, float | None]], width: int = 720) -> BarChart:
    """One bar per choice, its label above it: the share (0–1) of respondents who chose it."""
    plot = width - VALUE_ROOM - 26
    groups = []
    y = 24.0
    for label, share in rows:
        lines = wrap_label(label, width - 10)
        extra = LINE_HEIGHT * (len(lines) - 1)
        bars = [Bar(y + 18 + extra, plot * (share or 0.0), share, "share")]
        groups.append(BarGroup(label, y, bars, "", lines, y + 12))
        y += 44 + extra
    ticks = [(plot * step / 4, f"{25 * step} %") for step in range(1, 5)]
    return BarChart(width, int(y + 4), 0, plot, groups, ticks)


def _scaled(value: float | None, plot: float) -> float:
    if value is None:
        return 0.0
    return plot * max(0.0, min(value, SCALE_MAX)) / SCALE_MAX
