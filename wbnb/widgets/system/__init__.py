"""System: the system metrics of runs, live (see ``widget.py``)."""

from .widget import System, SystemSource, display_key

__all__ = ["System", "SystemSource", "display_key"]
