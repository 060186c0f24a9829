"""Min/max/last downsampling that never loses a spike, built incrementally.

A series is cut into buckets of ``width`` consecutive points (bucket ``i`` holds points
``i*width .. (i+1)*width-1``). Each bucket keeps three representatives: the point with the
smallest value, the one with the largest, and its last point. When the bucket count would
pass ``max_buckets`` the width doubles and neighbouring buckets merge pairwise; the three
representatives merge exactly (min of mins, max of maxes, last of the second), so the
result is the same as downsampling the whole history from scratch, at O(1) memory per
series and amortised O(1) work per point.

Points are rows of ``FIELDS``; the front end receives them with their bucket index, so an
update "from bucket k on" replaces the tail it already has.
"""

from __future__ import annotations

import numpy as np

from .contract import WIRE_FIELDS

# i: ordinal of the point in its series (dedupes representatives); s: step;
# t: wall time (s since the epoch); r: runtime (s); m: step-metric value (nan if none); y.
FIELDS = ("i", "s", "t", "r", "m", "y")
ORD, S, T, R, M, Y = range(len(FIELDS))  # ORD: the "i" column
STRIDE = len(WIRE_FIELDS)  # what a snapshot / delta carries per point (row-major float64)


class Buckets:
    """One series' downsampled history; ``extend`` returns the first bucket it changed."""

    __slots__ = ("max_buckets", "width", "count", "nb", "_reps")

    def __init__(self, max_buckets: int = 512) -> None:
        if max_buckets < 2:
            raise ValueError("max_buckets must be at least 2")
        self.max_buckets = max_buckets
        self.width = 1
        self.count = 0  # points seen
        self.nb = 0  # buckets in use (the last one may be partial)
        self._reps = np.empty((16, 3, len(FIELDS)))  # per bucket: min, max, last point

    def extend(self, points: np.ndarray) -> int:
        """Add points (rows of ``FIELDS``; ``i`` is ignored, ``y`` finite): ``extend_columns``
        of its columns."""
        points = np.asarray(points, dtype=float).reshape(-1, len(FIELDS))
        return self.extend_columns(points[:, S], points[:, T], points[:, R], points[:, M], points[:, Y])

    def extend_columns(self, s: np.ndarray, t: np.ndarray, r: np.ndarray, m: np.ndarray | None, y: np.ndarray) -> int:
        """Add points given as columns (``y`` finite; ``m`` None: NaN). Returns the index of
        the first bucket whose points changed; 0 after a re-bucketing (the width changed:
        the whole series is new).

        Only each touched bucket's three representatives are gathered from the columns
        (argmin / argmax over ``y`` per bucket), never an (n, 6) array of every point."""
        k = len(y)
        if k == 0:
            return self.nb
        width0 = self.width
        while -(-(self.count + k) // self.width) > self.max_buckets:
            self._merge_pairs()
        w = self.width
        first = self.nb - 1 if self.count % w else self.nb
        head = min(k, -self.count % w)  # points that complete the partial last bucket
        full, tail = divmod(k - head, w)
        picks = []  # per bucket touched: index (into the new points) of its min, max and last
        if head:
            picks.append(np.array([[int(np.argmin(y[:head])), int(np.argmax(y[:head])), head - 1]]))
        if full:
            y2 = y[head : head + full * w].reshape(full, w)
            starts = head + np.arange(full) * w
            picks.append(np.stack([starts + np.argmin(y2, axis=1), starts + np.argmax(y2, axis=1), starts + w - 1], 1))
        if tail:
            at = head + full * w
            picks.append(np.array([[at + int(np.argmin(y[at:])), at + int(np.argmax(y[at:])), k - 1]]))
        idx = np.concatenate(picks)
        reps = np.empty(idx.shape + (len(FIELDS),))
        reps[..., ORD] = self.count + idx
        reps[..., S], reps[..., T], reps[..., R], reps[..., Y] = s[idx], t[idx], r[idx], y[idx]
        reps[..., M] = np.nan if m is None else m[idx]
        if head:  # merged into the partial bucket
            self._reps[self.nb - 1] = _combine(self._reps[self.nb - 1][None], reps[:1])[0]
            reps = reps[1:]
        self._grow(self.nb + len(reps))
        self._reps[self.nb : self.nb + len(reps)] = reps
        self.nb += len(reps)
        self.count += k
        return 0 if self.width != width0 else max(first, 0)

    def _grow(self, n: int) -> None:
        if n > len(self._reps):
            reps = np.empty((max(n, 2 * len(self._reps)), 3, len(FIELDS)))
            reps[: self.nb] = self._reps[: self.nb]
            self._reps = reps

    def _merge_pairs(self) -> None:
        reps = self._reps[: self.nb]
        odd = self.nb % 2
        merged = _combine(reps[0 : self.nb - odd : 2], reps[1 : self.nb - odd : 2])
        if odd:
            merged = np.concatenate([merged, reps[-1:]])
        self._reps[: len(merged)] = merged
        self.nb = len(merged)
        self.width *= 2

    def points(self, start: int = 0) -> np.ndarray:
        """Distinct representatives of buckets ``start..`` in order, as wire rows
        (``WIRE_FIELDS``: the bucket index replaces the ordinal)."""
        reps = self._reps[start : self.nb]
        if not len(reps):
            return np.empty((0, STRIDE))
        flat = reps.reshape(-1, len(FIELDS))
        order = np.argsort(flat[:, ORD], kind="stable")
        flat = flat[order]
        keep = np.ones(len(flat), dtype=bool)
        keep[1:] = flat[1:, ORD] != flat[:-1, ORD]  # min, max and last may be one point
        out = flat[keep].copy()
        out[:, 0] = np.floor(out[:, ORD] / self.width)  # "i" column becomes "b"
        return out


def _combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Merge representatives of consecutive buckets ``a`` then ``b`` (both (n, 3, F))."""
    out = np.empty_like(a)
    lo = a[:, 0, Y] <= b[:, 0, Y]  # ties keep the earlier point
    out[:, 0] = np.where(lo[:, None], a[:, 0], b[:, 0])
    hi = a[:, 1, Y] >= b[:, 1, Y]
    out[:, 1] = np.where(hi[:, None], a[:, 1], b[:, 1])
    out[:, 2] = b[:, 2]
    return out


def downsample(y: np.ndarray, max_buckets: int = 512) -> np.ndarray:
    """Indices of the points of ``y`` that a ``Buckets`` of ``max_buckets`` keeps
    (for tests and one-off use on plain arrays)."""
    y = np.asarray(y, dtype=float)
    pts = np.zeros((len(y), len(FIELDS)))
    pts[:, S] = np.arange(len(y))
    pts[:, Y] = y
    b = Buckets(max_buckets)
    b.extend(pts)
    return b.points()[:, S].astype(np.int64)
