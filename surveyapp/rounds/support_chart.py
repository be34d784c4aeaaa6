"""Geometry of the "where the hub helped" chart, drawn on the server as SVG
(templates/rounds/_support_chart.html).

One row per domain (all domains first): the mean change in gap of the three
groups of municipalities (``support_effect.GROUPS``), each a mark of its own
shape (circle, square, diamond: readable without colour) on its own line, with
its 95 % interval as a thin line. Left of zero the gap narrowed. The table
beside the chart is its text alternative. ``compact``: 360 units wide, each
name above its row, for a phone (as ``surveyapp.rounds.charts``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from surveyapp.profiles.charts import LINE_HEIGHT, wrap_label
from surveyapp.rounds.support_effect import GROUPS, SupportRow

LABEL_WIDTH = 170
PLOT_WIDTH = 380
#: Three marks a row, one line each.
MARK_STEP = 13
ROW_HEIGHT = 3 * MARK_STEP + 14
TOP = 24
COMPACT_LEFT = 10
COMPACT_PLOT = 340


@dataclass
class GroupMark:
    group: str
    y: float
    #: None when the group's figure is not drawn (too few municipalities, none).
    x: float | None = None
    low: float | None = None
    high: float | None = None
    noise: bool = True
    status: str = "none"


@dataclass
class SupportChartRow:
    lines: list[str]
    label_y: float
    top: float
    marks: list[GroupMark] = field(default_factory=list)


@dataclass
class SupportChart:
    width: int
    height: int
    label_width: int
    plot_right: float
    label_x: float
    label_anchor: str
    zero_x: float
    rows: list[SupportChartRow]
    #: (x, label) of the change axis.
    ticks: list[tuple[float, str]]


def support_chart(
    rows: list[SupportRow], labels: dict[str, str], all_label: str, compact: bool = False
) -> SupportChart:
    left, width = (COMPACT_LEFT, COMPACT_PLOT) if compact else (LABEL_WIDTH, PLOT_WIDTH)
    drawn = [
        value
        for row in rows
        for figure in row.figures.values()
        if figure.change is not None
        for value in (figure.change.value, figure.change.low, figure.change.high)
        if value is not None
    ] or [0.0]
    # A symmetric axis in half points, at least -1 to +1, at most -4 to +4 (a 1-5 scale).
    reach = min(4.0, max(1.0, math.ceil(max(abs(v) for v in drawn) * 2) / 2))

    def x(value: float) -> float:
        value = min(reach, max(-reach, value))
        return round(left + (value + reach) / (2 * reach) * width, 1)

    chart_rows = []
    row_top: float = TOP
    for row in rows:
        name = all_label if row.domain is None else labels.get(row.domain, row.domain)
        if compact:
            lines = wrap_label(name, COMPACT_PLOT)
            label_y = row_top + 14
            top = row_top + 4 + len(lines) * LINE_HEIGHT
        else:
            top = row_top
            lines = wrap_label(name, LABEL_WIDTH - 12)
            label_y = top + ROW_HEIGHT / 2 + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
        chart_row = SupportChartRow(lines, label_y, row_top)
        for j, group in enumerate(GROUPS):
            figure = row.figures[group]
            mark = GroupMark(group, top + 7 + MARK_STEP * j + MARK_STEP / 2, status=figure.status)
            change = figure.change
            if change is not None:
                mark.x = x(change.value)
                mark.low = None if change.low is None else x(change.low)
                mark.high = None if change.high is None else x(change.high)
                mark.noise = change.within_noise
            chart_row.marks.append(mark)
        chart_rows.append(chart_row)
        row_top = top + ROW_HEIGHT
    step = 0.5 if reach <= 1.5 else 1.0
    values = [k * step for k in range(-int(reach / step), int(reach / step) + 1)]
    ticks = [(x(v), f"{v:+.1f}" if v else "0") for v in values]
    return SupportChart(
        2 * COMPACT_LEFT + COMPACT_PLOT if compact else LABEL_WIDTH + PLOT_WIDTH + 20,
        int(row_top + 22),
        left,
        left + width,
        COMPACT_LEFT if compact else LABEL_WIDTH - 10,
        "start" if compact else "end",
        x(0),
        chart_rows,
        ticks,
    )
