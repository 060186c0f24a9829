"""Static pictures of the widgets, for notebooks opened without a kernel.

Each displayed widget carries an SVG of what it shows in the same output as its live
view (``show.Pictured``: the bundle, the display id, the redraw at ``finish()``), drawn
from the data the widget already holds. A component in its own slice keeps its picture
there (``gallery/picture.py``, ``confusion/picture.py``, ``histograms/picture.py``,
``panel/picture.py``, ``header/picture.py``); ``table`` (RunTable) is still here; ``svg``
holds what they share (text escaping, stacking, the heat colour scale, embedded PNGs).
"""

from .show import Pictured, live_runs
from .svg import Picture

__all__ = ["Picture", "Pictured", "live_runs"]
