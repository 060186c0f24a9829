"""What Charts sends its page, declared once (``js/charts/contract.ts`` is written from here
by ``wbnb/widgets/typescript.py``; the traits are in ``widget.py``).

The ``_snapshot`` trait holds a ``ChartsSnapshot``: the runs with their colours and, per
key, the chart at its newest step (``ChartState``): its Vega-Lite spec (``specs.py``, the
one source: ``Charts.chart(key)`` is the same spec in altair) whose data is the dataset
named ``TABLE``, and that dataset's columns. A live tick sends a ``ChartsDelta`` with the
keys whose newest chart changed. The page asks for a key at an older step with a
``FetchChart``; the kernel answers a ``ChartReply`` (no buffers: the data is JSON).
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

from ..contract import Delta, RunInfo, Snapshot

# The record ``_type``s a Charts draws (``confusion_matrix`` is ConfusionMatrix's).
KINDS = ("roc_curve", "pr_curve", "plot", "line_series", "custom_chart")
# The dataset every spec reads; the page puts a chart's ``data`` columns in it as rows.
TABLE = "table"
# Rows of one run a chart carries at most: larger tables are sampled evenly (ends kept), saying so.
MAX_ROWS = 5000
# Rows of a custom chart's table shown in its fallback.
CUSTOM_ROWS = 12


class ChartsRun(RunInfo):
    """A run as Charts lists it: with its colour."""

    color: str


class LegendItem(TypedDict):
    """One series of a chart as its legend shows it (the spec's colour / dash scales and the picture)."""

    label: str
    color: str
    dash: list[float]  # a stroke dash pattern; [] is solid


class CustomTable(TypedDict):
    """A run's table of a ``custom_chart`` whose spec is not a wandb preset: shown as a note and its first rows."""

    run: str
    spec_name: str
    fields: dict[str, Any]  # the spec's field -> the column it reads
    string_fields: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]  # the first CUSTOM_ROWS rows, cells as text
    total: int  # rows in the table


class ChartState(TypedDict):
    """One key's chart at one step (each run's newest version at or before it)."""

    key: str
    kind: str  # roc, pr, line, scatter, bar, histogram, line_series or custom
    title: str
    steps: list[int]  # every step any run logged the key at
    step: int  # the step drawn
    spec: dict[str, Any]  # Vega-Lite reading the dataset TABLE; {} for a custom chart
    data: dict[str, list[Any]]  # TABLE's columns; those named in ``codes`` hold indices into it
    codes: dict[str, list[str]]  # column -> its distinct texts (series labels, run names), sent once each
    note: str  # what was sampled or left out, else ""
    legend: list[LegendItem]
    custom: list[CustomTable]  # a custom chart's tables, one per run; else []


class ChartsState(TypedDict):
    """What the model's ``snapshot()`` gives (the feed numbers it into a ``ChartsSnapshot``)."""

    runs: list[ChartsRun]
    charts: list[ChartState]


class ChartsSnapshot(Snapshot, ChartsState):
    """The ``_snapshot`` trait."""


class ChartsChanges(TypedDict):
    """What the model's ``delta()`` gives: the keys whose newest chart changed."""

    type: Literal["delta"]
    upd: list[ChartState]


class ChartsDelta(Delta, ChartsChanges):
    """Charts changed since delta ``seq - 1``."""


class FetchChart(TypedDict):
    """The page asks for ``key``'s chart at ``step`` (the step slider)."""

    type: Literal["fetch"]
    req: int
    key: str
    step: int


class ChartReply(TypedDict):
    """The answer to a ``FetchChart``; ``chart`` None: the key is not logged."""

    type: Literal["chart"]
    req: int
    key: str
    step: int
    chart: ChartState | None


TO_PAGE = (ChartsDelta, ChartReply)
FROM_PAGE = (FetchChart,)
