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

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        # Invitation tokens live in URLs: never send them to another site.
        headers.setdefault("Referrer-Policy", "same-origin")
        if hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if _is_private(request.path):
            headers["Cache-Control"] = "no-store"
        return response
