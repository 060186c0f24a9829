"""Sources of a run's new rows for a live widget: ``CursorSource`` reads a run any process
writes through a cursor on the store; ``ListenerSource`` takes the kernel's own run's rows
from ``Run.add_listener`` (see ``feed.py`` for how a ``Feed`` drives them)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

import numpy as np

from ..store.rowread import Cursor
from .runs import RunRef


class CursorSource:
    """New rows of a run in a store, read through a cursor: works for runs that other
    processes (or machines, through a remote store) are writing."""

    def __init__(
        self, ref: RunRef, poll_interval: float = 0.5, meta_interval: float = 2.0, stream: str = "history"
    ) -> None:
        self.ref = ref
        self.stream = stream  # "history", or "system" for the system-metrics samples
        self.cursor = Cursor()
        self.poll_interval = poll_interval
        self.meta_interval = meta_interval
        self._next_poll = 0.0
        self._next_meta = time.monotonic() + meta_interval
        self.done = ref.meta.get("state", "running") != "running"

    def initial(self) -> list[tuple]:
        """Everything written so far."""
        rows, self.cursor = self.ref.store.rows(self.ref.project, self.ref.id, self.stream, self.cursor)
        return rows

    def initial_columns(self) -> dict[str, Any] | None:
        """Everything written so far as columns (``Store.columns``: much cheaper to read
        than rows). A run still being written: its complete steps, with the cursor moved
        to where polling goes on (``Store.columns_to_follow``). None: read rows."""
        store, project, run_id = self.ref.store, self.ref.project, self.ref.id
        if self.done:
            return store.columns(project, run_id, self.stream)
        got = store.columns_to_follow(project, run_id, self.stream)
        if got is None:
            return None
        cols, self.cursor = got
        return cols

    def rows_after_columns(self) -> list[tuple]:
        """After ``initial_columns``: the rows it left to the cursor (the last step of a
        run still being written, whose records may not all be there yet)."""
        return [] if self.done else self.initial()

    def due(self, now: float) -> float:
        """When ``poll`` may next return rows (``math.inf``: only once ``wake`` is set)."""
        return math.inf if self.done else self._next_poll

    def poll(self, now: float) -> list[tuple]:
        if self.done or now < self._next_poll:
            return []
        self._next_poll = now + self.poll_interval
        finished = False
        if now >= self._next_meta:  # a finished run: read what is left, then stop polling
            self._next_meta = now + self.meta_interval
            try:
                self.ref.meta = self.ref.store.run(self.ref.project, self.ref.id)
            except Exception:
                self.done = True
                return []
            finished = self.ref.meta.get("state", "running") != "running"
        rows, self.cursor = self.ref.store.rows(self.ref.project, self.ref.id, self.stream, self.cursor)
        self.done = finished
        return rows

    def close(self) -> None:
        self.done = True


class ListenerSource(CursorSource):
    """The kernel's own run: history read from the store once, then every ``log()``
    through ``Run.add_listener``, whose callback only copies the row onto a list and,
    for the first row since the feed last looked, sets ``wake`` (a few hundred ns on
    the training thread; the feed thread does the rest)."""

    def __init__(self, ref: RunRef, **kw: Any) -> None:
        super().__init__(ref, **kw)
        self._pending: list[tuple] = []
        self._start = float(getattr(ref.live, "start_time", 0.0) or 0.0)
        self._last: tuple[float, int] | None = None
        self.wake = threading.Event()  # the Feed puts its own here, shared by its sources
        pending = self._pending  # the listener touches nothing else, and this source's wake

        def on_log(
            step: int, timestamp: float, row: dict[str, Any], _append: Callable[[tuple], None] = pending.append
        ) -> None:
            _append((step, timestamp, dict(row)))
            wake = self.wake  # checked after the append: the feed clears it before it takes rows
            if not wake.is_set():
                wake.set()

        self._remove = ref.live.add_listener(on_log)
        after_finish = getattr(ref.live, "after_finish", None)
        if after_finish is not None:  # an idle feed learns that the run ended
            after_finish(lambda: self.wake.set())

    def initial(self) -> list[tuple]:
        rows = super().initial()
        if rows:
            self._last = (rows[-1][2], rows[-1][1])
        return rows

    def initial_columns(self) -> dict[str, Any] | None:
        # New rows come from the listener (added before this read), not a cursor.
        cols = self.ref.store.columns(self.ref.project, self.ref.id, self.stream)
        if cols and len(cols.get("_step", ())):
            self._last = (float(cols["_timestamp"][-1]), int(cols["_step"][-1]))
        return cols

    def rows_after_columns(self) -> list[tuple]:
        return []  # what follows the columns comes from the listener

    def due(self, now: float) -> float:
        if self.done:
            return math.inf
        return now if self._pending or self.ref.live.state != "running" else math.inf

    def _take(self) -> list[tuple]:
        """The ``(step, timestamp, row)`` logged since the last call."""
        n = len(self._pending)
        batch = self._pending[:n]
        del self._pending[:n]  # the listener only appends: nothing is lost in between
        last = self._last
        if last is not None:  # logged while the store was being read: already in
            batch = [b for b in batch if (b[1], b[0]) > last]
            self._last = None
        if self.ref.live.state != "running" and not self._pending:
            self.done = True
            self._remove()
        return batch

    def _rows(self, batch: list[tuple]) -> list[tuple]:
        start = self._start
        return [(tuple(row), step, ts, ts - start, tuple(row.values())) for step, ts, row in batch]

    def poll(self, now: float) -> list[tuple]:
        return self._rows(self._take())

    def poll_columns(self, now: float) -> dict[str, Any] | list[tuple]:
        """What ``poll`` returns, as ``Store.columns`` would lay it out (one entry per
        logged row, NaN where a key is absent) when every value is a number (or None);
        otherwise (media, strings) as ``poll``'s rows."""
        batch = self._take()
        if not batch:
            return []
        cols = _number_columns(batch, self._start)
        return self._rows(batch) if cols is None else cols

    def close(self) -> None:
        self.done = True
        self._remove()


