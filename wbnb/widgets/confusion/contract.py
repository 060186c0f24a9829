"""The ConfusionMatrix's wire shapes (``js/confusion/contract.ts`` is written from here).

The snapshot (``_snapshot``) holds, per (run, key), the steps that have a matrix, the
class names and the matrices of the newest steps that fit the model's budget, as one
float64 buffer (``have``: their steps, in order; each k*k, row-major, rows = true class).
A delta carries each new matrix (one buffer per entry of ``upd``). An older matrix is
asked for with a ``fetch`` and comes back as a ``matrix`` reply with one buffer (none,
and ``k`` 0, when the model has no such step).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..contract import Delta, RunInfo, Snapshot

# How the page shows a matrix: counts, or fractions of each true / predicted class.
NORMALIZE = ("none", "true", "pred")


class MatrixHead(TypedDict):
    """One (run, key) as both a snapshot and a delta name it."""

    id: int  # the series' number, as fetches and ``steps_shown`` name it
    run: int  # index into the snapshot's ``runs``
    key: str
    title: str | None
    class_names: list[str]


class MatrixSeries(MatrixHead):
    """A (run, key) in the snapshot."""

    steps: list[int]  # every step that has a matrix
    k: int  # classes of the newest matrix
    have: list[int]  # the steps whose matrices are in ``data``
    data: memoryview  # len(have) * k * k float64


class Matrices(TypedDict):
    """What the live model holds, as a snapshot carries it (``Feed`` adds ``seq``)."""

    runs: list[RunInfo]
    series: list[MatrixSeries]


class ConfusionSnapshot(Snapshot, Matrices):
    """The ``_snapshot`` trait."""


class MatrixUpdate(MatrixHead):
    """A new matrix in a delta; its k*k float64 are the delta's buffer of the same index."""

    step: int
    k: int


class MatrixUpdates(TypedDict):
    """What the live model says changed (``Feed`` numbers it)."""

    type: Literal["delta"]
    upd: list[MatrixUpdate]


class ConfusionDelta(Delta, MatrixUpdates):
    """A delta as the page gets it."""


class FetchMatrix(TypedDict):
    """The page asks for the matrix of series ``id`` at ``step`` (not in its snapshot)."""

    type: Literal["fetch"]
    req: int
    id: int
    step: int


class MatrixReply(TypedDict):
    """The answer to a ``FetchMatrix``: k*k float64 in its one buffer; ``k`` 0: no such matrix."""

    type: Literal["matrix"]
    req: int
    id: int
    step: int
    k: int


TO_PAGE = (ConfusionDelta, MatrixReply)
FROM_PAGE = (FetchMatrix,)
