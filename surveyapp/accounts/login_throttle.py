"""Sign-in throttling with the shared limiter: per client address and per account.

The counters live in Flask-Limiter's storage (memory, or Redis for several
processes), whose increments are atomic, so parallel attempts cannot slip past
a limit. An account is keyed by the e-mail address as typed (normalised),
whether or not it exists, so unknown addresses are slowed down exactly like
real ones and the answers do not tell which accounts exist.
"""

from __future__ import annotations

import hashlib
import time
from datetime import timedelta

from flask import current_app
from limits import parse_many
from limits.limits import RateLimitItem

from surveyapp.extensions import limiter


def _limits(config_key: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[config_key])


def _identifiers(kind: str, value: str) -> tuple[str, ...]:
    # Hashed: the storage never holds e-mail addresses in clear.
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return (current_app.config.get("RATELIMIT_KEY_PREFIX", ""), kind, digest)


def _take(config_key: str, kind: str, value: str) -> timedelta | None:
    """Count one attempt against each limit in turn; the wait if one is spent, else None.

    Stops at the first spent limit, so attempts refused during a short wait do not
    count towards the longer ones. Fixed windows: a refused attempt never moves the
    end of the wait.
    """
    strategy = limiter.limiter
    identifiers = _identifiers(kind, value)
    for item in _limits(config_key):
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            return timedelta(seconds=max(1.0, reset_at - time.time()))
    return None


def address_wait(address: str) -> timedelta | None:
    """Count a sign-in attempt from a client address; the wait if it has tried too often."""
    return _take("LOGIN_ADDRESS_LIMITS", "login-address", address or "unknown")


def account_wait(account: str) -> timedelta | None:
    """Count an attempt on an account (an e-mail address, or "totp:<id>"); the wait if any."""
    return _take("LOGIN_ACCOUNT_LIMITS", "login-account", account)


def account_spent_until(account: str) -> timedelta | None:
    """How long the account now waits, if the attempt just counted used up a limit."""
    strategy = limiter.limiter
    identifiers = _identifiers("login-account", account)
    waits = [
        strategy.get_window_stats(item, *identifiers).reset_time - time.time()
        for item in _limits("LOGIN_ACCOUNT_LIMITS")
        if strategy.get_window_stats(item, *identifiers).remaining == 0
    ]
    return timedelta(seconds=max(waits)) if waits else None


def clear_account(account: str) -> None:
    """Forget an account's failures (after a successful sign-in)."""
    identifiers = _identifiers("login-account", account)
    for item in _limits("LOGIN_ACCOUNT_LIMITS"):
        limiter.limiter.clear(item, *identifiers)


def reset_address_wait(address: str) -> timedelta | None:
    """Count a "forgot password" request from a client address; the wait if too many."""
    return _take("RESET_LINK_ADDRESS_LIMITS", "reset-address", address or "unknown")


def reset_account_wait(email: str) -> timedelta | None:
    """Count a "forgot password" request for an e-mail address as typed (known or not)."""
    return _take("RESET_LINK_ACCOUNT_LIMITS", "reset-account", email)
