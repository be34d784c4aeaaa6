"""Checks every request passes before a view sees it."""

from __future__ import annotations

from itertools import chain

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def _every_value(data: MultiDict):
    return chain(data.keys(), chain.from_iterable(data.listvalues()))


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes() -> None:
        """No browser sends a NUL byte in a form or a URL, and PostgreSQL cannot store
        one in text: such a request is refused (400) before anything reads it."""
        if _has_nul(_every_value(request.args)):
            abort(400)
        if request.method == "POST" and (
            _has_nul(_every_value(request.form))
            or _has_nul(file.filename or "" for file in request.files.values())
        ):
            abort(400)
