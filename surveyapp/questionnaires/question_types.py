"""Question types: what an answer of each type looks like, stores, shows and exports."""

from __future__ import annotations

from datetime import date

#: What a question's answer looks like in Python, by type.
AnswerValue = str | list[str] | float | date | None
