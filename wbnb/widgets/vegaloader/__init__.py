"""The one hidden model per kernel that carries the charting code (see ``widget.py``)."""

from .widget import VegaLoader

__all__ = ["VegaLoader"]
