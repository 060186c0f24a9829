"""``SqliteDialect``: the tables of a ``Schema`` in one SQLite file (a local store's
``artifacts/catalog.sqlite``, its ``sweeps/sweeps.sqlite``), shared by the processes
that use the store.

- WAL journal: readers never wait for a writer, and a process killed in a transaction
  leaves it unwritten (the next connection rolls it back). ``synchronous=NORMAL``: a
  commit survives the process; a power cut may lose the last ones, never half of one.
- Writes start with ``BEGIN IMMEDIATE``, which takes the file's write lock at once: two
  processes committing into one collection (or claiming from one sweep) take turns
  (each waits up to ``BUSY``), so neither reads what the other is changing. Reads run in a deferred
  transaction: one snapshot.
- One connection per thread (sqlite3 connections are not to be shared), opened again
  in a forked child (SQLite forbids using a parent's connection there).
- Nothing is created until the first write: reads of a store without the file see
  empty tables (an in-memory database of the same schema).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import StoreError
from .dialect import Dialect, Row, Schema, Sql, T

BUSY = 30.0  # seconds a write waits for another process's transaction
SERIAL = "INTEGER PRIMARY KEY"  # the rowid: numbered in insertion order
_inherited: list[dict[str, object]] = []  # a forked child's copies of its parent's connections


class _Statements(Sql):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self, sql: str, *args: Any) -> list[Row]:
        return self._conn.execute(sql, args).fetchall()

    def one(self, sql: str, *args: Any) -> Row | None:
        row: Row | None = self._conn.execute(sql, args).fetchone()
        return row

    def run(self, sql: str, *args: Any) -> int:
        return self._conn.execute(sql, args).rowcount

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)


class SqliteDialect(Dialect):
    """The tables of ``schema`` in the SQLite file ``path`` (made with its folder on the
    first write; ``PRAGMA user_version`` is the schema's version once they are)."""

    def __init__(self, path: str | os.PathLike[str], schema: Schema) -> None:
        self.path = Path(path)
        self.schema = schema
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"SqliteDialect({str(self.path)!r}, {self.schema.name!r})"

    def read(self, work: Callable[[Sql], T]) -> T:
        with self._trouble("read"):
            conn = self._connection(create=False)
            conn.execute("BEGIN")
            try:
                return work(_Statements(conn))
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")  # a read changes nothing

    def write(self, work: Callable[[Sql], T], scope: str) -> T:
        with self._trouble("write"):
            conn = self._connection(create=True)
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(_Statements(conn))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # some errors end it themselves
                    conn.execute("ROLLBACK")
                raise
            return result

    @contextmanager
    def _trouble(self, what: str) -> Iterator[None]:
        """SQLite's own errors (busy past ``BUSY``, a damaged or unwritable file) as a
        ``StoreError`` naming the file and what to do."""
        try:
            yield
        except sqlite3.DatabaseError as e:
            hint = (
                f"another process held it for over {BUSY:g} s; try again"
                if "locked" in str(e) or "busy" in str(e)
                else "check the disk and the file's permissions"
            )
            raise StoreError(f"cannot {what} the {self.schema.name} {self.path}: {e}; {hint}") from e

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        conn = self._own()
        if conn is not None:
            conn.close()
        self._local.__dict__.clear()

    def _own(self) -> sqlite3.Connection | None:
        """This thread's connection to the file, if it opened one (not a parent's, after fork)."""
        if getattr(self._local, "pid", None) != os.getpid():
            # A forked child neither uses its parent's connection nor closes it (SQLite
            # forbids both): it is kept, unused, for the child's life.
            if self._local.__dict__:
                _inherited.append(dict(self._local.__dict__))
                self._local.__dict__.clear()
            self._local.pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        return conn

    def _connection(self, create: bool) -> sqlite3.Connection:
        conn = self._own()
        if conn is not None:
            return conn
        if not create and not self.path.exists():
            empty: sqlite3.Connection | None = getattr(self._local, "empty", None)
            if empty is None:
                empty = self._local.empty = _open(":memory:", self.schema)
            return empty
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._local.conn = _open(str(self.path), self.schema)
        return conn


def _open(target: str, schema: Schema) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are begun explicitly), tables made.
    Turning a new file to WAL while another process does the same can answer "database
    is locked" at once (SQLite's busy handler does not cover a journal-mode change), so
    opening is retried until ``BUSY`` seconds have passed."""
    deadline = time.monotonic() + BUSY
    while True:
        try:
            return _open_once(target, schema)
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _open_once(target: str, schema: Schema) -> sqlite3.Connection:
    conn = sqlite3.connect(target, timeout=BUSY, isolation_level=None)
    try:
        if target != ":memory:":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        if conn.execute("PRAGMA user_version").fetchone()[0] != schema.version:
            conn.execute("BEGIN IMMEDIATE")
            for statement in schema.statements(SERIAL):
                conn.execute(statement)  # IF NOT EXISTS: a process that lost the race finds them made
            conn.execute(f"PRAGMA user_version = {int(schema.version)}")
            conn.execute("COMMIT")
    except BaseException:
        conn.close()  # an open transaction goes with it
        raise
    return conn
