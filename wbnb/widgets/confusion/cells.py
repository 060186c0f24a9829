"""What a cell shows: the matrix as counts or fractions, its shade on the heat scale and its
text. The page computes the same (``js/confusion/cells.ts``);
``tests/cases/confusion_cells.json`` holds both to the same answers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from ..pictures.svg import number
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


def shade(shown: np.ndarray, mode: str) -> np.ndarray:
    """Where each value of a shown matrix sits on the heat scale, in [0, 1]: counts against
    the largest, fractions as they are."""
    return shown / (float(shown.max(initial=0.0)) or 1.0) if mode == "none" else shown


def cell_text(v: float, mode: str) -> str:
    """A cell's text: the count (whole counts in full), or the fraction as a percentage
    rounded as the page's ``toFixed(1)`` does (a tie rounds up: 6.25 -> 6.3)."""
    if mode == "none":
        return str(int(v)) if float(v).is_integer() else number(v)
    return f"{Decimal(v * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
