"""What one server process remembers of runs, shared by its request threads: only
what never changes once committed, so no other process can make it wrong."""

from __future__ import annotations

import threading
from collections.abc import Mapping

RunKey = tuple[str, str, str]  # (entity, project, run_id)

LIMIT = 10_000  # entries per cache before it starts over


class Known:
    """A run's surrogate id by its names, and the ``ki`` of each key tuple of a run.
    A deleted run is forgotten here; another process's deletion is found by readers
    (``PostgresStore.run`` refreshes the id)."""

    def __init__(self) -> None:
        self._ids: dict[RunKey, int] = {}
        self._keysets: dict[int, dict[tuple[str, ...], int]] = {}
        self._lock = threading.Lock()

    def run_id(self, key: RunKey) -> int | None:
        """The surrogate id remembered for a run, or None."""
        return self._ids.get(key)

    def remember_id(self, key: RunKey, run: int) -> None:
        """Remember (or replace) a run's surrogate id."""
        with self._lock:
            if len(self._ids) >= LIMIT:
                self._ids.clear()
            self._ids[key] = run

    def keysets(self, run: int) -> dict[tuple[str, ...], int]:
        """A copy of the key tuples of a run known here, and their ``ki``."""
        with self._lock:
            return dict(self._keysets.get(run, {}))

    def learn(self, run: int, keysets: Mapping[tuple[str, ...], int]) -> None:
        """Remember committed key tuples of a run."""
        if not keysets:
            return
        with self._lock:
            known = self._keysets.get(run)
            if known is None:
                if len(self._keysets) >= LIMIT:
                    self._keysets.clear()
                known = self._keysets[run] = {}
            elif len(known) >= LIMIT:
                known.clear()
            known.update(keysets)

    def forget(self, key: RunKey, run: int) -> None:
        """Forget a deleted run."""
        with self._lock:
            self._ids.pop(key, None)
            self._keysets.pop(run, None)
