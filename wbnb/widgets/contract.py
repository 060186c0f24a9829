"""The wire shapes every component shares (``js/lib/contract.ts`` is written from here by
``typescript.py``). A component's own snapshot and delta extend ``Snapshot`` and ``Delta``."""

from __future__ import annotations

from typing import Literal

from typing_extensions import NotRequired, TypedDict


class RunInfo(TypedDict):
    """A run a widget shows, as its snapshot lists it."""

    id: str
    name: str
    project: NotRequired[str]


class ClassMark(TypedDict):
    """One class an image's masks or boxes name, in the colour they are painted in
    (``imageoverlay.legend``)."""

    id: int
    name: str
    color: str  # "#rrggbb"


class Snapshot(TypedDict):
    """The whole state of a live model, in the ``_snapshot`` trait (``live.Feed`` numbers it)."""

    seq: int
    # True in the placeholder a widget shows while a long history is read on a thread
    loading: NotRequired[bool]


class Delta(TypedDict):
    """What changed since message ``seq - 1`` (a custom message; arrays in its buffers)."""

    type: Literal["delta"]
    seq: int


class RecordSteps(TypedDict):
    """One (run, key) of a component that draws the records logged per step (PlotlyView,
    Object3DView, ``widgets/steprecords.py``): the steps that have some, ascending, and how
    many items each step logged (a list under one key: its items side by side)."""

    id: int  # the series' number, as fetches and ``steps_shown`` name it
    run: int  # index into the snapshot's ``runs``
    key: str
    steps: list[int]
    counts: list[int]  # items logged at ``steps[i]`` (1: one record; n: a list of n)


class StepsState(TypedDict):
    """What ``StepRecords.snapshot()`` makes (the feed numbers it)."""

    runs: list[RunInfo]
    series: list[RecordSteps]


class StepsSnapshot(Snapshot, StepsState):
    """The ``_snapshot`` trait of a step-records component: the step index only (the
    records' bytes are fetched)."""


class StepsChange(TypedDict):
    """What ``StepRecords.delta()`` makes: each (run, key) that gained steps, whole."""

    type: Literal["delta"]
    upd: list[RecordSteps]


class StepsDelta(Delta, StepsChange):
    """New steps (custom message): each entry of ``upd`` replaces the page's (run, key)."""


class FetchRecord(TypedDict):
    """The page asks for item ``index`` of the records series ``id`` logged at ``step``
    (its bytes come back as the reply's one buffer)."""

    type: Literal["fetch"]
    req: int
    id: int
    step: int
    index: int  # 0 .. counts[i] - 1 (the position in the logged list)
