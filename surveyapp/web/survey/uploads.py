"""A questionnaire page with a file question is sent as multipart/form-data, and may
be larger than other requests (``UPLOAD_MAX_REQUEST`` instead of
``MAX_CONTENT_LENGTH``); past that it gets the friendly "too large" page (413).
Each question's own limit is checked with the page, with a message beside it."""

from __future__ import annotations

from flask import Flask, current_app, request

#: The views that take a questionnaire page's files.
UPLOAD_ENDPOINTS = frozenset({"survey.save_page"})


def init_app(app: Flask) -> None:
    @app.before_request
    def allow_page_uploads() -> None:
        if request.endpoint in UPLOAD_ENDPOINTS and request.mimetype == "multipart/form-data":
            request.max_content_length = current_app.config["UPLOAD_MAX_REQUEST"]
