"""Loggable value types: ``Image``, ``Histogram``, ``Table`` and the charts in ``plot``."""

from wbnb.data import plot
from wbnb.data.base import WBValue
from wbnb.data.histogram import Histogram
from wbnb.data.image import Image
from wbnb.data.table import Table

__all__ = ["Histogram", "Image", "Table", "WBValue", "plot"]
