"""A request whose database connection was lost is run again, when that is safe.

PostgreSQL can drop any connection at any moment: a restart, a failover, an
administrator's ``pg_terminate_backend``, a network hiccup. Pooled connections are
checked before use (``core.database``), but a connection can also go while a
request is using it. Then the request is run again from the start (its
``before_request`` hooks and its view) on new connections, up to
``MAX_ATTEMPTS`` times in all (with short ``PAUSES``), and the visitor never sees
the error.

When is running it again safe? What the server does with a lost connection decides:

- A transaction that had not asked to commit is rolled back by the server when
  its connection goes. Reads, and writes that had not reached COMMIT, left
  nothing behind: running the request again is always safe.
- A write transaction that had asked to commit (the connection was lost during
  COMMIT, or later in the request) may or may not be in the database: nobody can
  tell. Running the request again could apply it twice, so this happens only for
  views that are *repeatable*: a second run finds the first one's work and
  changes nothing more. The respondent's views are (see ``repeatable``), and so
  is every GET (staff pages only add audit records, which ``record_action`` does
  not add twice within one request). Every other request that lost its
  connection after asking to commit a write ends on a "please try again" page
  (503, in the visitor's language) instead of a server error, which says that a
  change just made may have been saved.

Which transactions wrote is noted per request (``before_cursor_execute``),
and a COMMIT of one that did is remembered for the request (the ``commit`` event
fires before COMMIT is sent). SQLite has no connection to lose: nothing of this
runs there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError

from surveyapp.extensions import db

#: How many times a request runs at most (the first time included), and how long to
#: wait before each run again: at once first (a dropped connection is replaced at
#: once), then a little longer, for a server that is restarting.
MAX_ATTEMPTS = 5
PAUSES = (0.0, 0.2, 0.5, 1.0)

_ATTEMPTS = "_surveyapp_attempts"
_COMMITTED_A_WRITE = "_surveyapp_committed_a_write"
#: ids of the request's connections whose transaction wrote
_WRITING = "_surveyapp_writing"
_REPEATABLE = "_surveyapp_repeatable"
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")


class LostConnection(DisconnectionError):
    """A read on the request's own connection found it lost twice in a row."""


def is_lost_connection(error: BaseException) -> bool:
    """Whether ``error`` says that the database connection went away.

    SQLAlchemy says so (``connection_invalidated``) when the driver marked the
    connection closed; psycopg does not always do that in time (a pipeline that was
    busy, a ROLLBACK sent after the server left), so its errors are read too: one
    raised by the driver itself (no SQLSTATE: the connection failed, not a statement)
    or with a SQLSTATE of a connection failure (class 08) or of the server ending the
    session (57P01-57P03: shut down, crashed, not taking connections now).
    """
    if isinstance(error, DisconnectionError):
        return True
    driver_error: BaseException | None = error
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        driver_error = error.orig
    if type(driver_error).__module__.split(".")[0] != "psycopg":
        return False
    sqlstate = getattr(driver_error, "sqlstate", None)
    if sqlstate:
        return str(sqlstate).startswith(("08", "57P"))
    return type(driver_error).__name__ == "OperationalError"


def is_run_again() -> bool:
    """Whether this request is being run again after it lost its connection."""
    return has_request_context() and g.get(_ATTEMPTS, 1) > 1


def repeatable(view: Callable) -> Callable:
    """Mark a view that may run again after its connection was lost, even if it had
    asked to commit a write: running it twice leaves what running it once leaves."""
    setattr(view, _REPEATABLE, True)
    return view


def _may_run_again() -> bool:
    if g.get(_ATTEMPTS, 1) >= MAX_ATTEMPTS:
        return False
    if request.method in ("GET", "HEAD") or not g.get(_COMMITTED_A_WRITE):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _REPEATABLE, False))


def run_again(error: BaseException) -> Any | None:
    """The request run again after ``error`` (a lost connection), or None when it
    may not be run again (the caller shows the "please try again" page)."""
    if not _may_run_again():
        return None
    attempt = g.get(_ATTEMPTS, 1) + 1
    setattr(g, _ATTEMPTS, attempt)
    current_app.logger.warning(
        "Lost the database connection (%s); running the request again (attempt %d)",
        type(getattr(error, "orig", None) or error).__name__,
        attempt,
    )
    _start_afresh()
    time.sleep(PAUSES[min(attempt - 2, len(PAUSES) - 1)])
    try:
        result = current_app.preprocess_request()
        if result is None:
            result = current_app.dispatch_request()
        return result
    except Exception as again:  # the app's error handlers decide, as for a first run
        return current_app.handle_user_exception(again)


def _start_afresh() -> None:
    """Drop everything that used the lost connection; the next run connects anew."""
    from surveyapp.core.database import release_request_connection

    db.session.rollback()  # loaded objects stay in the session, to be read again
    release_request_connection(lost=True)
    db.engine.dispose()  # the pool's other connections went with it, most likely
    for file in request.files.values():
        file.stream.seek(0)


# --- which requests asked to commit a write ------------------------------------------


def _note_write(conn: Connection, _cursor, statement: str, *_args) -> None:
    if not has_request_context() or not statement.lstrip()[:6].upper().startswith(_WRITES):
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        setattr(g, _COMMITTED_A_WRITE, True)  # committed as it runs
    else:
        g.setdefault(_WRITING, set()).add(id(conn))


def _note_commit(conn: Connection) -> None:
    if has_request_context() and id(conn) in g.get(_WRITING, ()):
        g.get(_WRITING).discard(id(conn))
        setattr(g, _COMMITTED_A_WRITE, True)


def _forget_writes(conn: Connection) -> None:
    # (Not conn.info: a lost connection cannot be asked for it before its rollback.)
    if has_request_context():
        g.get(_WRITING, set()).discard(id(conn))


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
    if engine.dialect.name == "sqlite":
        return  # a file: no connection to lose
    event.listen(engine, "before_cursor_execute", _note_write)
    event.listen(engine, "commit", _note_commit)
    event.listen(engine, "rollback", _forget_writes)
