"""The contract of ``Compare`` and of the parallel coordinates every such view shares
(``js/compare/contract.ts`` is written from here; the sweep panel's contract reuses it).

Python owns every rule of the drawing: where a value sits on its axis (linear, log or a
category's slot, ``parallel.py``), the ticks, each line's colour and its values as text,
and the importance of each parameter (``importance.py``). The page draws those positions,
filters the lines by the ranges brushed on the axes, and sends the runs that pass
(``SelectRequest``); Python keeps them in ``selected`` (``curves()`` shows them).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

MAX_AXES = 16  # parameter axes drawn at most (the metric's axis comes last)
MAX_LINES = 2000  # runs drawn at most (the newest)
# The layout the page and the static picture share (px): axes AXIS_GAP apart from MARGIN,
# from PLOT_TOP down PLOT_HEIGHT (a value's ``pos`` 1 at the top).
AXIS_GAP = 120
MARGIN = 70
PLOT_TOP = 34
PLOT_HEIGHT = 200
TICK_WIDTH = 52  # px a tick label may take left of its axis (font size 10)

AxisKind = Literal["num", "cat"]


class Tick(TypedDict):
    """A labelled place on an axis: ``pos`` in [0, 1] from the bottom, ``text`` its label
    as drawn (clipped to ``TICK_WIDTH``), ``full`` the whole label."""

    pos: float
    text: str
    full: str


class Axis(TypedDict):
    """One vertical axis: a parameter (config column) or the metric. ``log``: a log axis
    (the sweep's distribution is log, or the column is positive and spans > 2 decades)."""

    key: str
    label: str
    kind: AxisKind
    log: bool
    ticks: list[Tick]


class Line(TypedDict):
    """One run across the axes: ``pos`` its place on each (null: no value there), ``text``
    its value on each as written, ``color`` from its metric."""

    id: str
    name: str
    state: str
    color: str
    pos: list[float | None]
    text: list[str]


class Importance(TypedDict):
    """A parameter's importance for the metric (random forest, null when not computed)
    and its Pearson correlation with it (null for a categorical or constant column)."""

    key: str
    importance: float | None
    correlation: float | None


class Parallel(TypedDict):
    """Parallel coordinates of runs over parameters and a metric, with the parameters'
    importance; ``method`` names how importance was computed, ``note`` why some is missing."""

    metric: str
    axes: list[Axis]
    lines: list[Line]
    importance: list[Importance]
    method: str
    note: str


class CompareData(TypedDict):
    """The ``_data`` trait of ``Compare``: a project's runs against ``metric`` (one of
    ``metrics``, the numeric summary keys); ``rev`` counts the re-reads that changed it."""

    rev: int
    project: str
    metrics: list[str]
    runs: int
    parallel: Parallel


class SelectRequest(TypedDict):
    """The page's brushing: the runs whose lines pass every brushed range (all of them
    when nothing is brushed is sent as an empty list: no selection)."""

    type: Literal["select"]
    ids: list[str]


FROM_PAGE = (SelectRequest,)
