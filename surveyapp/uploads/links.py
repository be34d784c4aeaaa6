"""The staff address of a stored file, as exports carry it.

Exports are written outside a request too (by a worker), so the address is built
from ``PUBLIC_URL`` (else the request's own) and ``FILE_PATH``, which the staff
route matches (``tests/test_uploads.py`` checks that it does).
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

#: The staff download of one stored file (in English: staff follow it from a spreadsheet).
FILE_PATH = "/en/staff/files/{key}"


def file_url(key: str) -> str:
    """The file's staff address: absolute with ``PUBLIC_URL`` or in a request, else the path."""
    base = (current_app.config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not base and has_request_context():
        base = request.url_root.rstrip("/")
    return base + FILE_PATH.format(key=key)
