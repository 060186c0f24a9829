"""The Histograms' wire shapes (``js/histograms/contract.ts`` is written from here).

Each (run, key) is a grid (``model.py``): rows are steps, columns ``bins`` equal bins
over ``[lo, hi]``. Python rebins; the page draws the counts it gets. The snapshot
carries every grid whole, its counts as one float64 buffer (``data``: ``len(steps) x
bins``, row-major). A delta's entries carry the rows from ``start`` on, their counts in
the delta's buffer of the same index; they replace the page's rows from ``start`` on
(0: the whole grid, when the range grew or the rows thinned out). The page sends no
messages: its one choice, the view, is a trait.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..contract import Delta, RunInfo, Snapshot

# How the page draws a grid: a steps x bins heatmap, or one ridge curve per step.
VIEWS = ("heatmap", "ridge")


class GridRows(TypedDict):
    """A (run, key)'s grid from row ``start`` on, as a snapshot and a delta name it."""

    id: int  # the grid's number
    run: int  # index into the snapshot's ``runs``
    key: str
    lo: float  # the value range the bins divide evenly
    hi: float
    bins: int
    steps: list[int]  # the step of each row from ``start`` on
    start: int


class GridSeries(GridRows):
    """A grid in the snapshot (whole: ``start`` is 0)."""

    data: memoryview  # len(steps) * bins float64


class Grids(TypedDict):
    """What the live model holds, as a snapshot carries it (``Feed`` adds ``seq``)."""

    runs: list[RunInfo]
    series: list[GridSeries]


class HistogramsSnapshot(Snapshot, Grids):
    """The ``_snapshot`` trait."""


class GridUpdates(TypedDict):
    """What the live model says changed (``Feed`` numbers it); each entry's counts are the
    delta's buffer of the same index."""

    type: Literal["delta"]
    upd: list[GridRows]


class HistogramsDelta(Delta, GridUpdates):
    """A delta as the page gets it."""


TO_PAGE = (HistogramsDelta,)
