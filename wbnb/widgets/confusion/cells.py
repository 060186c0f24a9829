"""What the picture and the page both compute from a matrix: the fractions shown."""

from __future__ import annotations

from typing import Any

import numpy as np

from .contract import NORMALIZE


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
