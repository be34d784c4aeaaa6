"""What this browser started through open links: a signed cookie of response tokens
per campaign, so the registration page can offer to continue instead of letting the
same phone register the same person twice.

The cookie holds only tokens this browser was given; a forged or damaged cookie
is ignored (it is signed with the app's secret key)."""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response as HTTPResponse

COOKIE_NAME = "open_responses"
#: Tokens kept per campaign, and campaigns kept, newest last.
PER_CAMPAIGN = 5
CAMPAIGNS = 10
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="open-link-responses")


def _read() -> dict[str, list[str]]:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or len(raw) > 4000:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    return {
        str(key): [t for t in tokens if isinstance(t, str)][-PER_CAMPAIGN:]
        for key, tokens in value.items()
        if isinstance(tokens, list)
    }


def remembered_tokens(campaign_id: int) -> list[str]:
    """The response tokens this browser got through ``campaign_id``'s open link."""
    return _read().get(str(campaign_id), [])


def remember(response: HTTPResponse, campaign_id: int, token: str) -> HTTPResponse:
    """Add ``token`` to what this browser remembers of ``campaign_id``; returns ``response``."""
    memory = _read()
    key = str(campaign_id)
    tokens = [t for t in memory.pop(key, []) if t != token] + [token]
    memory[key] = tokens[-PER_CAMPAIGN:]
    memory = dict(list(memory.items())[-CAMPAIGNS:])
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(memory),
        max_age=MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response
