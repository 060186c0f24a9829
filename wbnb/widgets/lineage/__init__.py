"""``LineageGraph``: runs and artifact versions as a DAG in the cell (zoom, click to expand).

from wbnb.widgets import LineageGraph
LineageGraph(artifact.lineage(depth=3))     # or LineageGraph(run), LineageGraph(version, catalog=c)
"""

from .widget import LineageGraph

__all__ = ["LineageGraph"]
