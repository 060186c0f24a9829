"""``LineageGraph``, the anywidget: runs and artifact versions as a DAG drawn in the cell.

Python walks the lineage (``wbnb/artifacts/lineage.py``) and lays it out (``model.py``);
the page draws the ``_graph`` trait as SVG, zooms (wheel or buttons; ``zoom`` syncs both
ways) and sends an ``expand`` request when a node with hidden neighbours is clicked,
which Python answers by setting ``_graph`` to the grown graph.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

from ...artifacts.artifact import Artifact
from ...artifacts.lineage import MAX_NODES, Lineage, lineage, store_run_names
from ...store.base import Store
from ...store.catalog.base import Catalog
from ...store.catalog.records import RunRef, VersionRecord
from ..bundles import bundle
from ..catalog import catalog_of, default_store, logged_version
from ..pictures import Pictured
from ..pictures.svg import Picture
from .contract import ZOOM_MAX, ZOOM_MIN, GraphData
from .model import graph_data
from .picture import lineage_picture


class LineageGraph(Pictured, anywidget.AnyWidget):
    """The lineage of an artifact version or a run, drawn in the cell; click a node
    marked ``+N`` to add its N hidden neighbours.

    ``start``: a ``Lineage``, a logged ``Artifact``, a ``VersionRecord``, a catalog
    ``RunRef``, or a run (``wbnb.Run``, an ``Api`` run: anything with ``project`` and
    ``id``). ``catalog`` / ``store``: where to read (default: the local store's
    catalog). ``depth``: steps from the start; ``max_nodes``: the cap of the walk.
    """

    _graph = t.Dict().tag(sync=True, ts=GraphData)
    zoom = t.Float(1.0).tag(sync=True)

    def __init__(
        self,
        start: Any,
        *,
        catalog: Catalog | None = None,
        store: Store | None = None,
        depth: int = 2,
        max_nodes: int = MAX_NODES,
        zoom: float = 1.0,
        **kwargs: Any,
    ) -> None:
        if isinstance(start, Lineage):
            self.lineage = start
        else:
            if catalog is None:
                store = default_store(store)
                catalog = catalog_of(store)
            self.lineage = lineage(
                catalog, _start(start, catalog), depth, max_nodes=max_nodes, run_names=store_run_names(store)
            )
        if "_esm" not in LineageGraph.__dict__:
            LineageGraph._esm = bundle("lineage")
        self.graph = graph_data(self.lineage)  # what ``_graph`` holds, typed
        super().__init__(_graph=self.graph, zoom=min(max(zoom, ZOOM_MIN), ZOOM_MAX), **kwargs)
        self.on_msg(self._on_request)

    def expand(self, node_id: str) -> None:
        """Add the neighbours of node ``node_id`` (what a click on it does)."""
        self.lineage = self.lineage.expand(node_id)
        self.graph = graph_data(self.lineage, self.graph["rev"] + 1)
        self.set_trait("_graph", self.graph)

    def _on_request(self, _widget: Any, content: Any, _buffers: list[Any]) -> None:
        # From the page: read defensively (a node it names may be gone after a re-walk).
        if isinstance(content, dict) and content.get("type") == "expand" and content.get("node") in self.lineage.nodes:
            self.expand(content["node"])

    def _picture(self) -> Picture:
        return lineage_picture(self.graph, self.zoom)


def _start(start: Any, catalog: Catalog) -> VersionRecord | RunRef:
    if isinstance(start, (VersionRecord, RunRef)):
        return start
    if isinstance(start, Artifact):
        return logged_version(start, catalog)
    if isinstance(getattr(start, "project", None), str) and isinstance(getattr(start, "id", None), str):
        return RunRef(start.project, start.id)
    what = type(start).__name__
    raise TypeError(f"LineageGraph starts from a Lineage, an Artifact, a VersionRecord, a RunRef or a run, not {what}")
