"""``book_for(store)``: the sweep book of a store, one per store object.

A local store's sweeps are in its ``sweeps/sweeps.sqlite`` (made on the first write:
reading a store without sweeps makes nothing), shared by every process that opens the
store; a server's are reached over HTTP (``remote.RemoteSweepBook``) with the store's
connection and entity.
"""

from __future__ import annotations

import threading
import weakref

from ..store.base import Store
from ..store.local import LocalStore
from .records import SweepBook

_books: weakref.WeakKeyDictionary[Store, SweepBook] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def book_for(store: Store) -> SweepBook:
    """The sweep book of ``store`` (the same object for every call with it)."""
    with _lock:
        book = _books.get(store)
        if book is None:
            book = _books[store] = _open(store)
        return book


def _open(store: Store) -> SweepBook:
    if isinstance(store, LocalStore):
        from ..store.catalog.sqlite import SqliteDialect
        from .sql import SWEEPS, SqlSweepBook

        return SqlSweepBook(SqliteDialect(store.root / "sweeps" / "sweeps.sqlite", SWEEPS))
    from ..store.remote import RemoteStore

    if isinstance(store, RemoteStore):
        from .remote import RemoteSweepBook  # h-sweepserver's

        return RemoteSweepBook(store.conn, store.entity)
    raise TypeError(f"{type(store).__name__} keeps no sweeps")
