"""``Histogram``: bin edges and counts, computed once when the value is made.

Counting never fails on finite numbers: a range that overflows float64 (values near
±1.8e308) or is too narrow for distinct edges at its magnitude is binned on edges
computed without overflow. No finite value at all gives an empty histogram, said once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue, warn_once
from wbnb.data.image import to_numpy

MAX_BINS = 512


class Histogram(WBValue):
    """A histogram of a sequence (NaN/inf dropped) or a precomputed ``np.histogram`` result.

    ``bins`` holds the edges and ``histogram`` the counts (one fewer than the edges);
    both are empty when the sequence holds no finite number.
    """

    _type = "histogram"

    def __init__(self, sequence: Any = None, np_histogram: Any = None, num_bins: int = 64) -> None:
        if (sequence is None) == (np_histogram is None):
            given = "both" if sequence is not None else "neither"
            raise ValueError(f"Histogram needs exactly one of sequence or np_histogram; got {given}")
        if np_histogram is not None:
            counts, edges = _check_np_histogram(np_histogram)
        else:
            if (
                isinstance(num_bins, bool)
                or not isinstance(num_bins, (int, np.integer))
                or not 1 <= num_bins <= MAX_BINS
            ):
                raise ValueError(f"Histogram num_bins must be an integer from 1 to {MAX_BINS}, got {num_bins!r}")
            counts, edges = _count(_numeric(sequence, "sequence").ravel(), int(num_bins))
        self.histogram: list[float] = counts.tolist()
        self.bins: list[float] = edges.tolist()

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the histogram record (no files are written)."""
        return {"_type": self._type, "bins": self.bins, "values": self.histogram}


def _count(values: np.ndarray, num_bins: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.histogram`` of the finite ``values``, in float64, on edges that never overflow."""
    with np.errstate(over="ignore"):
        values = values.astype(np.float64)  # a longdouble past float64 becomes inf: dropped next
    values = values[np.isfinite(values)]
    if not values.size:
        warn_once(
            "histogram-empty",
            "wbnb.Histogram: a sequence with no finite value (empty, or all NaN / inf) is stored as an empty "
            "histogram (no bins). (Said once.)",
        )
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            counts, edges = np.histogram(values, bins=num_bins)
        if np.isfinite(edges).all():
            return counts, edges
    except ValueError:  # "Too many bins for data range": the range overflows, or is narrower than num_bins ulps
        pass
    lo, hi = values.min(), values.max()
    edges = np.linspace(lo / 2, hi / 2, num_bins + 1) * 2  # halves: their difference cannot overflow
    edges[0], edges[-1] = lo, hi
    return np.histogram(values, bins=np.maximum.accumulate(edges))[0], edges


def _numeric(value: Any, what: str) -> np.ndarray:
    arr = to_numpy(value)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"Histogram {what} must hold numbers; got dtype {arr.dtype} (shape {arr.shape})")
    return arr


def _check_np_histogram(np_histogram: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a (counts, edges) pair as returned by ``np.histogram``."""
    if not isinstance(np_histogram, (tuple, list)) or len(np_histogram) != 2:
        raise ValueError(
            "Histogram np_histogram must be a (counts, edges) pair as np.histogram returns,"
            f" got {type(np_histogram).__name__}"
        )
    counts, edges = (
        _numeric(part, f"np_histogram {name}") for part, name in zip(np_histogram, ("counts", "edges"), strict=True)
    )
    if counts.ndim != 1 or edges.ndim != 1 or len(edges) != len(counts) + 1:
        raise ValueError(
            f"Histogram np_histogram needs 1-D counts and edges with len(edges) == len(counts) + 1;"
            f" got counts of shape {counts.shape} and edges of shape {edges.shape}"
        )
    if len(counts) > MAX_BINS:
        raise ValueError(f"Histogram np_histogram has {len(counts)} bins; at most {MAX_BINS} are accepted")
    if not (np.isfinite(counts).all() and np.isfinite(edges).all()):
        raise ValueError("Histogram np_histogram counts and edges must be finite; got NaN or inf")
    return counts, edges
