"""The LineageGraph's static picture: the boxes and curves of its ``_graph`` trait, as the
page draws them (the layout is Python's, ``model.py``)."""

from __future__ import annotations

from ..pictures.svg import MUTED, Picture, esc, note, text
from .contract import (
    ARROW,
    ARTIFACT_BORDER,
    ARTIFACT_FILL,
    EDGE_STROKE,
    LINK_STROKE,
    ROOT_BORDER,
    RUN_BORDER,
    RUN_FILL,
    GraphData,
)
from .model import LABEL_SIZE, PAD, SUB_SIZE

HEAD = 22.0  # the line above the graph


def _marker(name: str, colour: str) -> str:
    return (
        f'<defs><marker id="wbnb-lineage-{name}" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="{ARROW}" fill="{colour}"/></marker></defs>'
    )


def lineage_picture(graph: GraphData, zoom: float = 1.0) -> Picture:
    """The graph at ``zoom``, under a line that says what it shows."""
    if not graph["nodes"]:
        return note("wbnb LineageGraph: nothing to show")
    runs = sum(n["kind"] == "run" for n in graph["nodes"])
    head = f"lineage: {runs} runs, {len(graph['nodes']) - runs} artifact versions"
    if graph["truncated"]:
        head += " (cut at the node cap: expand a node to see more)"
    body = [text(4, 15, head, fill=MUTED)]
    inner = [_marker("arrow", EDGE_STROKE), _marker("arrow-link", LINK_STROKE)]
    for e in graph["edges"]:
        link = e["kind"] == "link"
        dash = ' stroke-dasharray="4 3"' if link else ""
        stroke, end = (LINK_STROKE, "arrow-link") if link else (EDGE_STROKE, "arrow")
        inner.append(
            f'<path d="{esc(e["d"])}" fill="none" stroke="{stroke}" stroke-width="1.2"{dash} '
            f'marker-end="url(#wbnb-lineage-{end})"/>'
        )
    for n in graph["nodes"]:
        fill, border = (RUN_FILL, RUN_BORDER) if n["kind"] == "run" else (ARTIFACT_FILL, ARTIFACT_BORDER)
        width = 2 if n["root"] else 1
        inner.append(
            f'<rect x="{n["x"]:.1f}" y="{n["y"]:.1f}" width="{n["w"]:.1f}" height="{n["h"]:.1f}" rx="5" '
            f'fill="{fill}" stroke="{ROOT_BORDER if n["root"] else border}" stroke-width="{width}"/>'
        )
        inner.append(text(n["x"] + PAD, n["y"] + 16, n["label"], size=LABEL_SIZE, weight="600"))
        inner.append(text(n["x"] + PAD, n["y"] + 31, n["sub"], size=SUB_SIZE, fill=MUTED))
        if n["hidden"]:
            inner.append(
                text(n["x"] + n["w"] - PAD, n["y"] + 16, f"+{n['hidden']}", size=SUB_SIZE, fill=MUTED, anchor="end")
            )
    body.append(f'<g transform="translate(0,{HEAD}) scale({zoom:g})">{"".join(inner)}</g>')
    return Picture(max(graph["width"] * zoom, 360), HEAD + graph["height"] * zoom, "".join(body))
