"""Static pictures of the widgets, for notebooks opened without a kernel.

Each displayed widget carries an SVG of what it shows in the same output as its live
view (``show.Pictured``: the bundle, the display id, the redraw at ``finish()``), drawn
from the data the widget already holds. Each component keeps its picture in its slice
(``<name>/picture.py``); ``svg`` holds what they share (text escaping, stacking, the heat
colour scale, embedded PNGs).
"""

from .show import Pictured, live_runs
from .svg import Picture

__all__ = ["Picture", "Pictured", "live_runs"]
