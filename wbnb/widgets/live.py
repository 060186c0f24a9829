"""Following runs live, for any widget: sources of new rows, and a throttled feed.

The widget protocol (``DESIGN.md``, "Widget protocol") in Python terms:

- A *model* (``LiveModel``) holds what a widget shows, built from raw store rows
  ``(keys, step, timestamp, runtime, values)``. It can say what changed since it was
  last asked (``delta()``: a JSON-able dict plus binary buffers) and give the whole
  state (``snapshot()``, which also marks everything as sent).
- A *source* yields the rows that are new since the last ``poll()``: ``ListenerSource``
  for the kernel's own run (``Run.add_listener``; the listener only appends to a list),
  ``CursorSource`` for a run written by any process (``Store.rows(..., cursor=)``).
- A ``Feed`` drives both from one background thread. Each tick polls the sources,
  feeds the model and sends at most ONE message: a delta (custom message, sequence
  number ``seq``) or, every ``snapshot_interval`` seconds (longer for big states), the
  whole snapshot as a trait with the same numbering. Ticks are ``min_interval`` apart,
  so a widget never sends more than ``1 / min_interval`` (5) messages a second, however
  fast the training loop logs. The front end applies delta ``seq`` only after
  ``seq - 1``; on a gap it rebuilds from the snapshot trait, which Python refreshes on
  its own: nothing waits for a message from the browser (none are handled while a
  cell runs).
- The thread shares the kernel's GIL with the training loop, so it ticks only when a
  source has something: a ``log()`` wakes it (the listener sets an event once per
  tick), a cursor source at its poll time; an idle run costs no wake-ups. New rows of
  the kernel's own run reach a model that can take columns (``load_columns``) as
  columns built by whole-batch C-level calls, not row tuples for ``ingest``: about a
  third less feed CPU per logged row.

Nothing here knows about a particular widget; ``curves.py`` is one user.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

import numpy as np

from ..sdk.lifecycle import current_run
from ..store.base import Store
from ..store.rowread import Cursor


class LiveModel(Protocol):
    """What a ``Feed`` keeps up to date."""

    def ingest(self, source: int, rows: list[tuple]) -> None:
        """Take raw rows of source number ``source``."""

    def delta(self) -> tuple[dict[str, Any], list[bytes]] | None:
        """What changed since the last ``delta()`` / ``snapshot()``; ``None`` if nothing."""

    def snapshot(self) -> dict[str, Any]:
        """The whole state (JSON-able, ``memoryview`` / ``bytes`` for arrays); marks it sent."""

    def size_hint(self) -> int:
        """Roughly how many bytes ``snapshot()`` makes (to space snapshots out)."""


@dataclass
class RunRef:
    """A run a widget shows, resolved from whatever the user passed."""

    store: Store
    project: str
    id: str
    name: str
    meta: dict[str, Any]
    live: Any = None  # the kernel's own sdk Run while it is logging


def resolve_runs(runs: Any, store: Store | None = None) -> list[RunRef]:
    """Accept one run or a sequence of: the kernel's ``wbnb.Run``, an ``Api`` run,
    ``"project/run_id"`` (in ``store`` or the default local store)."""
    if runs is None:
        current = current_run()
        if current is None:
            raise ValueError("no run given and no current run: pass runs=, or call wbnb.init() first")
        runs = [current]
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence):
        runs = [runs]
    out = []
    for run in runs:
        if isinstance(run, str):
            project, sep, run_id = run.rpartition("/")
            if not sep or not project:
                raise ValueError(f"a run path is 'project/run_id', got {run!r}")
            project = project.rpartition("/")[2]  # "entity/project/id" works too
            st = store or _default_store()
            meta = st.run(project, run_id)
            out.append(RunRef(st, project, run_id, str(meta.get("name") or run_id), meta))
            continue
        run_store = getattr(run, "_store", None)
        if run_store is None or not hasattr(run, "project") or not hasattr(run, "id"):
            raise TypeError(f"expected a wbnb run (wbnb.init() or Api().run()) or 'project/id', got {run!r}")
        meta = getattr(run, "_meta", None) or run_store.run(run.project, run.id)
        live = run if hasattr(run, "add_listener") and run.state == "running" else None
        out.append(RunRef(run_store, run.project, run.id, str(run.name or run.id), meta, live))
    if not out:
        raise ValueError("no runs to show")
    return out


def _default_store() -> Store:
    from ..sdk.login import default_store

    return default_store()  # the logged-in server's, else the local folder


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


READY_WAIT = 120.0  # s a history read past load()'s budget waits for its widget to exist


class Feed:
    """Feeds a model from its sources and publishes it, at most one message per tick.

    ``publish_delta(seq, content, buffers)`` sends a custom message;
    ``publish_snapshot(seq, state)`` sets the snapshot trait. ``tick()`` does one round
    (tests call it with their own clock); ``start()`` runs rounds on a daemon thread,
    at most one per ``min_interval`` seconds and only when a source is ``due`` (a log
    came, a cursor's poll time passed), until every source is done, then sends a final
    snapshot so a saved notebook holds the complete picture.
    """

    def __init__(
        self,
        model: LiveModel,
        sources: list[CursorSource],
        publish_delta: Callable[[int, dict[str, Any], list[bytes]], None],
        publish_snapshot: Callable[[int, dict[str, Any]], None],
        *,
        min_interval: float = 0.2,
        snapshot_interval: float = 2.0,
        snapshot_rate: float = 250_000.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.model = model
        self.sources = sources
        self.publish_delta = publish_delta
        self.publish_snapshot = publish_snapshot
        self.min_interval = min_interval
        self.snapshot_interval = snapshot_interval
        self.snapshot_rate = snapshot_rate  # bytes/s a snapshot may average on the wire
        self.clock = clock
        self.seq = 0
        self.sent = {"delta": 0, "snapshot": 0}
        self._last_snapshot = clock()
        self._unsnapped = False  # deltas went out since the last snapshot
        self.idle_check = 5.0  # an idle feed still looks at its sources' state this often (s)
        self._stop = threading.Event()
        self._wake = threading.Event()  # a source has something: set by log() listeners and stop()
        for src in sources:
            if hasattr(src, "wake"):
                src.wake = self._wake
        self._thread: threading.Thread | None = None
        self.lock = threading.Lock()  # held while a tick changes the model (readers of it take it too)
        self.loading = False  # the history is still being read on a thread (see load)
        self.on_loaded: Callable[[], None] | None = None  # called on that thread once it is in
        self._loaded = threading.Event()
        self._loaded.set()
        self._ready = threading.Event()

    def load(self, budget: float | None = None) -> dict[str, Any]:
        """Read each source's history into the model; returns the first snapshot.

        With a ``budget`` (seconds) the history is read on a thread; if that takes longer,
        this returns at once the model's empty snapshot marked ``"loading": True`` (a long
        history never cached need not block the cell), and once the widget exists
        (``ready()``) the thread publishes the history as snapshot 1 and calls
        ``on_loaded``; ticks wait for it."""
        if budget is None:
            with self.lock:
                return self._read_history()
        placeholder = {**self.model.snapshot(), "seq": self.seq, "loading": True}
        done = threading.Event()
        got: dict[str, Any] = {}

        def read() -> None:
            try:
                try:
                    got["snapshot"] = self._read_history()
                finally:
                    self.lock.release()
            except Exception as e:
                got["error"] = e
            done.set()
            if self._ready.wait(READY_WAIT) and self.loading:
                self._publish_loaded(got.get("error"))

        self.lock.acquire()  # taken here, released by the reading thread: no tick comes first
        threading.Thread(target=read, name="wbnb-widget-load", daemon=True).start()
        if done.wait(budget):
            self._ready.set()  # the thread may end: this call returns the history
            if "error" in got:
                raise got["error"]
            return got["snapshot"]
        self.loading = True
        self._loaded.clear()
        return placeholder

    def ready(self) -> None:
        """The widget exists: a history read past ``load``'s budget may be published."""
        self._ready.set()

    def _publish_loaded(self, error: Exception | None) -> None:
        if error is not None:
            import warnings

            warnings.warn(
                f"wbnb widget could not read the history: {type(error).__name__}: {error}", RuntimeWarning, stacklevel=1
            )
        with self.lock:
            self.seq += 1
            self.publish_snapshot(self.seq, {**self.model.snapshot(), "seq": self.seq})
            self._last_snapshot, self._unsnapped = self.clock(), False
            self.sent["snapshot"] += 1
            self.loading = False
        self._loaded.set()
        if self.on_loaded is not None:
            self.on_loaded()

    def _read_history(self) -> dict[str, Any]:
        """``load``'s reading: as columns where both the source and the model can
        (``initial_columns`` / ``load_columns``; then the rows after them), else as rows."""
        columnar = hasattr(self.model, "load_columns")
        for i, src in enumerate(self.sources):
            cols = src.initial_columns() if columnar and hasattr(src, "initial_columns") else None
            if cols is not None:
                self.model.load_columns(i, cols)  # type: ignore[attr-defined]
                rows = src.rows_after_columns()
            else:
                rows = src.initial()
            if rows:
                self.model.ingest(i, rows)
        self._last_snapshot = self.clock()
        return {**self.model.snapshot(), "seq": self.seq}

    @property
    def done(self) -> bool:
        return all(s.done for s in self.sources)

    def tick(self, final: bool = False) -> str | None:
        """Poll, ingest, and send at most one message; returns what was sent."""
        with self.lock:
            self._wake.clear()  # before the sources are read: a row logged from here on sets it again
            now = self.clock()
            columnar = hasattr(self.model, "load_columns")
            for i, src in enumerate(self.sources):
                got = src.poll_columns(now) if columnar and hasattr(src, "poll_columns") else src.poll(now)
                if isinstance(got, dict):
                    self.model.load_columns(i, got)  # type: ignore[attr-defined]
                elif got:
                    self.model.ingest(i, got)
            delta = self.model.delta()
            changed = delta is not None or self._unsnapped
            if changed and (final or now - self._last_snapshot >= self._snapshot_spacing()):
                self.seq += 1
                self.publish_snapshot(self.seq, {**self.model.snapshot(), "seq": self.seq})
                self._last_snapshot, self._unsnapped = now, False
                self.sent["snapshot"] += 1
                return "snapshot"
            if delta is not None:
                self.seq += 1
                content, buffers = delta
                self.publish_delta(self.seq, {**content, "seq": self.seq}, buffers)
                self._unsnapped = True
                self.sent["delta"] += 1
                return "delta"
            return None

    def _snapshot_spacing(self) -> float:
        return max(self.snapshot_interval, self.model.size_hint() / self.snapshot_rate)

    def start(self) -> None:
        if self._thread is not None or self.done:
            return
        self._thread = threading.Thread(target=self._run, name="wbnb-widget-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        # Ticks only when a source has something (a log() sets _wake; a cursor is due at
        # its poll time) or a snapshot is owed, so an idle run costs the kernel no
        # wake-ups (each one takes the GIL from the training loop); and always on a fixed
        # grid (not min_interval after the previous tick ended, nor at once after a
        # pause: one message per min_interval at most, even for pause-burst loops), so
        # new rows wait at most min_interval however long a tick or a GIL hand-over takes.
        while not self._loaded.wait(0.5):  # a history still being read comes first
            if self._stop.is_set():
                return
        next_at = self.clock() + self.min_interval
        try:
            while not self._stop.is_set():
                now = self.clock()
                due = min((s.due(now) for s in self.sources), default=math.inf)
                if self._unsnapped:  # the snapshot trait catches up with the deltas sent, logs or not
                    due = min(due, self._last_snapshot + self._snapshot_spacing())
                if due > now:
                    self._wake.wait(min(due - now, self.idle_check))
                    self._wake.clear()  # what woke us is read from the sources (due) next round
                    continue
                if next_at < now:  # idle, or a long tick: the grid's next point, never a burst
                    next_at += math.ceil((now - next_at) / self.min_interval) * self.min_interval
                if self._stop.wait(next_at - now):
                    return
                self.tick()
                next_at += self.min_interval
                if self.done:
                    self._stop.wait(self.min_interval)  # keep the rate limit for the last one
                    self.tick(final=True)
                    return
        except Exception as e:
            import warnings

            warnings.warn(f"wbnb widget stopped updating: {type(e).__name__}: {e}", stacklevel=1)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for s in self.sources:
            s.close()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=2)
