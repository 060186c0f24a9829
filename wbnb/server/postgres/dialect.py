"""``PostgresDialect``: the tables of a ``Schema`` (``store/catalog/dialect.py``: the
artifact catalog's, the sweeps' book's) in the server's PostgreSQL database.

- The tables are made when the backend starts, under the schema's advisory lock
  (``database.py``).
- A write takes a transaction-scoped advisory lock on its scope (the catalog's: an
  entity; the sweeps': one sweep), so the server processes sharing the database write
  one scope at a time; its statements then read committed rows (``READ COMMITTED``).
- A read is one ``REPEATABLE READ`` snapshot (a version and its aliases agree).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import psycopg

from ...store.catalog.dialect import Dialect, Row, Schema, Sql, T
from .database import SCHEMA_LOCK, Database

SERIAL = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
_WRITE_LOCK = 0x77626E61  # "wbna": with the scope's hash, the lock a write takes


@functools.lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """A statement with psycopg's placeholders (the statements have no other '?' or '%')."""
    return sql.replace("?", "%s")


class _Statements(Sql):
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def all(self, sql: str, *args: Any) -> list[Row]:
        return self._conn.execute(_pg(sql), args).fetchall()

    def one(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = self._conn.execute(_pg(sql), args).fetchone()
        return row

    def run(self, sql: str, *args: Any) -> int:
        return self._conn.execute(_pg(sql), args).rowcount

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(_pg(sql), rows)


class PostgresDialect(Dialect):
    """The tables of ``schema`` (the catalog's, the sweeps') in the database of ``db``
    (made now if missing, under the schema's advisory lock)."""

    def __init__(self, db: Database, schema: Schema) -> None:
        self._db = db
        self.schema = schema
        db.run(self._create)

    def __repr__(self) -> str:
        return f"PostgresDialect({self.schema.name!r})"

    def _create(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in self.schema.statements(SERIAL):
                conn.execute(statement)

    def read(self, work: Callable[[Sql], T]) -> T:
        def snapshot(conn: psycopg.Connection[Any]) -> T:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                return work(_Statements(conn))

        return self._db.run(snapshot)

    def write(self, work: Callable[[Sql], T], scope: str) -> T:
        def locked(conn: psycopg.Connection[Any]) -> T:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_WRITE_LOCK, scope))
                return work(_Statements(conn))

        return self._db.run(locked)
