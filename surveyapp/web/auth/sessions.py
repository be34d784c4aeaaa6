"""A staff session's clock: when it began, when the password was last entered.

Both times live in the signed session cookie and are checked on the server: a
session ends STAFF_SESSION_MAX_AGE after sign-in however busy it is, and the
most sensitive pages ask for the password again after STAFF_REAUTH_MAX_AGE.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps

from flask import current_app, redirect, request, session, url_for
from flask_login import login_user

from surveyapp.models import User

LOGIN_AT = "login_at"
REAUTH_AT = "reauth_at"


def start_session(user: User) -> None:
    """A new session for ``user``, who has just proved who they are."""
    session.clear()
    session.permanent = True  # also ends after PERMANENT_SESSION_LIFETIME without a request
    login_user(user)
    session[LOGIN_AT] = session[REAUTH_AT] = time.time()


def renew_login(user: User) -> None:
    """Carry this session over to the user's new session token (after a password change)."""
    login_at = session.get(LOGIN_AT)
    login_user(user)
    session[LOGIN_AT] = login_at
    password_entered()


def password_entered() -> None:
    session[REAUTH_AT] = time.time()


def _age(key: str) -> float:
    started = session.get(key)
    if not isinstance(started, int | float):
        return float("inf")
    return time.time() - started


def session_is_current() -> bool:
    """False once the session is older than STAFF_SESSION_MAX_AGE (or has no start time)."""
    return _age(LOGIN_AT) <= current_app.config["STAFF_SESSION_MAX_AGE"]


def password_is_recent() -> bool:
    return _age(REAUTH_AT) <= current_app.config["STAFF_REAUTH_MAX_AGE"]


def recent_password_required(view: Callable) -> Callable:
    """Put after ``requires``: asks for the password again if it is not recent.

    A POST that arrives too late changes nothing; its page is shown again after
    the password.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not password_is_recent():
            back = request.full_path.rstrip("?") if request.method == "GET" else request.referrer
            return redirect(url_for("auth.confirm_password", next=_local_path(back)), 303)
        return view(*args, **kwargs)

    return wrapped


def _local_path(url: str | None) -> str | None:
    if not url:
        return None
    root = request.host_url.rstrip("/")
    if url.startswith(root + "/"):
        return url[len(root) :]
    return url if url.startswith("/") else None
