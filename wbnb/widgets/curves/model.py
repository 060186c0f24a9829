"""Scalar series of several runs, downsampled, as a ``LiveModel``: what Curves shows.

One series per (run, key) holding numbers; each is a ``Buckets`` (min/max/last per
bucket). Its snapshot and deltas are the shapes of ``contract.py`` (points as float64
rows of ``WIRE_FIELDS``); each run gets the colour of its lines here, by its place in
the list.

A key whose ``define_metric`` names a ``step_metric`` M gets, for each point, the last
value of M logged at or before it (wandb's rule), so it can be drawn against M.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..keys import key_patterns, wanted
from ..runs import RunRef
from .contract import CurvesChanges, CurvesRun, CurvesState, SeriesData, SeriesInfo, SeriesUpdate
from .downsample import Buckets

# Tableau 10: distinct, readable on white and dark backgrounds.
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac")


class Series:
    __slots__ = ("id", "run", "key", "buckets", "dirty", "step_metric")

    def __init__(self, sid: int, run: int, key: str, max_buckets: int) -> None:
        self.id, self.run, self.key = sid, run, key
        self.buckets = Buckets(max_buckets)
        self.dirty: int | None = None  # first bucket changed since last sent
        self.step_metric: str | None = None


class SeriesSet:
    """The ``LiveModel`` behind Curves (and any widget that draws scalar series)."""

    def __init__(self, runs: list[RunRef], keys: Iterable[str] | str | None = None, max_buckets: int = 512) -> None:
        self.runs = runs
        self.colors = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(runs)}  # run id -> line colour
        self.keys = key_patterns(keys)  # names or globs; None: every scalar
        self.max_buckets = max_buckets
        self.series: dict[tuple[int, str], Series] = {}
        self._last_metric: list[dict[str, float]] = [{} for _ in runs]  # run -> step metric -> last value

    # -- which keys, and against what ------------------------------------------------

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
        n = len(rows)
        steps = np.fromiter((r[1] for r in rows), dtype=float, count=n)
        ts = np.fromiter((r[2] for r in rows), dtype=float, count=n)
        rts = np.fromiter((r[3] for r in rows), dtype=float, count=n)
        numeric = _key_columns(rows)  # key -> (row positions, values)
        last = self._last_metric[source]
        filled: dict[str, np.ndarray] = {}
        for key, (pos, y) in numeric.items():
            if not wanted(key, self.keys):
                continue
            ok = np.isfinite(y)
            if not ok.any():
                continue
            sm = self.step_metric_of(source, key)
            metric = None
            if sm is not None:
                if sm not in filled:
                    col = np.full(n, np.nan)
                    if sm in numeric:
                        col[numeric[sm][0]] = numeric[sm][1]
                    filled[sm] = _ffill(col, n, last.get(sm, math.nan))
                metric = filled[sm][pos][ok]
            s = self.series.get((source, key))
            if s is None:
                s = self.series[(source, key)] = Series(len(self.series), source, key, self.max_buckets)
            s.step_metric = sm
            at = pos[ok]
            first = s.buckets.extend_columns(steps[at], ts[at], rts[at], metric, y[ok])
            s.dirty = first if s.dirty is None else min(s.dirty, first)
        for key, (_, arr) in numeric.items():  # remember step metrics' last values for the next batch
            finite = arr[np.isfinite(arr)]
            if len(finite):
                last[key] = float(finite[-1])

    def load_columns(self, source: int, cols: dict[str, Any]) -> None:
        """What ``ingest`` of every row of a history does, from its columns
        (``Store.columns``: one value per step, NaN / None where a key is absent), with
        whole-array numpy work instead of per-row Python: the way to read a long history."""
        if not cols or "_step" not in cols:
            return
        steps = np.asarray(cols["_step"], dtype=float)
        ts = np.asarray(cols["_timestamp"], dtype=float)
        rts = np.asarray(cols["_runtime"], dtype=float)
        n = len(steps)
        numeric = {}
        for key, col in cols.items():
            if not key.startswith("_"):
                y = _column_floats(col)
                if y is not None:
                    numeric[key] = y
        last = self._last_metric[source]
        filled: dict[str, np.ndarray] = {}
        for key, y in numeric.items():
            if not wanted(key, self.keys):
                continue
            ok = np.isfinite(y)
            dense = bool(ok.all())
            if not dense and not ok.any():
                continue
            sm = self.step_metric_of(source, key)
            metric = None  # no step metric: NaN, filled in for the points kept only
            if sm is not None:
                if sm not in filled:
                    filled[sm] = _ffill(numeric.get(sm, np.full(n, np.nan)), n, last.get(sm, math.nan))
                metric = filled[sm]
            s = self.series.get((source, key))
            if s is None:
                s = self.series[(source, key)] = Series(len(self.series), source, key, self.max_buckets)
            s.step_metric = sm
            if dense:
                first = s.buckets.extend_columns(steps, ts, rts, metric, y)
            else:
                first = s.buckets.extend_columns(
                    steps[ok], ts[ok], rts[ok], None if metric is None else metric[ok], y[ok]
                )
            s.dirty = first if s.dirty is None else min(s.dirty, first)
        for key, y in numeric.items():
            v = _last_finite(y)
            if v is not None:
                last[key] = v

    def delta(self) -> tuple[CurvesChanges, list[bytes]] | None:
        upd: list[SeriesUpdate] = []
        buffers = []
        for s in self.series.values():
            if s.dirty is None:
                continue
            upd.append({**self._describe(s), "first": s.dirty})
            buffers.append(s.buckets.points(s.dirty).tobytes())
            s.dirty = None
        if not upd:
            return None
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> CurvesState:
        out: list[SeriesData] = []
        for s in self.series.values():
            s.dirty = None
            out.append({**self._describe(s), "data": memoryview(s.buckets.points().tobytes())})
        runs: list[CurvesRun] = [{**r.info(), "color": self.colors[r.id]} for r in self.runs]
        return {"runs": runs, "series": out}

    def size_hint(self) -> int:
        return sum(min(s.buckets.count, 3 * s.buckets.nb) for s in self.series.values()) * 48

    def _describe(self, s: Series) -> SeriesInfo:
        b = s.buckets
        return {
            "id": s.id,
            "run": s.run,
            "key": s.key,
            "step_metric": s.step_metric,
            "width": b.width,
            "count": b.count,
        }

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
            parts.append(
                pd.DataFrame(
                    {
                        "rid": self.runs[run].id,
                        "run": self.runs[run].name,
                        "s": p[:, 1],
                        "t": pd.to_datetime(p[:, 2], unit="s"),
                        "r": p[:, 3],
                        "m": p[:, 4],
                        "y": p[:, 5],
                        "ys": p[:, 5],
                    }
                )
            )
        if not parts:
            return pd.DataFrame(columns=["rid", "run", "s", "t", "r", "m", "y", "ys"])
        return pd.concat(parts, ignore_index=True)


def section_of(key: str) -> str:
    """The section a key is drawn in: its ``prefix/``, or "" (titled ``UNSECTIONED``);
    ``sectionOf`` in ``js/curves/sections.ts``, both held by ``tests/cases/curves_sections.json``."""
    head, sep, _ = key.partition("/")
    return head if sep else ""


_DIGIT_RUNS = re.compile(r"([0-9]+)")


def natural(name: str) -> tuple[tuple[Any, ...], str]:
    """``name``'s place in natural order (``m2`` before ``m10``): its text and digit runs
    alternating, each run compared as a number (by its length without leading zeros, then its
    digits: exact at any length), then the name itself to part ``m01`` from ``m1``."""
    parts = _DIGIT_RUNS.split(name)
    runs = tuple((len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p for i, p in enumerate(parts))
    return runs, name


def sort_keys(keys: Iterable[str]) -> list[str]:
    """Section "" first, then sections and keys in natural name order (``sortKeys`` in ``js/curves/sections.ts``)."""
    return sorted(keys, key=lambda k: (section_of(k) != "", natural(section_of(k)), natural(k)))


def _key_columns(rows: list[tuple]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Numeric values of each key in raw rows: ``key -> (row positions, float values)``.

    Rows are grouped by their key tuple and each group becomes one 2-D array (six times
    faster than building per-key lists); values that are not numbers become NaN.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        g = groups.get(r[0])
        if g is None:
            g = groups[r[0]] = []
        g.append(i)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for keys, positions in groups.items():
        pos = np.asarray(positions, dtype=np.int64)
        try:
            block = np.array([rows[i][4] for i in positions], dtype=float).reshape(len(positions), len(keys))
            cols: list[np.ndarray | None] = [block[:, j] for j in range(len(keys))]
        except (TypeError, ValueError, OverflowError):  # media, strings, None, huge ints: column by column
            cols = [_as_floats([rows[i][4][j] for i in positions]) for j in range(len(keys))]
        for key, col in zip(keys, cols):
            if col is not None and not key.startswith("_"):
                parts.setdefault(key, []).append((pos, col))
    out = {}
    for key, ps in parts.items():
        if len(ps) == 1:
            out[key] = ps[0]
        else:
            pos = np.concatenate([p for p, _ in ps])
            vals = np.concatenate([v for _, v in ps])
            order = np.argsort(pos, kind="stable")
            out[key] = (pos[order], vals[order])
    return out


def _as_floats(col: list[Any]) -> np.ndarray | None:
    try:
        return np.asarray(col, dtype=float)  # None -> nan
    except (TypeError, ValueError, OverflowError):
        pass
    vals = [_float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in col]
    if all(v is None for v in vals):
        return None
    return np.asarray(vals, dtype=float)


def _float(v: int | float) -> float:
    """``float(v)``; an int too large for a float is +-inf (skipped like a logged inf)."""
    try:
        return float(v)
    except OverflowError:
        return float("inf") if v > 0 else float("-inf")


def _column_floats(col: Any) -> np.ndarray | None:
    """A ``Store.columns`` column as floats (NaN where absent or not a number); None if
    it holds no numbers."""
    if isinstance(col, np.ndarray) and col.dtype.kind in "iuf":
        return np.asarray(col, dtype=float)
    return _as_floats(list(col))


def _last_finite(y: np.ndarray) -> float | None:
    """The last finite value of ``y`` (None if none): O(1) when it is the last one."""
    if len(y) and math.isfinite(y[-1]):
        return float(y[-1])
    idx = np.flatnonzero(np.isfinite(y))
    return float(y[idx[-1]]) if len(idx) else None


def _ffill(col: np.ndarray, n: int, before: float) -> np.ndarray:
    """Forward-fill a column (nan where absent), starting from ``before``."""
    vals = np.concatenate([[before], col])
    idx = np.where(np.isfinite(vals), np.arange(n + 1), 0)
    np.maximum.accumulate(idx, out=idx)
    return vals[idx][1:]
