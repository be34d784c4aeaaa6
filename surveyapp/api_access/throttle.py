"""Rate limits of the read-only API, in the shared limiter's storage (memory, or Redis
for several processes): per token, and per client address for refused requests."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app
from limits import parse_many

from surveyapp.extensions import limiter


def _take(config_key: str, kind: str, value: str) -> timedelta | None:
    """Count one request; the wait when a limit is spent, else None."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    strategy = limiter.limiter
    identifiers = (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), kind, value)
    for item in parse_many(current_app.config[config_key]):
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            return timedelta(seconds=max(1.0, reset_at - time.time()))
    return None


def token_wait(token_id: int) -> timedelta | None:
    """Count a request made with a token (``API_TOKEN_LIMITS``)."""
    return _take("API_TOKEN_LIMITS", "api-token", str(token_id))


def refused_wait(address: str) -> timedelta | None:
    """Count a request refused for its token, per address (``API_REFUSED_LIMITS``)."""
    return _take("API_REFUSED_LIMITS", "api-refused", address or "unknown")
