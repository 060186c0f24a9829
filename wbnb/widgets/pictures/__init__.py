"""Static pictures of the widgets, for notebooks opened without a kernel.

Each displayed widget carries an SVG of what it shows in the same output as its live
view (``show.Pictured``: the bundle, the display id, the redraw at ``finish()``). One
module per picture kind, drawn from the data the widget already holds: ``curves``
(Curves, System), ``table`` (RunTable); ``svg`` holds what they share (text escaping,
stacking, the heat colour scale, embedded PNGs). A component in its own slice keeps its
picture there (``gallery/picture.py``, ``confusion/picture.py``, ``histograms/picture.py``,
``panel/picture.py``, ``header/picture.py``).
"""

from .show import Pictured, live_runs
from .svg import Picture

__all__ = ["Picture", "Pictured", "live_runs"]
