"""``ConfusionMatrix``: the confusion matrices runs logged, as heatmaps, through the steps.

    from wbnb.widgets import ConfusionMatrix
    run.log({"val/cm": wbnb.plot.confusion_matrix(y_true=y, preds=p, class_names=names)})
    ConfusionMatrix(run)                       # every confusion-matrix key, latest step
    ConfusionMatrix(run, normalize="true")     # rows sum to 100 % (recall per class)

Records are ``{"_type": "confusion_matrix", "class_names", "matrix" (rows = true
class), "title"}``. The live state (``_snapshot``) holds, per (run, key), the steps that
have a matrix, the class names, and the matrices themselves from the newest back while
they fit ``budget`` cells (all of them for small matrices, the last few for 100
classes). An older matrix is asked for with ``{"type": "fetch", "req", "id", "step"}``
and comes back as ``{"type": "matrix", "req", "id", "step", "k"}`` with a float64
buffer. Deltas carry each new matrix: ``{"upd": [{"id", "run", "key", "title",
"class_names", "step", "k"}]}``, one buffer (k*k float64, row-major) per entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import traitlets as t

from ..store.base import Store
from .base import LiveWidget
from .media import logged_media
from .runs import RunRef, resolve_runs
from .sources import make_sources

NORMALIZE = ("none", "true", "pred")


def normalize(matrix: Any, by: str = "none") -> np.ndarray:
    """Fractions of each true class (``"true"``: rows sum to 1), of each predicted class
    (``"pred"``: columns sum to 1), or the counts (``"none"``). Empty rows stay 0."""
    m = np.asarray(matrix, dtype=float)
    if by == "none":
        return m
    if by not in NORMALIZE:
        raise ValueError(f"normalize is one of {NORMALIZE}, got {by!r}")
    axis = 1 if by == "true" else 0
    sums = m.sum(axis=axis, keepdims=True)
    return np.divide(m, sums, out=np.zeros_like(m), where=sums != 0)


class _Entry:
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

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | None = None, budget: int = 100_000) -> None:
        self.runs = runs
        self.keys = list(keys) if keys else None
        self.budget = budget  # matrix cells per (run, key) the snapshot carries
        self.entries: dict[tuple[int, str], _Entry] = {}

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
                e = self.entries[(source, key)] = _Entry(len(self.entries), source, key)
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

    def _head(self, e: _Entry) -> dict[str, Any]:
        return {"id": e.id, "run": e.run, "key": e.key, "title": e.title, "class_names": e.names}

    def delta(self) -> tuple[dict[str, Any], list[bytes]] | None:
        upd, buffers = [], []
        for e in self.entries.values():
            for pos in e.new:
                m = e.mats[pos]
                upd.append(self._head(e) | {"step": e.steps[pos], "k": int(m.shape[0])})
                buffers.append(np.ascontiguousarray(m, dtype=float).tobytes())
            e.new = []
        if not upd:
            return None
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> dict[str, Any]:
        series = []
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
            series.append(self._head(e) | {"steps": e.steps, "k": k, "have": have, "data": memoryview(data)})
        runs = [{"id": r.id, "name": r.name, "project": r.project} for r in self.runs]
        return {"runs": runs, "series": series}

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

    def answer(self, content: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        sid, step = int(content.get("id", -1)), int(content.get("step", -1))
        for e in self.entries.values():
            if e.id == sid:
                m = self.matrix(e.run, e.key, step)
                if m is not None:
                    return (
                        {"type": "matrix", "req": content.get("req"), "id": sid, "step": step, "k": int(m.shape[0])},
                        [np.ascontiguousarray(m, dtype=float).tobytes()],
                    )
        return {"type": "matrix", "req": content.get("req"), "id": sid, "step": step, "k": 0}, []


class ConfusionMatrix(LiveWidget):
    """Heatmaps of the confusion matrices of one or many runs, with a step slider.

    ``runs``: a run, ``"project/run_id"`` or a list (default the current run); ``keys``:
    keys or globs (default every confusion-matrix key). ``normalize``: ``"none"``
    (counts), ``"true"`` (each true class sums to 100 %) or ``"pred"`` (each predicted
    class sums to 100 %). ``size``: the heatmap's side in px. Hover shows the count and
    both percentages; with many classes labels thin out and column labels turn.
    """

    esm_name = "confusion"

    normalize = t.Enum(NORMALIZE, default_value="none").tag(sync=True)
    size = t.Int(420).tag(sync=True)
    steps_shown = t.Dict().tag(sync=True)  # series id (str) -> step chosen; absent: latest

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        normalize: str = "none",
        size: int = 420,
        live: bool = True,
        store: Store | None = None,
        budget: int = 100_000,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        if isinstance(keys, str):
            keys = [keys]
        refs = resolve_runs(runs, store)
        self.matrices = MatrixSet(refs, keys, budget=budget)
        super().__init__(
            model=self.matrices,
            sources=make_sources(refs),
            live=live,
            min_interval=min_interval,
            normalize=normalize,
            size=size,
            **kwargs,
        )

    def _answer(self, request: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
        return self.matrices.answer(request)

    def matrix(self, key: str, run: int = 0, step: int | None = None, by: str = "none") -> np.ndarray | None:
        """The counts of ``key`` (run number ``run``, ``step`` or the latest), or the
        fractions the widget shows when normalised ``by`` ``"true"`` / ``"pred"``."""
        m = self.matrices.matrix(run, key, step)
        return None if m is None else normalize(m, by)

    def _picture(self) -> Any:
        from .pictures.confusion import confusion_picture

        return confusion_picture(
            self.matrices, normalize=self.normalize, size=self.size, steps_shown=dict(self.steps_shown)
        )
