"""What the staff blueprints share: who may open a view, the audit record of what
staff do, and CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Response, abort, g, request
from flask_login import current_user

from surveyapp.accounts import audit_log as audit_trail
from surveyapp.accounts.permissions import PERMISSIONS, can
from surveyapp.core.spreadsheets import csv_text
from surveyapp.extensions import login_manager


def requires(permission: str) -> Callable:
    """Staff only: anonymous visitors go to sign in; staff without ``permission`` get 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def record_action(action: str, target: str = "", user_id: int | None = None, **details) -> None:
    """Record a staff action with who did it and from where.

    Once per request: a request run again after a lost database connection
    (``core.lost_connections``) does not record again what its first run committed.
    """
    if user_id is None and current_user.is_authenticated:
        user_id = current_user.id
    key = (action, target, user_id, repr(sorted(details.items())))
    recorded = g.setdefault(_RECORDED, set())
    if key in recorded:
        return
    audit_trail.record(action, target, user_id=user_id, ip=request.remote_addr or "", **details)
    recorded.add(key)


_RECORDED = "_surveyapp_recorded_actions"


def csv_download(rows: list[list[object]], filename: str) -> Response:
    """A CSV attachment that opens cleanly in Excel (BOM, formulas neutralised)."""
    return Response(
        csv_text(rows),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
