"""Which tables a request changed, and putting them back: triggers and copies a test
adds to its own database (SQLite or PostgreSQL) and removes again."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


class TableWatch:
    """Triggers on every table note which ones a request changes (committed changes only),
    and copies taken at the start put them back.

    Works on a connection of its own (sqlite3 or psycopg) beside the application's. On
    PostgreSQL it needs a superuser (``session_replication_role``), as the test database
    has; ``remove`` drops everything it added.
    """

    LOG = "fuzz_changed_tables"

    def __init__(self, connect: Callable, dialect: str, tables: list[str]) -> None:
        self.dialect, self.tables = dialect, tables
        self.conn = connect()
        if dialect == "postgresql":
            self.conn.autocommit = True
        else:
            self.conn.isolation_level = None

    def _run(self, *statements: str) -> None:
        cursor = self.conn.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()

    def _in_transaction(self, *statements: str) -> None:
        begin = "BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN"
        self._run(begin, *statements, "COMMIT")

    def install(self) -> None:
        log = self.LOG
        # No unique key: on SQLite an upsert's conflict handling would apply to the
        # triggers' inserts too.
        statements = [f"CREATE TABLE {log} (name VARCHAR(64))"]
        if self.dialect == "postgresql":
            statements.append(
                f"CREATE FUNCTION {log}_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {log} SELECT TG_TABLE_NAME WHERE NOT EXISTS "
                f"(SELECT 1 FROM {log} WHERE name = TG_TABLE_NAME); "
                "RETURN NULL; END $$"
            )
        for table in self.tables:
            statements.append(f'CREATE TABLE "fuzz_copy_{table}" AS SELECT * FROM "{table}"')
            if self.dialect == "postgresql":
                statements.append(
                    f'CREATE TRIGGER {log}_t AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    f"FOR EACH ROW EXECUTE FUNCTION {log}_note()"
                )
            else:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    statements.append(
                        f'CREATE TRIGGER "{log}_{table}_{event}" AFTER {event} ON "{table}" '
                        f"BEGIN INSERT INTO {log} SELECT '{table}' WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {log} WHERE name = '{table}'); END"
                    )
        self._in_transaction(*statements)

    def changed(self) -> set[str]:
        cursor = self.conn.cursor()
        cursor.execute(f"SELECT DISTINCT name FROM {self.LOG}")
        names = {row[0] for row in cursor.fetchall()}
        cursor.close()
        return names

    def restore(self, tables: set[str]) -> None:
        """Put ``tables`` back as they were at ``install`` (foreign keys and the notes off)."""
        statements = []
        if self.dialect == "postgresql":
            statements.append("SET LOCAL session_replication_role = replica")
        for table in tables:
            statements += [
                f'DELETE FROM "{table}"',
                f'INSERT INTO "{table}" SELECT * FROM "fuzz_copy_{table}"',
            ]
        statements.append(f"DELETE FROM {self.LOG}")
        self._in_transaction(*statements)

    def remove(self) -> None:
        statements = [f'DROP TABLE IF EXISTS "fuzz_copy_{t}"' for t in self.tables]
        if self.dialect == "postgresql":
            statements += [f'DROP TRIGGER IF EXISTS {self.LOG}_t ON "{t}"' for t in self.tables]
            statements.append(f"DROP FUNCTION IF EXISTS {self.LOG}_note()")
        else:
            statements += [
                f'DROP TRIGGER IF EXISTS "{self.LOG}_{t}_{e}"'
                for t in self.tables
                for e in ("INSERT", "UPDATE", "DELETE")
            ]
        statements.append(f"DROP TABLE IF EXISTS {self.LOG}")
        try:
            self._in_transaction(*statements)
        finally:
            self.conn.close()


def sqlite_connect(path: str) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=15)
        conn.execute("PRAGMA foreign_keys=OFF")
        return conn

    return connect
