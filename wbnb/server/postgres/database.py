"""The connections of one server process to its database: a ``psycopg_pool`` pool
whose every wait is bounded, so that a request against a database that is down ends
in ``Unavailable`` (a 503, which clients retry) within about a second, and the
process serves again as soon as the database is back.

- One connection attempt: libpq's ``connect_timeout`` (``CONNECT_TIMEOUT`` unless the
  URL says), for a host that does not answer. The pool connects in its own threads.
- A connection the database dropped (it restarted, or stopped) is found by the work
  failing on it: ``run`` does the work once more on a new connection, after the pool
  replaced its other dead ones (``ConnectionPool.check``). Not the pool's ``check=``,
  which costs a round trip on every request and backs off between dead connections.
- Waiting for a connection: up to ``WAIT`` while every one is busy. But psycopg_pool
  never fails a waiting request early: while the database refuses connections, its
  threads retry and the request waits out its whole timeout (psycopg/psycopg#481). So
  a request waits in slices of ``RECONNECT`` (long enough to connect to a database
  that answers) and gives up after the slice in which the database is known down: a
  connection it dropped, or a reconnection the pool gave up (``reconnect_failed``),
  until a request succeeds again. The pool gives a reconnection up after
  ``RECONNECT`` too, so that it tries again when the next request comes rather than
  after its exponential backoff (which grows to minutes) once the database is back.
- Queries have no time limit, as before: a read of a long run may take a while. A
  stopped (SIGSTOP) server would hold a query until it continues.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import resources
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ...store.base import StoreError
from ..backend import Unavailable

T = TypeVar("T")

CONNECT_TIMEOUT = 10  # seconds one connection attempt may take, unless the URL says
WAIT = 10.0  # seconds a request waits for a connection while every one is busy: then 503
RECONNECT = 1.0  # seconds a slice of that wait (see above), and the pool's reconnect_timeout
SCHEMA_LOCK = 0x77626E62  # "wbnb": the advisory lock the schema is created under

SCHEMA = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")  # shipped in the wheel


class Database:
    """Up to ``size`` connections to the database at ``url`` (a libpq URL or conninfo
    string), shared by the request threads of one process (FastAPI calls the backend
    from its threadpool). The schema is made on connecting: ``Unavailable`` at once
    if the database cannot be reached."""

    def __init__(self, url: str, size: int) -> None:
        if "connect_timeout" not in psycopg.conninfo.conninfo_to_dict(url):
            url = psycopg.conninfo.make_conninfo(url, connect_timeout=CONNECT_TIMEOUT)
        # On a connection of its own: the pool would keep trying in the background.
        try:
            with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                conn.execute(SCHEMA)
        except psycopg.OperationalError as e:
            raise _unavailable(e) from None
        self._down = False  # a hint shared by the request threads: a race costs one slice
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=size,
            kwargs={"autocommit": True},  # transactions through ``conn.transaction()``
            reconnect_timeout=RECONNECT,
            reconnect_failed=self._unreachable,
            name="wbnb",
            open=True,
        )

    def run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """Do ``work`` on a pooled connection, once more on a new one if the first turned
        out dead (the database restarted since it was last used). Repeating is safe:
        ``ingest`` is exactly-once by its counts, the rest are single statements or
        transactions that failed as a whole. ``Unavailable`` when the database cannot be
        reached (or refused the work: a deadlock, say), ``StoreError`` once closed."""
        for attempt in (0, 1):
            try:
                conn = self._take()
            except PoolClosed:
                raise StoreError("the PostgreSQL backend is closed") from None
            except PoolTimeout:
                raise Unavailable(
                    "the database cannot be reached"
                    if self._down
                    else f"no database connection came within {WAIT:.0f} s (all busy, or the database slow to answer)"
                ) from None
            try:
                result = work(conn)
            except psycopg.OperationalError as e:
                if conn.broken:
                    self._down = True  # it restarted (the retry finds it back) or stopped
                if attempt or not conn.broken:
                    raise _unavailable(e) from None
            else:
                self._down = False
                return result
            finally:
                self._pool.putconn(conn)
            self._pool.check()  # the other idle connections died with it
        raise AssertionError("unreachable")

    def _take(self) -> psycopg.Connection[Any]:
        """A connection of the pool, waited for in slices (see the module docstring)."""
        deadline = time.monotonic() + WAIT
        while True:
            try:
                return self._pool.getconn(timeout=min(RECONNECT, deadline - time.monotonic()))
            except PoolTimeout:
                if self._down or time.monotonic() >= deadline:
                    raise

    def _unreachable(self, pool: ConnectionPool[Any]) -> None:
        self._down = True

    def close(self) -> None:
        """Close the connections (one in use closes when given back); further work is
        refused."""
        self._pool.close()


def _unavailable(e: Exception) -> Unavailable:
    return Unavailable(f"the database cannot be reached: {e}".strip())