def _number_columns(batch: list[tuple], start: float) -> dict[str, Any] | None:
    """``(step, timestamp, row)`` tuples as float columns, by whole-batch C-level calls
    (one group per distinct key tuple); None if a value is not a number (or None).
    ``np.fromiter`` converts each value as ``ingest``'s ``np.array(..., dtype=float)``
    does, at a third of the cost."""
    steps, stamps, rows = zip(*batch)
    n = len(rows)
    ts = np.fromiter(stamps, dtype=float, count=n)
    cols: dict[str, Any] = {"_step": np.fromiter(steps, dtype=float, count=n), "_timestamp": ts, "_runtime": ts - start}
    keys = list(map(tuple, rows))
    if keys.count(keys[0]) == n:
        groups: list[tuple[tuple[str, ...], list[int] | None, Sequence[dict]]] = [(keys[0], None, rows)]
    else:
        where: dict[tuple[str, ...], list[int]] = {}
        for i, k in enumerate(keys):
            where.setdefault(k, []).append(i)
        groups = [(k, pos, [rows[i] for i in pos]) for k, pos in where.items()]
    for kind, pos, group in groups:
        try:
            block = np.fromiter(
                chain.from_iterable(map(dict.values, group)), dtype=float, count=len(group) * len(kind)
            ).reshape(len(group), len(kind))
        except (TypeError, ValueError, OverflowError):  # media, strings, lists
            return None
        for j, key in enumerate(kind):
            if key.startswith("_"):
                continue
            if pos is None:
                cols[key] = block[:, j]
                continue
            col = cols.get(key)
            if col is None:
                col = cols[key] = np.full(n, np.nan)
            col[pos] = block[:, j]
    return cols


def make_sources(refs: list[RunRef], poll_interval: float = 0.5) -> list[CursorSource]:
    return [
        ListenerSource(r, poll_interval=poll_interval)
        if r.live is not None
        else CursorSource(r, poll_interval=poll_interval)
        for r in refs
    ]
