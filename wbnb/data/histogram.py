"""``Histogram``: bin edges and counts, computed once when the value is made."""

from __future__ import annotations

from typing import Any

import numpy as np

from wbnb.data.base import MediaSink, WBValue
from wbnb.data.image import to_numpy

MAX_BINS = 512


class Histogram(WBValue):
    """A histogram of a sequence (NaN/inf dropped) or a precomputed ``np.histogram`` result.

    ``bins`` holds the edges and ``histogram`` the counts (one fewer than the edges).
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
            values = _numeric(sequence, "sequence").ravel().astype(np.float64)
            counts, edges = np.histogram(values[np.isfinite(values)], bins=int(num_bins))
        self.histogram: list[float] = counts.tolist()
        self.bins: list[float] = edges.tolist()

    def to_json(self, sink: MediaSink) -> dict[str, Any]:
        """Return the histogram record (no files are written)."""
        return {"_type": self._type, "bins": self.bins, "values": self.histogram}


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
