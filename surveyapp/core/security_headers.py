"""Response headers that every page gets."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


#: A year, subdomains included (a subdomain over HTTP could set cookies for the site).
HSTS = "max-age=31536000; includeSubDomains"


def _is_private(path: str) -> bool:
    """Pages that carry answers, results or accounts must never be cached."""
    return "/r/" in path or "/staff" in path or "/o/" in path


def init_app(app: Flask) -> None:
    # Served over HTTPS (the production config): browsers must never use plain HTTP.
    hsts = bool(app.config.get("HTTPS")) or app.config.get("PREFERRED_URL_SCHEME") == "https"
    defaults = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # Invitation tokens live in URLs: never send them to another site.
        ("Referrer-Policy", "same-origin"),
        *([("Strict-Transport-Security", HSTS)] if hsts else []),
    ]

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        # (Not ``headers.setdefault``: werkzeug's raises and catches an exception for
        # each header not there yet, five times on every page.)
        present = {name.lower() for name, _ in headers}
        for name, value in defaults:
            if name.lower() not in present:
                headers[name] = value
        if _is_private(request.path):
            headers["Cache-Control"] = "no-store"
        return response
