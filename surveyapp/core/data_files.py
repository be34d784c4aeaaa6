"""Where the data files shipped with the application are (countries, municipalities,
questionnaire definitions, demo patterns)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
