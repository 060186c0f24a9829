"""Scalar series of several runs, downsampled, as a ``LiveModel``.

One series per (run, key) holding numbers; each is a ``Buckets`` (min/max/last per
bucket). Wire format, shared with ``js/lib/series.ts``:

snapshot ``{"runs": [{"id", "name", "project"}], "series": [SERIES...], "seq"}`` with
SERIES = ``{"id", "run", "key", "step_metric", "width", "count", "data"}`` where
``data`` is float64 rows of ``WIRE_FIELDS`` (bucket, step, wall time s, runtime s,
step-metric value or NaN, value), row-major.

delta ``{"type": "delta", "seq", "upd": [{"id", "run", "key", "step_metric", "from",
"width", "count"}]}`` with one buffer per entry: the rows of buckets ``from..``, which
replace the ones the front end has from that bucket on (``from == 0``: the series
anew, e.g. after a re-bucketing).

A key whose ``define_metric`` names a ``step_metric`` M gets, for each point, the last
value of M logged at or before it (wandb's rule), so it can be drawn against M.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..store.history import columns
from .downsample import FIELDS, M, R, S, T, Y, Buckets
from .live import RunRef


class Series:
    __slots__ = ("id", "run", "key", "buckets", "dirty", "step_metric")

    def __init__(self, sid: int, run: int, key: str, max_buckets: int) -> None:
        self.id, self.run, self.key = sid, run, key
        self.buckets = Buckets(max_buckets)
        self.dirty: int | None = None  # first bucket changed since last sent
        self.step_metric: str | None = None


class SeriesSet:
    """The ``LiveModel`` behind Curves (and any widget that draws scalar series)."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | None = None, max_buckets: int = 512) -> None:
        self.runs = runs
        self.keys = list(keys) if keys else None  # names or globs; None: every scalar
        self.max_buckets = max_buckets
        self.series: dict[tuple[int, str], Series] = {}
        self._last_metric: list[dict[str, float]] = [{} for _ in runs]  # run -> step metric -> last value
        self._not_scalar: set[str] = set()

    # -- which keys, and against what ------------------------------------------------

    def wanted(self, key: str) -> bool:
        if key.startswith("_"):
            return False
        if self.keys is None:
            return True
        return any(key == k or fnmatch.fnmatchcase(key, k) for k in self.keys)

    def step_metric_of(self, run: int, key: str) -> str | None:
        metrics = self.runs[run].meta.get("metrics") or {}
        spec = metrics.get(key)
        if spec is None:
            for pattern, s in metrics.items():
                if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
                    spec = s
                    break
        sm = (spec or {}).get("step_metric")
        return sm if sm and sm != key else None

    # -- LiveModel --------------------------------------------------------------------

    def ingest(self, source: int, rows: list[tuple]) -> None:
        if not rows:
            return
        cols = columns(rows)
        n = len(cols["_step"])
        steps = np.asarray(cols["_step"], dtype=float)
        ts = np.asarray(cols["_timestamp"], dtype=float)
        rts = np.asarray(cols["_runtime"], dtype=float)
        numeric: dict[str, np.ndarray] = {}
        for key, col in cols.items():
            if key.startswith("_") or key in self._not_scalar:
                continue
            arr = _as_floats(col)
            if arr is None:
                continue
            numeric[key] = arr
        last = self._last_metric[source]
        filled: dict[str, np.ndarray] = {}
        for key, y in numeric.items():
            if not self.wanted(key):
                continue
            ok = np.isfinite(y)
            if not ok.any():
                continue
            sm = self.step_metric_of(source, key)
            pts = np.empty((n, len(FIELDS)))
            pts[:, S], pts[:, T], pts[:, R], pts[:, Y] = steps, ts, rts, y
            if sm is None:
                pts[:, M] = np.nan
            else:
                if sm not in filled:
                    filled[sm] = _ffill(numeric.get(sm), n, last.get(sm, math.nan))
                pts[:, M] = filled[sm]
            s = self.series.get((source, key))
            if s is None:
                s = self.series[(source, key)] = Series(len(self.series), source, key, self.max_buckets)
            s.step_metric = sm
            first = s.buckets.extend(pts[ok])
            s.dirty = first if s.dirty is None else min(s.dirty, first)
        for key, arr in numeric.items():  # remember step metrics' last values for the next batch
            finite = arr[np.isfinite(arr)]
            if len(finite):
                last[key] = float(finite[-1])

    def delta(self) -> tuple[dict[str, Any], list[bytes]] | None:
        upd, buffers = [], []
        for s in self.series.values():
            if s.dirty is None:
                continue
            upd.append(self._describe(s) | {"from": s.dirty})
            buffers.append(s.buckets.points(s.dirty).tobytes())
            s.dirty = None
        if not upd:
            return None
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> dict[str, Any]:
        out = []
        for s in self.series.values():
            s.dirty = None
            out.append(self._describe(s) | {"data": memoryview(s.buckets.points().tobytes())})
        runs = [{"id": r.id, "name": r.name, "project": r.project} for r in self.runs]
        return {"runs": runs, "series": out}

    def size_hint(self) -> int:
        return sum(min(s.buckets.count, 3 * s.buckets.nb) for s in self.series.values()) * 48

    def _describe(self, s: Series) -> dict[str, Any]:
        b = s.buckets
        return {"id": s.id, "run": s.run, "key": s.key, "step_metric": s.step_metric,
                "width": b.width, "count": b.count}

    # -- for Python users ---------------------------------------------------------------

    def keys_shown(self) -> list[str]:
        return sort_keys({k for _, k in self.series})

    def frame(self, key: str) -> Any:
        """The downsampled points of ``key`` as a pandas DataFrame (all runs)."""
        import pandas as pd

        parts = []
        for (run, k), s in self.series.items():
            if k != key:
                continue
            p = s.buckets.points()
            parts.append(pd.DataFrame({
                "rid": self.runs[run].id, "run": self.runs[run].name, "s": p[:, 1],
                "t": pd.to_datetime(p[:, 2], unit="s"), "r": p[:, 3], "m": p[:, 4], "y": p[:, 5], "ys": p[:, 5]}))
        if not parts:
            return pd.DataFrame(columns=["rid", "run", "s", "t", "r", "m", "y", "ys"])
        return pd.concat(parts, ignore_index=True)


def section_of(key: str) -> str:
    """The section a key is drawn in: its ``prefix/``, or "" (shown as "Charts")."""
    head, sep, _ = key.partition("/")
    return head if sep else ""


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Section "" first, then sections and keys in name order."""
    return sorted(keys, key=lambda k: (section_of(k) != "", section_of(k), k))


def _as_floats(col: list[Any]) -> np.ndarray | None:
    try:
        return np.asarray(col, dtype=float)  # None -> nan
    except (TypeError, ValueError):
        pass
    vals = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in col]
    if all(v is None for v in vals):
        return None
    return np.asarray(vals, dtype=float)


def _ffill(col: np.ndarray | None, n: int, before: float) -> np.ndarray:
    """Forward-fill a column (nan where absent), starting from ``before``."""
    if col is None:
        return np.full(n, before)
    vals = np.concatenate([[before], col])
    idx = np.where(np.isfinite(vals), np.arange(n + 1), 0)
    np.maximum.accumulate(idx, out=idx)
    return vals[idx][1:]
