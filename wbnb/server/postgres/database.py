"""The connections of one server process to its database, and the schema made on
connecting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any, TypeVar

import psycopg
from psycopg.pq import TransactionStatus

from ...store.base import StoreError
from ..backend import Unavailable

T = TypeVar("T")

CONNECT_TIMEOUT = 10  # seconds one connection attempt may take, unless the URL says
_SCHEMA_LOCK = 0x77626E62  # "wbnb": the advisory lock the schema is created under

SCHEMA = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")  # shipped in the wheel


class _Pool:
    """A few connections shared by the threads of one server process (FastAPI calls
    the backend from its threadpool). A thread takes a connection for one operation
    and gives it back; broken ones are dropped and replaced on demand."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._size = size
        self._idle: list[psycopg.Connection] = []
        self._open = 0
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """One connection for the duration of the block (autocommit; transactions
        through ``conn.transaction()``)."""
        conn = self._take()
        try:
            yield conn
        finally:
            self._give(conn)

    def _take(self) -> psycopg.Connection:
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the PostgreSQL backend is closed")
                if self._idle:
                    return self._idle.pop()  # the most recently used: its caches are warm
                if self._open < self._size:
                    self._open += 1
                    break
                self._cond.wait()
        try:
            return psycopg.connect(self._url, autocommit=True)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _give(self, conn: psycopg.Connection) -> None:
        keep = not conn.closed and not conn.broken and conn.info.transaction_status == TransactionStatus.IDLE
        with self._cond:
            keep = keep and not self._closed
            if keep:
                self._idle.append(conn)
            else:
                self._open -= 1
            self._cond.notify()
        if not keep:
            conn.close()

    def drop_idle(self) -> None:
        """Close the idle connections: after the server restarted, all are dead."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._cond.notify_all()
        for conn in idle:
            conn.close()

    def close(self) -> None:
        """Close the idle connections and refuse new work; busy ones close when given back."""
        with self._cond:
            self._closed = True
        self.drop_idle()


class Database:
    """Up to ``size`` connections to the database at ``url`` (a libpq URL or conninfo
    string), shared by the request threads of one process. The schema is made on
    connecting: ``Unavailable`` at once if the database cannot be reached."""

    def __init__(self, url: str, size: int) -> None:
        if "connect_timeout" not in psycopg.conninfo.conninfo_to_dict(url):
            # A request thread must not hang forever on an unreachable database.
            url = psycopg.conninfo.make_conninfo(url, connect_timeout=CONNECT_TIMEOUT)
        self._pool = _Pool(url, size)
        self.run(_create_schema)

    def run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Do ``work`` on a pooled connection, once more on a fresh one if the first
        turned out dead (the database restarted since it was last used). Repeating is
        safe: ``ingest`` is exactly-once by its counts, the rest are single statements
        or transactions that failed as a whole. ``Unavailable`` when the database
        cannot be reached (or refused the work: a deadlock, say)."""
        for attempt in (0, 1):
            try:
                with self._pool.connection() as conn:
                    try:
                        return work(conn)
                    except psycopg.OperationalError:
                        if attempt or not conn.broken:
                            raise
            except psycopg.OperationalError as e:  # down, or died twice: the client retries later
                raise Unavailable(f"the database cannot be reached: {e}".strip()) from None
            self._pool.drop_idle()
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the database connections."""
        self._pool.close()


def _create_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        conn.execute(SCHEMA)
