"""The read-only API for analysts' tools (Excel, Power BI, R): /api/v1, a personal
access token in ``Authorization: Bearer``, JSON or CSV, and an OpenAPI 3 document
at /api/v1/openapi.json written by flask-smorest from the views and their schemas.

No cookies and no CSRF: a request carries its token and nothing else.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint

from surveyapp.extensions import csrf

PREFIX = "/api/v1"

bp = Blueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="Read-only data for analysts: campaigns, questionnaires, municipalities, "
    "responses and needs profiles.",
)


class _Api(Api):
    """flask-smorest's Api, without its JSON error handler for the whole app: the pages
    keep their HTML error pages, and the API's blueprint has its own."""

    def _register_error_handlers(self) -> None:
        pass


def init_app(app: Flask) -> None:
    """Serve the API and its OpenAPI document (a fresh ``Api`` per app)."""
    app.config.setdefault("API_TITLE", "surveyapp")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = _Api(
        spec_kwargs={
            "info": {
                "description": "Send a personal access token (made on your account page) "
                "as `Authorization: Bearer <token>`. Every data URL answers JSON, or CSV "
                "with `format=csv`; none redirects. Responses carry an ETag (and "
                "Last-Modified where it means something): send it back in If-None-Match "
                "and a refresh that finds nothing new gets 304 Not Modified."
            },
            "servers": [{"url": "/"}],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "sva_..."}
    )
    api.register_blueprint(bp)
    document_csv(api.spec)
    csrf.exempt(bp)


#: Every data URL also answers CSV (``format=csv``).
CSV_CONTENT = {"schema": {"type": "string"}}


def document_csv(spec) -> None:
    """Add the CSV representation to every 200 answer of the document (flask-smorest
    writes the JSON one from the view's schema; the CSV has no schema of its own)."""
    for path in spec._paths.values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue  # the path's parameters
            ok = operation.get("responses", {}).get("200")
            if isinstance(ok, dict) and "content" in ok:
                ok["content"]["text/csv"] = CSV_CONTENT


# The views attach themselves to ``bp``.
from surveyapp.web.api import routes  # noqa: E402, F401

__all__ = ["bp", "init_app"]
