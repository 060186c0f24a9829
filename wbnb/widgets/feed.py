"""The throttled feed that keeps a live model up to date and publishes it (sources of new
rows: ``sources.py``; the runs: ``runs.py``).

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

Nothing here knows about a particular widget; ``curves/`` is one user.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from .runs import RunRef
from .sources import CursorSource


class LiveModel(Protocol):
    """What a ``Feed`` keeps up to date."""

    @property
    def runs(self) -> Sequence[RunRef]:
        """The runs it shows: ``ingest``'s ``source`` is a place in this list (a widget reads
        each run through one source)."""

    def ingest(self, source: int, rows: list[tuple]) -> None:
        """Take raw rows of source number ``source``."""

    def delta(self) -> tuple[Mapping[str, Any], list[bytes]] | None:
        """What changed since the last ``delta()`` / ``snapshot()``; ``None`` if nothing."""

    def snapshot(self) -> Mapping[str, Any]:
        """The whole state (JSON-able, ``memoryview`` / ``bytes`` for arrays); marks it sent."""

    def size_hint(self) -> int:
        """Roughly how many bytes ``snapshot()`` makes (to space snapshots out)."""


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
