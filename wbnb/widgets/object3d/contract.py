"""Object3DView's wire shapes (``js/object3d/contract.ts`` is written from here).

The snapshot and deltas are the step index every step-records component shares
(``widgets/contract.py``); the page asks for each object it shows (``FetchRecord``: a
step's list item by item) and gets a ``PointsReply`` whose one buffer holds its points
as float32, ``columns`` wide.
The constants are the rules the page and the picture both draw by (``projection.py``,
``js/object3d/projection.ts``: checked by ``tests/cases/object3d_projection.json``).
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..contract import FetchRecord, StepsDelta

MAX_POINTS = 100_000  # points a reply carries at most (evenly thinned in Python)
YAW = 0.6  # radians about the vertical axis: the first view of a cloud (double-click returns to it)
PITCH = 0.35  # radians about the horizontal axis
POINT_COLOR = "#1f77b4"  # points without a colour or category
# Category colours (Tableau 10), by category number modulo their count.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


BOX_COLOR = "#2ca02c"  # a scene's box or vector that names no colour


class Shape(TypedDict):
    """A box or vector of a ``lidar/beta`` scene as line segments in the points' space:
    ``segments`` are ``[x1, y1, z1, x2, y2, z2]`` (a box's 12 edges, a vector's one);
    ``label`` is written at the first segment's start."""

    segments: list[list[float]]
    color: str
    label: str | None


class PointsReply(TypedDict):
    """The answer to a ``FetchRecord``: buffer 0 holds ``shown`` points as float32 rows of
    ``columns`` (``xyz``, ``xyzc``: + category, ``xyzrgb``: + colour 0..255); ``total`` the
    points stored. A model file with no points wbnb reads (a glTF model without float
    mesh positions, an unreadable file) comes with ``shown`` 0 and its ``format``; no such
    step: ``format`` "" and no buffer. ``shapes``: a scene's boxes and vectors."""

    type: Literal["points"]
    req: int
    id: int
    step: int
    index: int  # the item of the step's list, as asked
    format: str  # npy, obj, gltf, glb; "" when there is no such object
    columns: Literal["xyz", "xyzc", "xyzrgb"]
    total: int
    shown: int
    caption: str | None
    shapes: list[Shape]


TO_PAGE = (StepsDelta, PointsReply)
FROM_PAGE = (FetchRecord,)
