"""``MatrixSet``: the live model of a ``ConfusionMatrix`` (``widget.py``).

It holds, per (run, key), the steps that have a matrix, the class names, and the
matrices; its snapshot carries the matrices from the newest back while they fit
``budget`` cells (all of them for small matrices, the last few for 100 classes), each
delta the new ones, and ``answer`` an older one the page asks for. The shapes are
declared in ``contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..keys import key_patterns
from ..media import logged_media
from ..runs import RunRef
from .contract import FetchMatrix, Matrices, MatrixHead, MatrixReply, MatrixSeries, MatrixUpdate, MatrixUpdates


class Entry:
    """One (run, key): its steps, their matrices (counts), class names and title."""

    __slots__ = ("id", "run", "key", "steps", "mats", "names", "title", "new")

    def __init__(self, sid: int, run: int, key: str) -> None:
        self.id, self.run, self.key = sid, run, key
        self.steps: list[int] = []
        self.mats: list[np.ndarray] = []
        self.names: list[str] = []
        self.title: str | None = None
        self.new: list[int] = []  # positions not sent yet


class MatrixSet:
    """The ``LiveModel`` behind ConfusionMatrix."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None = None, budget: int = 100_000) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.budget = budget  # matrix cells per (run, key) the snapshot carries
        self.entries: dict[tuple[int, str], Entry] = {}

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, "confusion_matrix", self.keys):
            rec = recs[-1]
            try:
                m = np.asarray(rec.get("matrix"), dtype=float)
            except (TypeError, ValueError):
                continue
            if m.ndim != 2 or m.shape[0] != m.shape[1]:
                continue
            e = self.entries.get((source, key))
            if e is None:
                e = self.entries[(source, key)] = Entry(len(self.entries), source, key)
            names = [str(n) for n in (rec.get("class_names") or [])]
            e.names = names if len(names) == m.shape[0] else [str(i) for i in range(m.shape[0])]
            e.title = None if rec.get("title") is None else str(rec.get("title"))
            if e.steps and e.steps[-1] == step:
                e.mats[-1] = m
                pos = len(e.steps) - 1
            else:
                e.steps.append(int(step))
                e.mats.append(m)
                pos = len(e.steps) - 1
            if pos not in e.new:
                e.new.append(pos)

    def _head(self, e: Entry) -> MatrixHead:
        return {"id": e.id, "run": e.run, "key": e.key, "title": e.title, "class_names": e.names}

    def delta(self) -> tuple[MatrixUpdates, list[bytes]] | None:
        upd: list[MatrixUpdate] = []
        buffers: list[bytes] = []
        for e in self.entries.values():
            for pos in e.new:
                m = e.mats[pos]
                upd.append({**self._head(e), "step": e.steps[pos], "k": int(m.shape[0])})
                buffers.append(np.ascontiguousarray(m, dtype=float).tobytes())
            e.new = []
        if not upd:
            return None
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> Matrices:
        series: list[MatrixSeries] = []
        for e in self.entries.values():
            e.new = []
            have: list[int] = []
            parts: list[np.ndarray] = []
            cells = 0
            for pos in range(len(e.steps) - 1, -1, -1):
                n = e.mats[pos].size
                if have and cells + n > self.budget:
                    break
                cells += n
                have.append(e.steps[pos])
                parts.append(np.ascontiguousarray(e.mats[pos], dtype=float).ravel())
            have.reverse()
            parts.reverse()
            k = int(e.mats[-1].shape[0]) if e.mats else 0
            data = np.concatenate(parts).tobytes() if parts else b""
            series.append({**self._head(e), "steps": e.steps, "k": k, "have": have, "data": memoryview(data)})
        return {"runs": [r.info() for r in self.runs], "series": series}

    def size_hint(self) -> int:
        return sum(8 * min(self.budget, sum(m.size for m in e.mats)) for e in self.entries.values())

    def matrix(self, run: int, key: str, step: int | None = None) -> np.ndarray | None:
        """The counts of ``key`` in run number ``run`` at ``step`` (default the latest)."""
        e = self.entries.get((run, key))
        if e is None or not e.steps:
            return None
        if step is None:
            return e.mats[-1]
        i = int(np.searchsorted(e.steps, step))
        return e.mats[i] if i < len(e.steps) and e.steps[i] == step else None

    def answer(self, fetch: FetchMatrix) -> tuple[MatrixReply, list[bytes]]:
        """The matrix ``fetch`` asks for (``k`` 0 and no buffer when there is none)."""
        sid, step = fetch["id"], fetch["step"]
        reply: MatrixReply = {"type": "matrix", "req": fetch["req"], "id": sid, "step": step, "k": 0}
        for e in self.entries.values():
            if e.id == sid:
                m = self.matrix(e.run, e.key, step)
                if m is not None:
                    return {**reply, "k": int(m.shape[0])}, [np.ascontiguousarray(m, dtype=float).tobytes()]
        return reply, []
