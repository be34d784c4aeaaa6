"""Geometry of the change charts, drawn on the server as SVG (templates/rounds/_charts.html).

Two rounds: a dumbbell per domain on the gap axis (need minus capacity), from
the first round's gap (hollow) to the last's (filled), each with its 95 %
interval as a thin line; a change within the noise is drawn grey and dashed.
Three rounds or more: a small line per domain over the rounds, with the
intervals as whiskers, on one vertical range fitted to the figures (marked on
each row). The tables beside the charts are their text
alternative; labels wrap as in ``surveyapp.profiles.charts``.

``compact``: the same chart for a phone, 360 units wide with each domain's name
above its row instead of beside it, so that it is drawn at full size on a
390 px screen (the page shows one or the other by width; print takes the wide one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from surveyapp.profiles.charts import LINE_HEIGHT, wrap_label
from surveyapp.rounds.change import DomainChange
from surveyapp.rounds.intervals import Estimate

#: Gaps run from -4 (all capacity) to +4 (all need) on a 1-5 scale.
GAP_MIN, GAP_MAX = -4.0, 4.0
LABEL_WIDTH = 170
PLOT_WIDTH = 380
ROW_HEIGHT = 44
LINE_ROW_HEIGHT = 70
TOP = 22
#: The compact chart: the plot's left edge and width (360 units in all).
COMPACT_LEFT = 10
COMPACT_PLOT = 340


@dataclass
class Mark:
    x: float
    y: float
    low: float | None = None
    high: float | None = None


@dataclass
class ChartRow:
    lines: list[str]
    label_y: float
    top: float
    #: "shown", "suppressed" or "none" (no figure to draw).
    status: str
    marks: list[Mark] = field(default_factory=list)
    noise: bool = True
    #: (y, label) of the values marked on the row's own axis (lines only).
    ticks: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class ChangeChart:
    kind: str  # "dumbbell" or "lines"
    width: int
    height: int
    label_width: int
    rows: list[ChartRow]
    #: (x, label) of the gap axis (dumbbell) or of the rounds (lines).
    ticks: list[tuple[float, str]]
    zero_x: float = 0.0
    row_height: int = ROW_HEIGHT
    #: Where row labels go: right-aligned left of the plot, or (compact) above each row.
    label_x: float = LABEL_WIDTH - 10
    label_anchor: str = "end"


def _frame(compact: bool) -> tuple[int, int]:
    """(left edge of the plot, plot width)."""
    return (COMPACT_LEFT, COMPACT_PLOT) if compact else (LABEL_WIDTH, PLOT_WIDTH)


def _x(value: float, compact: bool = False) -> float:
    left, width = _frame(compact)
    value = min(GAP_MAX, max(GAP_MIN, value))
    return left + (value - GAP_MIN) / (GAP_MAX - GAP_MIN) * width


def _label(name: str, top: float, height: float, compact: bool) -> tuple[list[str], float, float]:
    """(lines, y of the first line, top of the row's plot) of a row's label."""
    if compact:
        lines = wrap_label(name, COMPACT_PLOT)
        return lines, top + 13, top + 6 + len(lines) * LINE_HEIGHT
    lines = wrap_label(name, LABEL_WIDTH - 12)
    return lines, top + height / 2 + 4 - (len(lines) - 1) * LINE_HEIGHT / 2, top


def change_chart(
    domains: list[DomainChange],
    labels: dict[str, str],
    round_labels: list[str],
    between: tuple[int, int] | None,
    compact: bool = False,
) -> ChangeChart | None:
    """The chart of a series' change: None when fewer than two rounds can be drawn."""
    if between is None:
        return None
    if len(round_labels) >= 3:
        chart = _lines(domains, labels, round_labels, compact)
    else:
        chart = _dumbbell(domains, labels, between, compact)
    if compact:
        chart.label_x, chart.label_anchor = COMPACT_LEFT, "start"
    return chart


def _dumbbell(
    domains: list[DomainChange], labels: dict[str, str], between: tuple[int, int], compact: bool
) -> ChangeChart:
    left, width = _frame(compact)
    rows = []
    top: float = TOP
    for domain in domains:
        lines, label_y, plot_top = _label(
            labels.get(domain.domain, domain.domain), top, ROW_HEIGHT, compact
        )
        first, last = (domain.rounds[j].gap for j in between)
        row = ChartRow(lines, label_y, plot_top, "none")
        if domain.change_status == "suppressed":
            row.status = "suppressed"
        elif first is not None and last is not None:
            row.status = "shown"
            middle = plot_top + ROW_HEIGHT / 2
            row.marks = [_mark(first, middle - 5, compact), _mark(last, middle + 5, compact)]
            row.noise = domain.gap is None or domain.gap.within_noise
        rows.append(row)
        top = plot_top + ROW_HEIGHT
    ticks = [(_x(v, compact), f"{v:+.0f}" if v else "0") for v in (-4, -2, 0, 2, 4)]
    return ChangeChart(
        "dumbbell",
        left + width + 20 if not compact else 2 * COMPACT_LEFT + COMPACT_PLOT,
        int(top + 6),
        left,
        rows,
        ticks,
        zero_x=_x(0, compact),
    )


def _mark(estimate: Estimate, y: float, compact: bool = False) -> Mark:
    low, high = estimate.low, estimate.high
    return Mark(
        _x(estimate.value, compact),
        y,
        None if low is None else _x(low, compact),
        None if high is None else _x(high, compact),
    )


def _lines(
    domains: list[DomainChange], labels: dict[str, str], rounds: list[str], compact: bool
) -> ChangeChart:
    plot_left, plot_width = _frame(compact)
    # Room left of the first round and right of the last for their names (centred).
    left, right = plot_left + 60, plot_left + plot_width - 50
    step = (right - left) / max(1, len(rounds) - 1)
    xs = [left + i * step for i in range(len(rounds))]
    # One vertical range for every row (so slopes compare), fitted to the figures drawn:
    # a gap of 1.5 to 2.0 on the full -4 to +4 axis would look flat.
    drawn = [
        value
        for domain in domains
        for figures in domain.rounds
        if figures.gap is not None
        for value in (figures.gap.value, figures.gap.low, figures.gap.high)
        if value is not None
    ] or [0.0]
    bottom = max(GAP_MIN, math.floor(min(drawn) * 2) / 2)
    top_value = min(GAP_MAX, math.ceil(max(drawn) * 2) / 2)
    if top_value - bottom < 1:
        top_value = min(GAP_MAX, bottom + 1)
    rows = []
    row_top: float = TOP
    for domain in domains:
        lines, label_y, top = _label(
            labels.get(domain.domain, domain.domain), row_top, LINE_ROW_HEIGHT, compact
        )
        row = ChartRow(
            lines, label_y, top, "suppressed" if domain.change_status == "suppressed" else "shown"
        )

        def y(value: float, top: float = top, lo: float = bottom, hi: float = top_value) -> float:
            value = min(hi, max(lo, value))
            return top + 8 + (hi - value) / (hi - lo) * (LINE_ROW_HEIGHT - 16)

        row.ticks = [(y(value), f"{value:+.1f}" if value else "0") for value in (top_value, bottom)]

        for x, figures in zip(xs, domain.rounds, strict=True):
            if figures.gap is not None:
                low, high = figures.gap.low, figures.gap.high
                row.marks.append(
                    Mark(
                        x,
                        y(figures.gap.value),
                        None if low is None else y(low),
                        None if high is None else y(high),
                    )
                )
        if len(row.marks) < 2 and row.status == "shown":
            row.status = "none"
        row.noise = domain.gap is None or domain.gap.within_noise
        rows.append(row)
        row_top = top + LINE_ROW_HEIGHT
    return ChangeChart(
        "lines",
        plot_left + plot_width + 20 if not compact else 2 * COMPACT_LEFT + COMPACT_PLOT,
        int(row_top + 6),
        plot_left,
        rows,
        list(zip(xs, rounds, strict=True)),
        row_height=LINE_ROW_HEIGHT,
    )
