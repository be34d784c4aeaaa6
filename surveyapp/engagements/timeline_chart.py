"""The timeline drawn on the server: where each mark of a ``Timeline`` goes in an SVG.

Two lanes on one time axis: assessment rounds above, engagements below. Marks that
would overlap in a lane move down a row. Each mark carries its item's number, which
the list under the chart (the text alternative) repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.engagements.timeline import Timeline

WIDTH = 720
PHONE_WIDTH = 360
LEFT, RIGHT = 24, 24
#: A lane's first row, the height of a row, and how close two marks may come.
TOP = 34
ROW = 26
MARK_RADIUS = 10
MIN_DISTANCE = 2 * MARK_RADIUS + 4


@dataclass
class Mark:
    number: int
    x: float
    y: float
    #: "round", "unanswered" (a round), "done" or "planned" (how it is drawn).
    look: str


@dataclass
class Lane:
    y: float
    height: float


@dataclass
class TimelineChart:
    width: int
    height: int
    axis_y: float
    #: (x, year, text-anchor): the last label ends at its line, so it stays inside; year
    #: None: the line without a label (no room for it).
    ticks: list[tuple[float, int | None, str]]
    rounds: Lane
    engagements: Lane
    marks: list[Mark]


def _rows(xs: list[tuple[int, float]]) -> dict[int, int]:
    """Item number -> row in its lane: the first row where it is far enough from the
    marks already placed."""
    rows: list[list[float]] = []
    placed = {}
    for number, x in xs:
        for index, taken in enumerate(rows):
            if all(abs(x - other) >= MIN_DISTANCE for other in taken):
                taken.append(x)
                placed[number] = index
                break
        else:
            rows.append([x])
            placed[number] = len(rows) - 1
    return placed


def _ticks(years: list[tuple[float, int]], width: int) -> list[tuple[float, int | None, str]]:
    """(x, year or None, text-anchor) of each 1 January: a label that would run into the
    one before it (on a narrow chart) is left out, its line stays."""
    ticks: list[tuple[float, int | None, str]] = []
    last_end = -1e9
    for x, year in years:
        anchor = "end" if x > width - RIGHT - 40 else "start"
        start, end = (x - 34, x) if anchor == "end" else (x, x + 34)
        if start < last_end + 4:
            ticks.append((x, None, anchor))
            continue
        ticks.append((x, year, anchor))
        last_end = end
    return ticks


def timeline_chart(timeline: Timeline, width: int = WIDTH) -> TimelineChart:
    """Where the marks go; ``width``: 720 for a screen, ``PHONE_WIDTH`` for a phone (marks
    that would overlap at that width move down a row, and the text stays full size)."""
    plot = width - LEFT - RIGHT

    def x_of(position: float) -> float:
        return round(LEFT + position * plot, 1)

    rounds = [(i.number, x_of(i.position)) for i in timeline.items if i.kind == "round"]
    engagements = [(i.number, x_of(i.position)) for i in timeline.items if i.kind != "round"]
    round_rows, engagement_rows = _rows(rounds), _rows(engagements)
    round_height = ROW * (max(round_rows.values(), default=0) + 1)
    engagement_top = TOP + round_height + 30
    engagement_height = ROW * (max(engagement_rows.values(), default=0) + 1)
    axis_y = engagement_top + engagement_height + 8
    marks = []
    for item in timeline.items:
        if item.kind == "round":
            y = TOP + ROW * round_rows[item.number] + ROW / 2
            # A round of the series the municipality did not answer: drawn hollow.
            look = "round" if item.round is None or item.round.status != "empty" else "unanswered"
        else:
            y = engagement_top + ROW * engagement_rows[item.number] + ROW / 2
            look = item.engagement.status if item.engagement else "planned"
        marks.append(Mark(item.number, x_of(item.position), y, look))
    return TimelineChart(
        width,
        int(axis_y + 28),
        axis_y,
        _ticks([(x_of(position), year) for year, position in timeline.years], width),
        Lane(TOP, round_height),
        Lane(engagement_top, engagement_height),
        marks,
    )
