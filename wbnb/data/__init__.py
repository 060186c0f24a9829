"""Loggable value types: ``Image``, ``Histogram``, ``Table``, the charts in ``plot``,
and the media ``Audio``, ``Video``, ``Html``, ``Plotly`` and ``Object3D``.

They need numpy, which costs more to import than the rest of wbnb together, so they are
re-exported lazily: ``wbnb.data.Image`` imports its module on first use.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .base import WBValue

_LAZY = {
    "Audio": ".audio",
    "Classes": ".image",
    "Histogram": ".histogram",
    "Html": ".html",
    "Image": ".image",
    "Object3D": ".object3d",
    "box3d": ".object3d",
    "Plotly": ".plotly",
    "Table": ".table",
    "Video": ".video",
    "plot": ".plot",
}

if TYPE_CHECKING:
    from . import plot
    from .audio import Audio
    from .histogram import Histogram
    from .html import Html
    from .image import Classes, Image
    from .object3d import Object3D, box3d
    from .plotly import Plotly
    from .table import Table
    from .video import Video


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'wbnb.data' has no attribute {name!r}")
    module = import_module(_LAZY[name], __name__)
    return module if name == "plot" else getattr(module, name)


__all__ = [
    "Audio",
    "Classes",
    "Histogram",
    "Html",
    "Image",
    "Object3D",
    "Plotly",
    "Table",
    "Video",
    "WBValue",
    "box3d",
    "plot",
]
