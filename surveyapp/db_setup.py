"""Database connection settings that every engine gets, and write transactions.

SQLite: WAL (readers never wait for the writer), a busy timeout, foreign keys,
and write transactions that take the write lock when they begin (BEGIN
IMMEDIATE), so concurrent writers queue instead of failing with "database is
locked" when a read transaction tries to turn into a write.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from surveyapp.extensions import db

_write_lock_wanted: ContextVar[bool] = ContextVar("write_lock_wanted", default=False)


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
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_lock_wanted.get() else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the body as one write transaction that holds the write lock from its start.

    Any read transaction still open is ended first (it has nothing to save).
    On PostgreSQL this only delimits the transaction; row locks do the rest.
    """
    if db.session().in_transaction():
        db.session.commit()
    token = _write_lock_wanted.set(True)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _write_lock_wanted.reset(token)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)


def insert_for(conn: Connection, model: type):
    """An INSERT in ``conn``'s dialect, which takes ``on_conflict_do_update`` (both databases)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(model)
