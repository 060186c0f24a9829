"""The sweep panel's contract (``js/sweep/contract.ts`` is written from here): its ``_data``
trait, re-read from the sweep's book and its runs while agents run. Brushing the parallel
coordinates sends ``compare.contract.SelectRequest``, as in ``Compare``.

Python computes everything drawn (``model.py``): each trial's row, the best value so far
after each trial, each run's metric per iteration with the Hyperband band it was cut at,
the threshold at each band, and the parallel coordinates (``compare/parallel.py``).
"""

from __future__ import annotations

from typing_extensions import TypedDict

from ..compare.contract import Parallel, SelectRequest

MAX_ITERATIONS = 500  # values of the metric drawn per run at most (evenly picked)
# The charts' layout, the page's and the static picture's (px): the plot area and its corner.
CHART_WIDTH = 420
CHART_HEIGHT = 160
CHART_LEFT = 56
CHART_TOP = 24

FROM_PAGE = (SelectRequest,)


class TrialRow(TypedDict):
    """One trial as the table lists it: ``seq`` from 0, ``params`` one text per parameter
    column, ``value`` the metric (its summary so far while running)."""

    seq: int
    run_id: str
    name: str
    state: str
    params: list[str]
    value: float | None
    value_text: str


class Trace(TypedDict):
    """A trial's run: its metric at each iteration (``x`` from 1), and the band Hyperband
    cut it at (null when it was not stopped)."""

    run_id: str
    name: str
    state: str
    x: list[int]
    y: list[float]
    cut: int | None


class Rung(TypedDict):
    """A Hyperband band (an iteration) and the worst value that survives it."""

    band: int
    threshold: float


class SweepData(TypedDict):
    """The ``_data`` trait: the sweep, its trials in claim order, ``best`` the best value
    after each trial (null before the first value), the Hyperband ``traces`` and ``rungs``
    (empty without early termination). ``rev`` counts the re-reads that changed it."""

    rev: int
    id: str
    project: str
    name: str
    state: str
    method: str
    metric: str
    goal: str
    params: list[str]
    trials: list[TrialRow]
    best: list[float | None]
    traces: list[Trace]
    rungs: list[Rung]
    parallel: Parallel
