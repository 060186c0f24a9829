"""Where a matrix's parts go: the cell size from the widget's ``size`` and the k classes, the
class labels (thinned out, turned, shortened to fit), whether the cells hold their text.
The page lays out the same (``js/confusion/layout.ts``, measuring text on its canvas where
the picture estimates it); ``tests/cases/confusion_layout.json`` holds both to the same
answers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .cells import cell_text

Measure = Callable[[str, float], float]  # the width in px of a text in a font of so many px

MIN_SIZE = 120  # px: the smallest matrix drawn, however small ``size`` is
MAX_LABEL = 120  # px: the widest class label (rows) or turned label (columns)


@dataclass
class Layout:
    """A matrix's layout, in px from the top left of its drawing."""

    k: int
    size: float  # the matrix's side
    cell: float  # a cell's side
    label: int  # the class labels' font size
    gutter: int  # the width of the row labels
    turned: bool  # the column labels are turned 45°
    left: float  # the matrix's left edge
    top: float  # the matrix's top edge
    width: float
    height: float
    font: int  # the cells' font size
    numbers: bool  # the cells hold their text
    outline: bool  # the diagonal is outlined
    rows: list[tuple[int, str]]  # the row labels drawn: class index, text
    cols: list[tuple[int, str]]  # the column labels drawn


def layout(k: int, size: float, names: Sequence[str], largest: float, mode: str, measure: Measure) -> Layout:
    """The layout of a k x k matrix drawn ``size`` px wide with class ``names`` (their
    indices when there are not k of them), whose largest shown value is ``largest``."""
    side = max(MIN_SIZE, size)
    cell = side / k
    label = max(7, min(12, math.floor(cell * 0.8)))
    shown = list(names) if len(names) == k else [str(i) for i in range(k)]
    widest = max((measure(n, label) for n in shown), default=0.0)
    gutter = min(MAX_LABEL, math.ceil(widest))
    turned = widest > cell - 2  # column labels turn when they do not fit a cell
    every = max(1, math.ceil((label + 2) / cell))  # thinned out: one label per ``every`` classes
    left = gutter + 26
    top = (min(MAX_LABEL, math.ceil(widest * 0.75)) + label if turned else label + 4) + 22
    width = left + side + 8 + (math.ceil(min(MAX_LABEL, widest) * 0.72) if turned else 0)  # turned labels lean right
    font = max(8, min(14, math.floor(cell / 3.2)))
    sample = measure(cell_text(largest if mode == "none" else 1.0, mode), font)  # the widest cell text
    return Layout(
        k=k,
        size=side,
        cell=cell,
        label=label,
        gutter=gutter,
        turned=turned,
        left=left,
        top=top,
        width=width,
        height=top + side + 8,
        font=font,
        numbers=sample < cell - 3 and cell >= 14,
        outline=cell >= 6,
        rows=[(i, fit(shown[i], gutter, label, measure)) for i in range(0, k, every)],
        cols=[(i, fit(shown[i], MAX_LABEL, label, measure) if turned else shown[i]) for i in range(0, k, every)],
    )


def fit(text: str, width: float, px: float, measure: Measure) -> str:
    """``text``, shortened with "…" to at most ``width`` px wide in a font of ``px`` px."""
    if measure(text, px) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) >> 1
        if measure(text[:mid] + "…", px) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"
