"""What Curves sends its page, declared once (``js/curves/contract.ts`` is written from here
by ``wbnb/widgets/typescript.py``; the traits are in ``widget.py``).

The ``_snapshot`` trait holds a ``CurvesSnapshot``: the runs with their line colours and,
per (run, key), a series of downsampled points. A live tick sends a ``CurvesDelta`` (a
custom message) with one binary buffer per entry of ``upd``: the points of buckets
``first..`` of that series, which replace the ones the page has from that bucket on
(``first == 0``: the series anew, e.g. after a re-bucketing). Points travel as float64
rows of ``WIRE_FIELDS``, row-major. The page sends no messages: its controls (x-axis, log
scale, smoothing) set traits.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..contract import Delta, RunInfo, Snapshot

# A point on the wire: bucket, step, wall time (s since the epoch), runtime (s), the value
# of the key's step metric (NaN if none) and the value. The page names its fields so too.
WIRE_FIELDS = ("b", "s", "t", "r", "m", "y")
# The x-axis choices (the ``x_axis`` trait): "auto" is the step, or the key's step metric.
X_AXES = ("auto", "step", "wall", "relative")
# The chart template (``template.py``) is one Vega-Lite spec for every key: this string
# stands for the key, the page feeds the dataset named POINTS, the ``SMOOTHING`` param is
# the EMA weight, and the faint raw-values layer is named RAW_LAYER (the page drops it
# while not smoothing).
KEY_PLACEHOLDER = "__wbnb_key__"
POINTS = "points"
SMOOTHING = "smoothing"
RAW_LAYER = "wbnb_raw"
# The title of the section of keys without a "prefix/".
UNSECTIONED = "Charts"


class CurvesRun(RunInfo):
    """A run as Curves lists it: with the colour of its lines."""

    color: str


class SeriesInfo(TypedDict):
    """One series: the points of one key of one run (``run``: its index in ``runs``)."""

    id: int
    run: int
    key: str
    step_metric: str | None  # the key's define_metric step metric: what "auto" draws it against
    width: int  # points per bucket
    count: int  # points logged


class SeriesData(SeriesInfo):
    """A series in a snapshot, with all its points."""

    data: memoryview


class SeriesUpdate(SeriesInfo):
    """A series in a delta; its points (buckets ``first..``) are the delta's buffer of the same index."""

    first: int


class CurvesState(TypedDict):
    """What the model's ``snapshot()`` gives (the feed numbers it into a ``CurvesSnapshot``)."""

    runs: list[CurvesRun]
    series: list[SeriesData]


class CurvesSnapshot(Snapshot, CurvesState):
    """The ``_snapshot`` trait."""


class CurvesChanges(TypedDict):
    """What the model's ``delta()`` gives (the feed numbers it into a ``CurvesDelta``)."""

    type: Literal["delta"]
    upd: list[SeriesUpdate]


class CurvesDelta(Delta, CurvesChanges):
    """New points since delta ``seq - 1``."""


TO_PAGE = (CurvesDelta,)
