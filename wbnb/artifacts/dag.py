"""Where each node of a small directed graph is drawn: layers by longest path, rows by
barycentre, boxes and edge curves in pixels. The one layout of a lineage graph: the
widget's page and its static picture both draw these coordinates as they are.

- An edge that closes a cycle (a run that used the version it logged) is found by a
  depth-first walk in node order and left out of the layering (it is still drawn).
- A node's layer is the length of the longest path reaching it, so every edge points
  right; within a layer, nodes start in the order given and are then sorted by the mean
  row of their neighbours (one sweep right, one back), ties kept in order, so the same
  graph is always drawn the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NODE_W = 180.0
NODE_H = 40.0
COL_GAP = 64.0
ROW_GAP = 16.0
MARGIN = 8.0


@dataclass(frozen=True)
class Box:
    """A node's rectangle (top-left ``x``, ``y``) and its layer."""

    x: float
    y: float
    w: float
    h: float
    layer: int


@dataclass(frozen=True)
class Layout:
    """Boxes by node id, one SVG path (``d``) per edge in the edges' order, and the size."""

    boxes: dict[str, Box]
    paths: list[str]
    width: float
    height: float


def _back_edges(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> set[int]:
    """Indices of the edges that close a cycle in a depth-first walk in node order."""
    out: dict[str, list[tuple[int, str]]] = {n: [] for n in nodes}
    for i, (a, b) in enumerate(edges):
        out[a].append((i, b))
    state: dict[str, int] = {}  # 1: on the walk's path, 2: done
    back: set[int] = set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(out[root]))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            step = next(it, None)
            if step is None:
                state[node] = 2
                stack.pop()
                continue
            i, nxt = step
            if state.get(nxt) == 1:
                back.add(i)
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(out[nxt])))
    return back


def layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Each node's layer: the longest path to it over the edges that close no cycle."""
    back = _back_edges(nodes, edges)
    kept = [e for i, e in enumerate(edges) if i not in back]
    incoming = {n: 0 for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in kept:
        incoming[b] += 1
        out[a].append(b)
    layer = dict.fromkeys(nodes, 0)
    ready = [n for n in nodes if incoming[n] == 0]
    while ready:
        node = ready.pop(0)
        for nxt in out[node]:
            layer[nxt] = max(layer[nxt], layer[node] + 1)
            incoming[nxt] -= 1
            if incoming[nxt] == 0:
                ready.append(nxt)
    return layer


def _sweep(rows: list[list[str]], neighbours: dict[str, list[str]], order: range) -> None:
    """Sort each row of ``order`` by the mean row of its nodes' neighbours in other layers."""
    for k in order:
        pos = {n: i for j, r in enumerate(rows) if j != k for i, n in enumerate(r)}
        rows[k] = [n for _, n in sorted(enumerate(rows[k]), key=lambda item: _centre(item, neighbours, pos))]


def _centre(item: tuple[int, str], neighbours: dict[str, list[str]], pos: dict[str, int]) -> tuple[float, int]:
    i, n = item
    near = [pos[m] for m in neighbours[n] if m in pos]
    return (sum(near) / len(near) if near else float(i), i)


def layout(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> Layout:
    """Boxes for ``nodes`` (in the order given) and a curve per edge (see module doc)."""
    layer = layers(nodes, edges)
    count = max(layer.values(), default=-1) + 1
    rows: list[list[str]] = [[] for _ in range(count)]
    for n in nodes:
        rows[layer[n]].append(n)
    neighbours: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    _sweep(rows, neighbours, range(1, count))
    _sweep(rows, neighbours, range(count - 2, -1, -1))
    tallest = max((len(r) for r in rows), default=0)
    height = 2 * MARGIN + tallest * NODE_H + max(tallest - 1, 0) * ROW_GAP
    boxes: dict[str, Box] = {}
    for k, row in enumerate(rows):
        span = len(row) * NODE_H + max(len(row) - 1, 0) * ROW_GAP
        top = (height - span) / 2  # each layer centred on the tallest
        for i, n in enumerate(row):
            boxes[n] = Box(MARGIN + k * (NODE_W + COL_GAP), top + i * (NODE_H + ROW_GAP), NODE_W, NODE_H, k)
    width = 2 * MARGIN + count * NODE_W + max(count - 1, 0) * COL_GAP
    return Layout(boxes, [_curve(boxes[a], boxes[b]) for a, b in edges], width, height)


def _curve(a: Box, b: Box) -> str:
    """From the right of ``a`` to the left of ``b``; an edge back (a cycle) leaves ``a``'s
    bottom and enters ``b``'s bottom, bowing below them."""
    if b.layer > a.layer:
        x1, y1, x2, y2 = a.x + a.w, a.y + a.h / 2, b.x, b.y + b.h / 2
        mid = (x1 + x2) / 2
        return f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    x1, y1, x2, y2 = a.x + a.w / 2, a.y + a.h, b.x + b.w / 2, b.y + b.h
    low = max(y1, y2) + ROW_GAP
    return f"M{x1:.1f},{y1:.1f} C{x1:.1f},{low:.1f} {x2:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
