"""The LineageGraph's contract (``js/lineage/contract.ts`` is written from here).

Python owns the drawing's geometry: ``model.py`` lays the graph out
(``wbnb/artifacts/dag.py``) and clips its labels, and the ``_graph`` trait carries every
box and edge curve in pixels, so the page (SVG in the cell) and the static picture draw
the same thing. The page zooms (the ``zoom`` trait) and asks to expand a node
(``ExpandRequest``); Python answers by setting ``_graph`` to the grown graph.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

ZOOM_MIN = 0.25
ZOOM_MAX = 4.0
ZOOM_STEP = 1.25  # one button press or wheel notch
# Colours both halves draw with: a box's fill and border by node kind, an edge's stroke by
# edge kind (a registry link is dashed), the start's border.
RUN_FILL = "#eef4fb"
RUN_BORDER = "#5b8bd0"
ARTIFACT_FILL = "#eef8ee"
ARTIFACT_BORDER = "#5aa05a"
EDGE_STROKE = "#888888"
LINK_STROKE = "#b07cc6"
ROOT_BORDER = "#222222"
# The arrowhead at an edge's end (an SVG marker's path in its 8 x 8 box, tip at 8,4).
ARROW = "M0,0 L8,4 L0,8 z"


class GraphNode(TypedDict):
    """A run or artifact version as drawn: its box (top-left ``x``, ``y``, size), two
    lines of text already clipped to the box (``title``: the whole of them, for hover),
    and how many neighbours the graph leaves out (a click on it adds them)."""

    id: str
    kind: Literal["run", "artifact"]
    label: str
    sub: str
    title: str
    x: float
    y: float
    w: float
    h: float
    hidden: int
    root: bool


class GraphEdge(TypedDict):
    """An edge the way data flows and its curve (an SVG path)."""

    src: str
    dst: str
    kind: Literal["input", "output", "link"]
    d: str


class GraphData(TypedDict):
    """The ``_graph`` trait: the laid out graph; ``truncated`` when the walk stopped at
    its node cap, ``rev`` counts the expansions."""

    rev: int
    width: float
    height: float
    truncated: bool
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class ExpandRequest(TypedDict):
    """The page asks for a node's neighbours (a click on a node that has hidden ones)."""

    type: Literal["expand"]
    node: str


FROM_PAGE = (ExpandRequest,)
