"""The homes of a sweep book the tests run against, opened from a picklable ``BookHome``
so that agent processes open the same book as the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from wbnb.store.local import LocalStore
from wbnb.sweeps.books import book_for
from wbnb.sweeps.sql import SqlSweepBook


@dataclass(frozen=True)
class BookHome:
    """A local store's book (``url`` None: its ``sweeps/sweeps.sqlite`` below ``root``),
    or a PostgreSQL database's (``url``) for ``entity``."""

    root: Path
    url: str | None = None
    entity: str = ""

    @contextmanager
    def open(self) -> Iterator[SqlSweepBook]:
        """A book over this home, for one process."""
        if self.url is None:
            book = book_for(LocalStore(self.root))
            assert isinstance(book, SqlSweepBook)
            yield book
            book.close()
            return
        from wbnb.server.postgres.database import Database
        from wbnb.server.postgres.dialect import PostgresDialect
        from wbnb.sweeps.sql import SWEEPS

        db = Database(self.url, 2)
        try:
            yield SqlSweepBook(PostgresDialect(db, SWEEPS), self.entity)
        finally:
            db.close()
