"""The artifact catalog of a PostgreSQL server: ``SqlCatalog`` over the server's
database (``PostgresDialect``), one entity's rows at a time (its ``entity`` column), and
each entity's files below ``<root>/artifacts/<entity folder>/objects`` (blobs are not
shared between entities: which bytes a server holds must not tell one entity about
another's).

- The tables are the local store's (``store/catalog/dialect.py``), made when the
  backend starts, under the schema's advisory lock (``database.py``).
- A write takes a transaction-scoped advisory lock on its entity, so the server
  processes sharing the database commit one entity's artifacts one at a time.
- A read is one ``REPEATABLE READ`` snapshot (a version and its aliases agree).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from ...store.catalog.blobs import LocalBlobs
from ...store.catalog.dialect import Dialect, Row, Sql, T, statements
from ...store.catalog.sql import SqlCatalog
from ...store.names import check_name, folder_name
from .database import SCHEMA_LOCK, Database

SERIAL = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
_WRITE_LOCK = 0x77626E61  # "wbna": with the entity's hash, the lock its artifact writes take


@functools.lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """A statement with psycopg's placeholders (the catalog's SQL has no other '?' or '%')."""
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
    """The catalog's tables in the database of ``db`` (made now if missing)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.run(self._create)

    def __repr__(self) -> str:
        return "PostgresDialect()"

    @staticmethod
    def _create(conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            for statement in statements(SERIAL):
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


def postgres_catalog(dialect: PostgresDialect, root: Path, entity: str) -> SqlCatalog:
    """The catalog of ``entity``: its rows in ``dialect``'s database, its files below
    ``root`` (the server's ``--root``)."""
    entity = check_name("entity", entity)
    return SqlCatalog(dialect, LocalBlobs(root / "artifacts" / folder_name(entity) / "objects"), entity)
