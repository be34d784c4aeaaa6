"""Database connection settings that every engine gets, write transactions, and
the request's own connection.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign keys,
and write transactions that take the write lock when they begin (BEGIN
IMMEDIATE), so concurrent writers queue instead of failing with "database is
locked" when a read transaction tries to turn into a write.

PostgreSQL: a pooled connection is pinged before the ORM session uses it, so a
server restart costs no request an error; the respondent's pages read on a
connection of their own, unpinged, and repeat a read that finds it dropped. A
connection dropped while a request uses it is thrown away and the request run
again where that is safe (``core.lost_connections``); one dropped after the page
was made no longer fails the request at its end (``end_request``).
"""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from surveyapp.core.lost_connections import LostConnection, is_lost_connection, is_run_again
from surveyapp.extensions import db

_write_lock_wanted: ContextVar[bool] = ContextVar("write_lock_wanted", default=False)
_checking_out_unpinged: ContextVar[bool] = ContextVar("checking_out_unpinged", default=False)


def _sqlite_connect(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if _write_lock_wanted.get():
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif not connection.get_execution_options().get(_READS_IN_AUTOCOMMIT):
        connection.exec_driver_sql("BEGIN")
    # else: each read of the request's own connection is a statement of its own, as
    # on PostgreSQL (a single SELECT sees one consistent state of the database).


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the body as one write transaction that holds the write lock from its start,
    and commit it at the end (the body may commit earlier itself).

    Also a decorator (``@write_transaction()``): every function that writes through
    the ORM session is one, or runs its writes in one, so that its reads and writes
    share the transaction that took the lock. Any read transaction still open is
    ended first (it has nothing to save). Nested, it joins the outer one.
    On PostgreSQL this only delimits the transaction; row locks do the rest.
    """
    if _write_lock_wanted.get():
        yield
        return
    if db.session().in_transaction():
        db.session.commit()
    token = _write_lock_wanted.set(True)
    try:
        yield
        if db.session().in_transaction():
            db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _write_lock_wanted.reset(token)


def _write_outside_write_transaction(what: str) -> None:
    warnings.warn(
        f"{what} outside write_transaction(): on SQLite it fails with 'database is locked' "
        "when another request wrote since this transaction's first read",
        RuntimeWarning,
        stacklevel=3,
    )


_UNGUARDED = "surveyapp_unguarded_write"


def _unguarded(session: Session) -> bool:
    return (
        not _write_lock_wanted.get()
        and has_request_context()
        and session.get_bind().dialect.name == "sqlite"
    )


def _note_flush(session: Session, _flush_context) -> None:
    """A request's ORM writes go through ``write_transaction`` (SQLite: see above)."""
    if _unguarded(session):
        session.info[_UNGUARDED] = "An ORM flush"


def _note_statement(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and _unguarded(state.session):
        state.session.info[_UNGUARDED] = "A write statement"


def _check_commit(session: Session) -> None:
    """Warn when a request commits writes made outside ``write_transaction``
    (rolled back ones, such as a test's, are no concern)."""
    what = session.info.pop(_UNGUARDED, None)
    if what is None and (session.new or session.dirty or session.deleted) and _unguarded(session):
        what = "An ORM flush"
    if what is not None:
        _write_outside_write_transaction(what)


def _forget_writes(session: Session, _previous_transaction=None) -> None:
    session.info.pop(_UNGUARDED, None)


# --- the request's own connection -------------------------------------------------------
# The respondent's pages read and save with plain Core statements on a connection of
# their own instead of the ORM session's: a session costs more than the statements of a
# page. Its reads are statements of their own, without BEGIN and COMMIT around them: on
# PostgreSQL by autocommit mode (two round trips fewer per page), on SQLite by an
# execution option that ``_sqlite_begin`` reads (SQLAlchemy's autocommit mode would
# upset the BEGIN IMMEDIATE of its write transactions).
#
# A request holds one pooled connection at a time: while the ORM session has a
# transaction, reads go to the session's connection, and the session beginning one
# returns the request's own to the pool first (``_hand_over_to_session``). Several held
# per request would let a burst of requests take the whole pool while each waits for one
# more.

_REQUEST_CONNECTION = "_surveyapp_connection"
#: SQLite: the request's own connection reads without BEGIN (see ``_sqlite_begin``).
_READS_IN_AUTOCOMMIT = "surveyapp_reads_in_autocommit"


def request_connection() -> Connection:
    """This request's (or CLI command's) own connection, opened on first use and
    closed at the end of the request or when the ORM session begins a transaction.

    Taken from the pool without a ping: on PostgreSQL ``read_rows`` repeats a read
    that finds the connection dropped by the server instead.
    """
    conn = g.get(_REQUEST_CONNECTION)
    if conn is None:
        # A request run again after a lost connection has its connection pinged: the
        # pool may still hold others the server dropped at the same time.
        token = _checking_out_unpinged.set(not is_run_again())
        try:
            conn = db.engine.connect()
        finally:
            _checking_out_unpinged.reset(token)
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            conn.execution_options(**{_READS_IN_AUTOCOMMIT: True})
        setattr(g, _REQUEST_CONNECTION, conn)
    return conn


def release_request_connection(_error: BaseException | None = None, *, lost: bool = False) -> None:
    """Return the request's own connection to the pool; ``lost``: throw it away instead."""
    conn = g.pop(_REQUEST_CONNECTION, None)
    if conn is None:
        return
    if lost and not conn.invalidated:
        conn.invalidate()
    try:
        conn.close()
    except Exception as error:
        if not is_lost_connection(error):
            raise
        if not conn.closed:
            conn.invalidate()


def end_request(error: BaseException | None = None) -> None:
    """At the end of a request: give back its connection and close the ORM session.

    Closing ends the session's read transaction (a ROLLBACK): on a connection the
    server dropped after the page was made, that fails, and would turn the finished
    page into a server error; such a connection is thrown away instead. (This runs
    before Flask-SQLAlchemy's own teardown, which then finds the session closed.)
    """
    release_request_connection(error)
    registry = db.session.registry
    if not registry.has():
        return
    session = registry()
    try:
        session.close()
    except Exception as lost:
        if not is_lost_connection(lost):
            raise
        session.invalidate()


def read_rows(statement, params: dict) -> list[Row]:
    """The rows of one read, as committed (or as this request's session sees them
    while it has a transaction open)."""
    registry = db.session.registry
    if registry.has() and registry().in_transaction():
        return registry().connection().execute(statement, params).all()
    conn = request_connection()
    if conn.dialect.name == "postgresql":
        return _read_through_driver(conn, statement, params)
    # SQLite: a file, no connection to lose.
    return _read_sqlite_through_driver(conn, statement, params)


#: statement -> its SQL for psycopg, compiled once
_DRIVER_SQL: dict = {}


def _read_through_driver(conn: Connection, statement, params: dict) -> list[tuple]:
    """PostgreSQL: a respondent page's read through psycopg's cursor directly.

    The busiest read there is, and SQLAlchemy's execution around it costs more
    CPU than psycopg's; the rows are what SQLAlchemy would give (psycopg itself
    turns timestamps, JSON and numbers into Python values, and SQLAlchemy adds
    nothing to them on PostgreSQL). A connection the server dropped (a restart)
    is thrown away with every other pooled one, and the read repeated once.
    """
    sql = _DRIVER_SQL.get(statement)
    if sql is None:
        sql = _DRIVER_SQL[statement] = str(statement.compile(dialect=conn.dialect))
    for attempt in (1, 2):
        driver = conn.connection.dbapi_connection
        try:
            with driver.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        except conn.dialect.loaded_dbapi.OperationalError as error:
            if not driver.closed:
                raise
            if attempt == 2:
                raise LostConnection("the request's connection was lost twice") from error
            conn.invalidate()
            release_request_connection()
            db.engine.dispose()  # its other connections were dropped too
            conn = request_connection()
    raise AssertionError("unreachable")


#: statement -> (its SQL for sqlite3, the result processor of each column), made once
_SQLITE_SQL: dict = {}


def _read_sqlite_through_driver(conn: Connection, statement, params: dict) -> list[tuple]:
    """SQLite: a respondent page's read through sqlite3's cursor directly.

    Each statement is compiled once, with the converters SQLAlchemy itself would
    apply to its columns (SQLite keeps timestamps as text: they come back as
    ``datetime``, as through ``Connection.execute``); skipping SQLAlchemy's execution
    context saves about a tenth of a respondent page's CPU (bench/http_bench.py
    --profile). The connection reads in autocommit (see ``_sqlite_begin``), so each
    read sees the latest committed state.
    """
    compiled = _SQLITE_SQL.get(statement)
    if compiled is None:
        dialect = conn.dialect
        statement_sql = statement.compile(dialect=dialect)
        column_processors = [
            column.type._cached_result_processor(dialect, None)
            for column in statement.selected_columns
        ]
        compiled = _SQLITE_SQL[statement] = (
            str(statement_sql),
            tuple(statement_sql.positiontup or ()),  # qmark: the parameters' names in order
            column_processors if any(column_processors) else None,
        )
    sql, names, processors = compiled
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        rows = cursor.execute(sql, tuple(params[name] for name in names)).fetchall()
    finally:
        cursor.close()
    if processors is None:
        return rows
    return [
        tuple(
            value if f is None or value is None else f(value)
            for f, value in zip(processors, row, strict=True)
        )
        for row in rows
    ]


def _hand_over_to_session(_session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and has_app_context():
        conn = g.get(_REQUEST_CONNECTION)
        # Between reads it holds nothing; never cut a write transaction short.
        if conn is not None and not conn.in_transaction():
            release_request_connection()


@contextmanager
def request_write_transaction() -> Iterator[Connection]:
    """One write transaction on the request's own connection (see ``write_transaction``).

    On PostgreSQL the connection leaves autocommit mode for the transaction
    and returns to it afterwards; one the server dropped meanwhile is thrown away
    (``core.lost_connections`` runs the request again).
    """
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()
    conn = request_connection()
    if conn.in_transaction():
        conn.rollback()
    autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    if autocommit:
        conn.execution_options(isolation_level=conn.default_isolation_level)
    token = _write_lock_wanted.set(True)
    try:
        with conn.begin():
            yield conn
    except BaseException as error:
        if is_lost_connection(error):
            release_request_connection(lost=True)
        raise
    finally:
        _write_lock_wanted.reset(token)
        if autocommit and not conn.closed and not conn.invalidated:
            try:
                conn.execution_options(isolation_level="AUTOCOMMIT")
            except conn.dialect.loaded_dbapi.Error:
                # (psycopg refuses while a dropped connection still looks busy)
                release_request_connection(lost=True)


def _ping_on_checkout(engine: Engine):
    """A pooled connection is checked before use, as ``pool_pre_ping`` would, so that a
    database restart costs no request an error; a dead one is replaced by the pool.

    Not the request's own connection (``request_connection``): the respondent's
    pages would pay a round trip per request for it, and their reads are retried.
    """

    def checkout(dbapi_connection, connection_record, _proxy) -> None:
        if _checking_out_unpinged.get() or connection_record.fresh:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the pooled connection did not answer") from error

    return checkout


def listen_once(target: Any, identifier: str, fn: Callable[..., Any]) -> None:
    """``event.listen``, unless ``fn`` already listens (each app made in a process calls it)."""
    if not event.contains(target, identifier, fn):
        event.listen(target, identifier, fn)


def init_app(app: Flask) -> None:
    listen_once(Session, "after_transaction_create", _hand_over_to_session)
    listen_once(Session, "after_flush", _note_flush)
    listen_once(Session, "do_orm_execute", _note_statement)
    listen_once(Session, "before_commit", _check_commit)
    listen_once(Session, "after_rollback", _forget_writes)
    app.teardown_appcontext(end_request)
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            # A file has no connection to lose: nothing to ping.
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            event.listen(engine.pool, "checkout", _ping_on_checkout(engine))


def insert_for(conn: Connection, model: type):
    """An INSERT in ``conn``'s dialect, which takes ``on_conflict_do_update`` (both databases)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(model)
