"""Curves: line charts of runs' scalar metrics, live while they are logged (see ``widget.py``)."""

from .widget import Curves

__all__ = ["Curves"]
