"""The timeline drawn on the server: where each mark of a ``Timeline`` goes in an SVG.

Two lanes on one time axis: assessment rounds above, engagements below. Marks that
would overlap in a lane move down a row. Each mark carries its item's number, which
the list under the chart (the text alternative) repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

from surveyapp.engagements.timeline import Timeline

WIDTH = 720
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
    #: (x, year, text-anchor): the last label ends at its line, so it stays inside.
    ticks: list[tuple[float, int, str]]
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


def timeline_chart(timeline: Timeline) -> TimelineChart:
    plot = WIDTH - LEFT - RIGHT

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
        WIDTH,
        int(axis_y + 28),
        axis_y,
        [
            (x_of(position), year, "end" if x_of(position) > WIDTH - RIGHT - 40 else "start")
            for year, position in timeline.years
        ],
        Lane(TOP, round_height),
        Lane(engagement_top, engagement_height),
        marks,
    )
