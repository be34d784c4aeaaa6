"""Geometry of the charts drawn on the server as SVG (no JavaScript needed).

The functions return plain numbers; templates/_charts.html draws them. Every
chart also has a table or a text alternative next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Scores run from 1 to 5; bars start at 0 so that a 1 is still visible.
SCALE_MAX = 5.0


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
    (label, need, capacity, note) in the order to draw."""
    plot = width - label_width - 20
    bar, gap = 14, 14
    groups = []
    y = 24.0
    for label, need, capacity, note in rows:
        bars = [
            Bar(y, _scaled(need, plot), need, "need"),
            Bar(y + bar + 2, _scaled(capacity, plot), capacity, "capacity"),
        ]
        groups.append(BarGroup(label, y, bars, note))
        y += 2 * bar + 2 + gap
    ticks = [(label_width + plot * step / SCALE_MAX, str(step)) for step in range(0, 6)]
    return BarChart(width, int(y + 6), label_width, plot, groups, ticks)


def share_chart(rows: list[tuple[str, float | None]], width: int = 720) -> BarChart:
    """One bar per choice, its label above it: the share (0–1) of respondents who chose it."""
    plot = width - 70
    groups = []
    y = 24.0
    for label, share in rows:
        groups.append(BarGroup(label, y, [Bar(y + 18, plot * (share or 0.0), share, "share")]))
        y += 44
    ticks = [(plot * step / 4, f"{25 * step} %") for step in range(1, 5)]
    return BarChart(width, int(y + 4), 0, plot, groups, ticks)


def _scaled(value: float | None, plot: float) -> float:
    if value is None:
        return 0.0
    return plot * max(0.0, min(value, SCALE_MAX)) / SCALE_MAX
