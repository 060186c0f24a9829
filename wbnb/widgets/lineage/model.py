"""A ``Lineage`` as the ``_graph`` trait: laid out by ``artifacts/dag.py``, its text
clipped to the boxes, so the page and the picture only draw."""

from __future__ import annotations

from ...artifacts.dag import layout
from ...artifacts.lineage import Lineage, Node
from ..pictures.svg import clip
from .contract import GraphData, GraphEdge, GraphNode

LABEL_SIZE = 12.0
SUB_SIZE = 10.0
PAD = 8.0  # text inset in a box


def _sub(node: Node) -> str:
    if node.version is not None:
        v = node.version
        aliases = [a for a in v.aliases if a != "latest"] + (["latest"] if "latest" in v.aliases else [])
        return " · ".join([v.type, *aliases]) if aliases else v.type
    assert node.run is not None
    return f"run · {node.run.project}/{node.run.run_id}"


def graph_data(graph: Lineage, rev: int = 0) -> GraphData:
    """The trait value of ``graph`` (see ``contract.GraphData``)."""
    ids = list(graph.nodes)
    lay = layout(ids, [(e.src, e.dst) for e in graph.edges])
    nodes: list[GraphNode] = []
    for node_id, node in graph.nodes.items():
        box = lay.boxes[node_id]
        sub = _sub(node)
        room = box.w - 2 * PAD - (24 if node.hidden else 0)  # the "+N" badge's room
        nodes.append(
            {
                "id": node_id,
                "kind": node.kind,
                "label": clip(node.label, room, LABEL_SIZE),
                "sub": clip(sub, room, SUB_SIZE),
                "title": f"{node.label}\n{sub}",
                "x": box.x,
                "y": box.y,
                "w": box.w,
                "h": box.h,
                "hidden": node.hidden,
                "root": node_id == graph.root,
            }
        )
    edges: list[GraphEdge] = [
        {"src": e.src, "dst": e.dst, "kind": e.kind, "d": d} for e, d in zip(graph.edges, lay.paths)
    ]
    return {
        "rev": rev,
        "width": lay.width,
        "height": lay.height,
        "truncated": graph.truncated,
        "nodes": nodes,
        "edges": edges,
    }
