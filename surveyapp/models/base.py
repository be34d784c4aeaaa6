from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timestamps are stored as naive UTC, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
