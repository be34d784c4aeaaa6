"""Demo rounds: two or three campaigns of the built-in assessment, years apart, as a series.

Later rounds report more capacity (and a little less need) in the domains the
hub worked on in the demo story (trust, youth, schools), and about the same
elsewhere, so the change pages have both real changes and changes within the
noise to show.
"""

from __future__ import annotations

from datetime import datetime

from surveyapp.demo.seed import seed_demo
from surveyapp.rounds import series

SERIES_NAME = "City needs"
#: (campaign name, start, shifts of the mean scores: measure -> domain -> points)
ROUNDS = [
    ("City needs 2023", datetime(2023, 2, 6), {}),
    (
        "City needs 2026",
        datetime(2026, 2, 2),
        {"capacity": {"trust": 0.5, "youth": 0.4, "schools": 0.35}, "need": {"youth": -0.2}},
    ),
    (
        "City needs 2029",
        datetime(2029, 2, 5),
        {
            "capacity": {"trust": 0.8, "youth": 0.7, "schools": 0.6, "crisis": 0.2},
            "need": {"youth": -0.4, "online_hate": 0.2},
        },
    ),
]


def seed_demo_rounds(responses: int, rounds: int = 3, seed: int = 1) -> int:
    """``rounds`` (2 or 3) demo campaigns of ``responses`` responses each, as one series;
    the series' id."""
    if rounds not in (2, 3):
        raise ValueError("2 or 3 rounds")
    series_id = series.create_series(SERIES_NAME)
    for i, (name, start, shifts) in enumerate(ROUNDS[:rounds]):
        campaign = seed_demo(responses, seed=seed + i, start=start, name=name, shifts=shifts)
        series.add_round(series_id, campaign.id)
    return series_id
