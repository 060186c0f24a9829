"""The rules a histogram's static picture (``picture.py``) shares with the page's heatmap
(``js/histograms/layout.ts``): the plot's size, each bin's shade, the value axis, and
which steps are labelled where. ``tests/cases/histograms_layout.json`` holds both halves
to the same results.
"""

from __future__ import annotations

import math
from typing import Literal, TypedDict

import numpy as np

from ..pictures.svg import number

LEFT = 64  # px left of the plot: room for "step 12345"
BOTTOM = 30  # px under it: the value ticks and the axis title
TICKS = 5  # value ticks, at both ends and evenly between
LABEL_SPACING = 28  # px down the plot per step label, at least


class Tick(TypedDict):
    """A value tick: where (a fraction of the plot's width), what it says, how it aligns."""

    at: float
    label: str
    anchor: Literal["start", "middle", "end"]


def plot_size(width: int, height: int) -> tuple[int, int]:
    """The plot's (width, height) for the widget's ``chart_width`` / ``chart_height``."""
    return max(160, width), max(80, height)


def shares(counts: np.ndarray) -> np.ndarray:
    """Each bin's share of its row's largest bin (rows x bins; a row of zeros stays 0):
    the heatmap's shade, the ridge curve's height."""
    counts = np.asarray(counts, dtype=float)
    peak = counts.max(axis=-1, keepdims=True)
    return np.divide(counts, peak, out=np.zeros_like(counts), where=peak > 0)


def value_ticks(lo: float, hi: float) -> list[Tick]:
    """The ticks along the value axis of a grid over ``[lo, hi]``."""
    out: list[Tick] = []
    for t in range(TICKS):
        anchor: Literal["start", "middle", "end"] = "start" if t == 0 else "end" if t == TICKS - 1 else "middle"
        at = t / (TICKS - 1)
        out.append({"at": at, "label": number(lo + (hi - lo) * at), "anchor": anchor})
    return out


def labelled(count: int, height: float) -> list[int]:
    """Which of ``count`` rows (top to bottom) get a step label on a plot ``height`` px
    tall: the first, the last and evenly between, one per ``LABEL_SPACING`` px."""
    labels = max(2, min(count, math.floor(height / LABEL_SPACING)))
    # floor(x + 0.5): the page's Math.round (Python's round() takes a half to even)
    rows = (math.floor(t * (count - 1) / max(1, labels - 1) + 0.5) for t in range(labels))
    return list(dict.fromkeys(rows)) if count else []


def heat_label_y(row: int, rows: int, height: float) -> float:
    """Where down the heatmap (px from its top) row ``row`` of ``rows`` has its step
    label: the row's middle, kept 4 px above the bottom."""
    return min(height - 4, (row + 0.5) * height / rows)
