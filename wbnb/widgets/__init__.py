"""The Python half of wbnb's anywidget components.

    from wbnb.widgets import Curves
    Curves(run)                      # live line charts of every scalar the run logs

Layout (ARCHITECTURE.md, "Widgets"): one package per component, mirrored by ``js/<name>/``;
what they share beside them: ``base.py`` (``LiveWidget``), ``runs.py`` (the runs a widget
shows), ``keys.py`` (the keys it shows), ``sources.py`` (their new rows), ``feed.py`` (the throttled ``Feed`` and its
sequence numbers), ``contract.py`` (the wire shapes
every component shares), ``typescript.py`` (writes the contracts as TypeScript),
``bundles.py`` (the built front ends), ``pictures/`` (static pictures).
Components import altair / pandas / anywidget only when used.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "Curves": ".curves",
    "Charts": ".charts",
    "VegaLoader": ".vegaloader",
    "Gallery": ".gallery",
    "MediaView": ".mediaview",
    "ConfusionMatrix": ".confusion",
    "Histograms": ".histograms",
    "System": ".system",
    "RunPanel": ".panel",
    "RunTable": ".table",
    "ArtifactBrowser": ".artifacts",
    "LineageGraph": ".lineage",
    "Compare": ".compare",
    "SweepPanel": ".sweep",
    "PlotlyView": ".plotly",
    "Object3DView": ".object3d",
    "TableView": ".tableview",
}

if TYPE_CHECKING:
    from .artifacts import ArtifactBrowser
    from .charts import Charts
    from .compare import Compare
    from .confusion import ConfusionMatrix
    from .curves import Curves
    from .gallery import Gallery
    from .histograms import Histograms
    from .lineage import LineageGraph
    from .mediaview import MediaView
    from .object3d import Object3DView
    from .panel import RunPanel
    from .plotly import PlotlyView
    from .sweep import SweepPanel
    from .system import System
    from .table import RunTable
    from .tableview import TableView
    from .vegaloader import VegaLoader


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'wbnb.widgets' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name], __name__), name)


__all__ = [
    "ArtifactBrowser",
    "Charts",
    "Compare",
    "ConfusionMatrix",
    "Curves",
    "Gallery",
    "Histograms",
    "LineageGraph",
    "MediaView",
    "Object3DView",
    "PlotlyView",
    "RunPanel",
    "RunTable",
    "SweepPanel",
    "System",
    "TableView",
    "VegaLoader",
]
