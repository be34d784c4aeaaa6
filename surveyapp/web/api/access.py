"""What every API view shares: the token check (scope, role, rate, audit), errors as
JSON, conditional requests (ETag, Last-Modified, 304) and the CSV representation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from http import HTTPStatus

from flask import Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from surveyapp.api_access import grants, throttle, tokens
from surveyapp.core.spreadsheets import csv_chunks
from surveyapp.web.api import bp

#: Said to the client with each refusal (English: the API's clients are programs).
MESSAGES = {
    "missing": "Send a personal access token: Authorization: Bearer <token>.",
    "unknown": "This token is not known.",
    "expired": "This token has expired. Make a new one on your account page.",
    "revoked": "This token was revoked. Make a new one on your account page.",
    "inactive": "The account this token belongs to is switched off.",
    "forbidden": "This token may not read this: its scope, or its owner's role, does not allow it.",
    "rate_limited": "Too many requests with this token. Wait and try again.",
}

#: Cached by the client only (never by a shared cache), and checked with it every time.
CACHE_CONTROL = "private, no-cache"


def error(status: int, message: str = "", headers: dict | None = None, **extra) -> Response:
    """A JSON error in the shape the OpenAPI document gives (``ErrorSchema``)."""
    payload: dict = {"code": status, "status": HTTPStatus(status).phrase}
    if message:
        payload["message"] = message
    payload.update(extra)
    reply = jsonify(payload)
    reply.status_code = status
    reply.headers.update(headers or {})
    return reply


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Errors of the API's URLs in JSON, never an HTML page (webargs' 422 with its
    messages per parameter)."""
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    extra = {}
    if "messages" in data:
        extra["errors"] = data["messages"]
    return error(
        code, exc.description if code != 422 else "", getattr(exc, "headers", None) or None, **extra
    )


def _client_address() -> str:
    return request.remote_addr or ""


def reads(resource: str) -> Callable:
    """The view reads ``resource``: it needs a valid token whose scope and whose owner's
    role allow it (``api_access.grants``), within the token's rate limit. Every request
    that names a known token is in the audit log (refused ones too)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            address = _client_address()
            secret = tokens.bearer_secret(request.headers.get("Authorization"))
            try:
                token = tokens.authenticate(secret)
            except tokens.TokenRefused as refused:
                if refused.token is not None:
                    _record(refused.token, refused.reason)
                if wait := throttle.refused_wait(address):
                    return _too_many(wait.total_seconds())
                return error(
                    401,
                    MESSAGES[refused.reason],
                    {"WWW-Authenticate": 'Bearer realm="surveyapp"'},
                )
            if wait := throttle.token_wait(token.id):
                _record(token, "rate_limited")
                return _too_many(wait.total_seconds())
            if not grants.may_read(token, resource):
                _record(token, "forbidden")
                return error(403, MESSAGES["forbidden"])
            _record(token, "ok")
            g.api_token = token
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _record(token, outcome: str) -> None:
    tokens.record_use(
        token,
        _client_address(),
        request.path,
        request.query_string.decode(errors="replace"),
        outcome,
    )


def _too_many(seconds: float) -> Response:
    return error(429, MESSAGES["rate_limited"], {"Retry-After": str(int(seconds) + 1)})


# --- conditional requests -----------------------------------------------------------


def tag(*parts: object) -> str:
    """An ETag value for what ``parts`` say about the data (and the request's own query)."""
    text = json.dumps([request.full_path, *parts], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def not_modified(etag: str, last_modified: datetime | None = None) -> Response | None:
    """A 304 when the client's copy (If-None-Match, or If-Modified-Since) is current."""
    probe = Response(status=200)
    _validators(probe, etag, last_modified)
    probe.make_conditional(request)
    if probe.status_code == 304:
        return probe
    return None


def _validators(reply: Response, etag: str, last_modified: datetime | None) -> None:
    reply.set_etag(etag)
    if last_modified is not None:
        reply.last_modified = last_modified.replace(tzinfo=UTC)
    reply.headers["Cache-Control"] = CACHE_CONTROL


def validators(etag: str, last_modified: datetime | None = None) -> dict[str, str]:
    """The headers that let a client ask again cheaply."""
    probe = Response()
    _validators(probe, etag, last_modified)
    return {
        name: value
        for name, value in probe.headers.items()
        if name in ("ETag", "Last-Modified", "Cache-Control")
    }


def body_tag(data: object) -> str:
    """An ETag for a small representation: a hash of its data."""
    return tag(data)


def wants_csv(args: dict) -> bool:
    return args.get("format") == "csv"


def csv_response(rows: list[list[object]], headers: dict[str, str]) -> Response:
    """CSV that opens cleanly in Excel and Power BI (UTF-8 with BOM, formulas neutralised),
    inline: no attachment, so tools read it as the URL's content."""
    reply = Response("".join(csv_chunks(iter(rows))), mimetype="text/csv")
    reply.headers.update(headers)
    return reply
