"""The Python half of wbnb's anywidget components.

    from wbnb.widgets import Curves
    Curves(run)                      # live line charts of every scalar the run logs

Layout: ``downsample.py`` (min/max/last buckets), ``live.py`` (sources of new rows, the
throttled ``Feed`` and its sequence numbers), ``series.py`` (scalar series as a live
model), ``loader.py`` (bundles and the shared vega loader), one module per component.
Components import altair / pandas / anywidget only when used.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

_LAZY = {
    "Curves": ".curves",
    "VegaLoader": ".loader",
    "Gallery": ".gallery",
    "ConfusionMatrix": ".confusion",
    "Histograms": ".histograms",
    "System": ".system",
    "RunPanel": ".panel",
}

if TYPE_CHECKING:
    from .confusion import ConfusionMatrix
    from .curves import Curves
    from .gallery import Gallery
    from .histograms import Histograms
    from .loader import VegaLoader
    from .panel import RunPanel
    from .system import System


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'wbnb.widgets' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name], __name__), name)


__all__ = ["ConfusionMatrix", "Curves", "Gallery", "Histograms", "RunPanel", "System", "VegaLoader"]
_LAZY["RunTable"] = ".table"
__all__.append("RunTable")
