"""``Positions``: where record ``i`` of a run's stream starts, for the last few reads."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class Positions:
    """Where record ``i`` of a run's stream starts, for the last few reads.

    The Store reads after a cursor (rows) or a byte offset (records), the API by index:
    a client following a live run asks for the index just past its last answer, so
    remembering where each answer ended saves rereading the run from the start. A read
    cut short by a page limit also keeps the records it read past the page (up to
    ``max_pending`` in all), so paging through a long run reads it once, not once a page.
    """

    def __init__(self, size: int = 512, max_pending: int = 1_000_000) -> None:
        self._size, self._max_pending = size, max_pending
        self._lru: OrderedDict[tuple, tuple[Any, list]] = OrderedDict()  # (*stream, index) -> (position, pending)
        self._pending = 0
        self._lock = threading.Lock()

    def take(self, stream: tuple, index: int) -> tuple[int, Any, list]:
        """The remembered entry of ``stream`` closest at or before ``index``:
        ``(its index, position, records read from there on)``; ``(0, None, [])`` when
        there is none. An entry with records is handed out once: the caller remembers
        what it does not use."""
        with self._lock:
            best = max((k[-1] for k in self._lru if k[:-1] == stream and k[-1] <= index), default=None)
            if best is None:
                return 0, None, []
            key = (*stream, best)
            position, pending = self._lru[key]
            if not pending:
                self._lru.move_to_end(key)
                return best, position, []  # a new list: the caller may extend it
            del self._lru[key]
            self._pending -= len(pending)
            return best, position, pending

    def remember(self, stream: tuple, index: int, position: Any, pending: list | None = None) -> None:
        """Note that record ``index`` of ``stream`` starts at ``position``, or that
        ``pending`` are the records from ``index`` on and ``position`` follows them."""
        pending = pending or []
        with self._lock:
            key = (*stream, index)
            old = self._lru.pop(key, None)
            self._pending += len(pending) - (len(old[1]) if old else 0)
            self._lru[key] = (position, pending)
            while len(self._lru) > self._size or self._pending > self._max_pending:
                self._pending -= len(self._lru.popitem(last=False)[1][1])
