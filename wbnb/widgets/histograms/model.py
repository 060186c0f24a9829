"""``HistogramGrid``: the live model of a ``Histograms`` (``widget.py``).

Each (run, key) becomes a grid: rows are steps, columns ``bins`` equal bins over one
value range ``[lo, hi]`` shared by all its rows. A logged histogram is redistributed
onto the grid by linear interpolation of its cumulative counts (mass is kept). The range
grows (with a margin) when a histogram falls outside it; then every kept row is redone
and the grid is sent anew. Rows are thinned like ``Buckets``: every ``stride``-th
histogram is kept, the stride doubling when more than ``max_rows`` would be, and the
newest one is always the last row. What the page gets: ``contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..keys import key_patterns
from ..media import logged_media
from ..runs import RunRef
from .contract import GridRows, Grids, GridSeries, GridUpdates


def rebin(edges: Any, counts: Any, lo: float, hi: float, bins: int) -> np.ndarray:
    """Counts of a histogram (``edges``: len(counts)+1, ascending) on ``bins`` equal bins
    over ``[lo, hi]``: linear within each source bin; what lies outside is clipped into
    the first / last bin."""
    e = np.asarray(edges, dtype=float)
    c = np.asarray(counts, dtype=float)
    out = np.zeros(bins)
    total = c.sum()
    if not len(c) or total == 0:
        return out
    if hi <= lo:
        out[bins // 2] = total
        return out
    if e[-1] <= e[0]:  # every value the same
        out[int(np.clip((e[0] - lo) / (hi - lo) * bins, 0, bins - 1))] = total
        return out
    cum = np.concatenate([[0.0], np.cumsum(c)])
    grid = np.linspace(lo, hi, bins + 1)
    at = np.interp(grid, e, cum)  # 0 below the first edge, total above the last
    out = np.diff(at)
    out[0] += at[0]
    out[-1] += total - at[-1]
    return out


class _Entry:
    __slots__ = ("id", "run", "key", "lo", "hi", "seen", "stride", "kept", "last", "sent", "reset")

    def __init__(self, sid: int, run: int, key: str) -> None:
        self.id, self.run, self.key = sid, run, key
        self.lo = self.hi = 0.0
        self.seen = 0
        self.stride = 1
        self.kept: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = []  # (n, step, edges, counts, row)
        self.last: tuple[int, int, np.ndarray, np.ndarray, np.ndarray] | None = None  # newest, if not kept
        self.sent: list[int] = []  # the steps of the rows the front end has
        self.reset = True  # the grid must be sent whole


class HistogramGrid:
    """The ``LiveModel`` behind Histograms."""

    def __init__(
        self,
        runs: list[RunRef],
        keys: Iterable[str] | str | None = None,
        bins: int = 64,
        max_rows: int = 256,
        margin: float = 0.1,
    ) -> None:
        self.runs = runs
        self.keys = key_patterns(keys)
        self.bins = bins
        self.max_rows = max_rows
        self.margin = margin
        self.entries: dict[tuple[int, str], _Entry] = {}

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, key, recs in logged_media(rows, "histogram", self.keys):
            rec = recs[-1]
            try:
                edges = np.asarray(rec.get("bins"), dtype=float)
                counts = np.asarray(rec.get("values"), dtype=float)
            except (TypeError, ValueError):
                continue
            if edges.ndim != 1 or counts.ndim != 1 or len(edges) != len(counts) + 1 or not len(counts):
                continue
            e = self.entries.get((source, key))
            if e is None:
                e = self.entries[(source, key)] = _Entry(len(self.entries), source, key)
            self._add(e, int(step), edges, counts)

    def _add(self, e: _Entry, step: int, edges: np.ndarray, counts: np.ndarray) -> None:
        finite = edges[np.isfinite(edges)]
        if not len(finite):
            return
        lo, hi = float(finite.min()), float(finite.max())
        if e.seen == 0 or lo < e.lo or hi > e.hi:
            nlo, nhi = (lo, hi) if e.seen == 0 else (min(lo, e.lo), max(hi, e.hi))
            span = (nhi - nlo) or max(abs(nlo), 1.0)
            if e.seen:
                nlo = nlo - self.margin * span if lo < e.lo else nlo
                nhi = nhi + self.margin * span if hi > e.hi else nhi
            elif nhi == nlo:
                nlo, nhi = nlo - span / 2, nhi + span / 2
            e.lo, e.hi = nlo, nhi
            e.kept = [(n, s, ed, c, rebin(ed, c, e.lo, e.hi, self.bins)) for n, s, ed, c, _ in e.kept]
            if e.last is not None:
                n, s, ed, c, _ = e.last
                e.last = (n, s, ed, c, rebin(ed, c, e.lo, e.hi, self.bins))
            e.reset = True
        if e.kept and e.kept[-1][1] == step or e.last is not None and e.last[1] == step:
            # the same step logged again: it replaces the row
            if e.last is not None and e.last[1] == step:
                e.last = (e.last[0], step, edges, counts, rebin(edges, counts, e.lo, e.hi, self.bins))
                e.sent = e.sent[: len(e.kept)]
            else:
                n = e.kept[-1][0]
                e.kept[-1] = (n, step, edges, counts, rebin(edges, counts, e.lo, e.hi, self.bins))
                e.sent = e.sent[: len(e.kept) - 1]
            return
        item = (e.seen, step, edges, counts, rebin(edges, counts, e.lo, e.hi, self.bins))
        e.seen += 1
        if item[0] % e.stride == 0:
            e.kept.append(item)
            e.last = None
            if len(e.kept) > self.max_rows:
                e.stride *= 2
                e.kept = [k for k in e.kept if k[0] % e.stride == 0]
                e.reset = True
        else:
            e.last = item

    def _rows(self, e: _Entry) -> list[tuple[int, np.ndarray]]:
        rows = [(s, r) for _, s, _, _, r in e.kept]
        if e.last is not None:
            rows.append((e.last[1], e.last[4]))
        return rows

    def _head(self, e: _Entry, steps: list[int], start: int) -> GridRows:
        return {
            "id": e.id,
            "run": e.run,
            "key": e.key,
            "lo": e.lo,
            "hi": e.hi,
            "bins": self.bins,
            "steps": steps,
            "start": start,
        }

    def delta(self) -> tuple[GridUpdates, list[bytes]] | None:
        upd: list[GridRows] = []
        buffers: list[bytes] = []
        for e in self.entries.values():
            rows = self._rows(e)
            steps = [s for s, _ in rows]
            if e.reset:
                start = 0
            else:
                start = 0
                while start < min(len(steps), len(e.sent)) and steps[start] == e.sent[start]:
                    start += 1
                if start == len(steps) == len(e.sent):
                    continue
            e.reset, e.sent = False, steps
            data = np.array([r for _, r in rows[start:]], dtype=float).reshape(-1, self.bins)
            upd.append(self._head(e, steps[start:], start))
            buffers.append(data.tobytes())
        if not upd:
            return None
        return {"type": "delta", "upd": upd}, buffers

    def snapshot(self) -> Grids:
        series: list[GridSeries] = []
        for e in self.entries.values():
            rows = self._rows(e)
            e.reset, e.sent = False, [s for s, _ in rows]
            data = np.array([r for _, r in rows], dtype=float).reshape(-1, self.bins)
            series.append({**self._head(e, e.sent, 0), "data": memoryview(data.tobytes())})
        return {"runs": [r.info() for r in self.runs], "series": series}

    def size_hint(self) -> int:
        return sum(8 * self.bins * (len(e.kept) + 1) for e in self.entries.values())

    def grid(self, run: int, key: str) -> tuple[list[int], np.ndarray, tuple[float, float]] | None:
        """``(steps, counts [rows x bins], (lo, hi))`` of ``key`` in run number ``run``."""
        e = self.entries.get((run, key))
        if e is None:
            return None
        rows = self._rows(e)
        return [s for s, _ in rows], np.array([r for _, r in rows]).reshape(-1, self.bins), (e.lo, e.hi)
