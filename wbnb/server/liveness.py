"""Which runs still have a client writing them: heartbeats stamped by batches, silent
runs shown as crashed, idle ones released by the backend."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from starlette.concurrency import run_in_threadpool

from ..store.runmeta import RunMeta
from .backend import Backend, silent_client

log = logging.getLogger("wbnb.server")


class Liveness:
    """Runs whose client went silent read as ``crashed``.

    Each batch stamps the run's ``heartbeat_at`` (at most every ``stale_after / 8``
    seconds per run and server process, so metadata is not rewritten per batch); a
    client with nothing to send sends an empty batch every ``heartbeat`` seconds. A
    ``running`` run whose stamp is older than ``stale_after`` is shown as ``crashed``;
    ``sweep`` lets the backend mark it so (the folder backend does), and a client that
    comes back reopens it.

    A run silent for ``idle_after`` (two heartbeats missed: its client is gone, or
    cut off) has what it holds released by the backend, and taken again by its next
    batch."""

    def __init__(self, stale_after: float) -> None:
        self.stale_after = stale_after
        self.heartbeat = stale_after / 4
        self.idle_after = stale_after / 2
        self._stamped: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    def stamp(self, run: tuple[str, str, str], meta: RunMeta, force: bool = False) -> RunMeta:
        """``meta`` with a fresh ``heartbeat_at`` when one is due (or ``force``)."""
        now = time.time()
        with self._lock:
            if not force and now - self._stamped.get(run, 0.0) < self.stale_after / 8:
                return meta
            self._stamped[run] = now
        return {**meta, "heartbeat_at": now}

    def sweep(self, backend: Backend) -> None:
        """Have ``backend`` release idle runs and mark stale ones crashed; forget the
        stamps of runs silent for longer than that (their next batch stamps anew)."""
        backend.close_idle(self.idle_after, self.stale_after)
        old = time.time() - self.stale_after
        with self._lock:
            for run in [run for run, t in self._stamped.items() if t < old]:
                del self._stamped[run]

    def shown(self, meta: RunMeta) -> RunMeta:
        """How a run's metadata is shown: ``crashed`` when its client is silent."""
        beat = meta.get("heartbeat_at")
        if meta.get("state") == "running" and isinstance(beat, (int, float)) and time.time() - beat > self.stale_after:
            return {
                **meta,
                "state": "crashed",
                "crash_reason": silent_client(self.stale_after),
            }
        return meta


async def sweeping(liveness: Liveness, backend: Backend) -> None:
    """``liveness.sweep`` every ``stale_after / 8`` seconds, until cancelled."""
    while True:
        await asyncio.sleep(liveness.stale_after / 8)
        try:
            await run_in_threadpool(liveness.sweep, backend)
        except Exception:  # a full disk, the database away: the next round tries again
            log.exception("closing idle runs failed")
