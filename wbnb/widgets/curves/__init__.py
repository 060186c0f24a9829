"""Curves: line charts of runs' scalar metrics, live while they are logged.

    from wbnb.widgets import Curves
    curves = Curves(run, keys=["loss", "val/*"], x_axis="wall", log_y=True)
    curves.chart("loss")               # the altair chart of a key, to customise
    curves.set_chart("loss", chart)    # draw that instead

The slice: ``contract.py`` (what crosses the wire, written as ``js/curves/contract.ts``),
``model.py`` (``SeriesSet``, the live model; ``downsample.py``, its buckets),
``template.py`` (the Vega-Lite every key is drawn from), ``widget.py`` (the anywidget
class), ``picture.py`` (the static picture); the page is ``js/curves/``.
"""

from .model import SeriesSet
from .template import template_spec
from .widget import Curves

__all__ = ["Curves", "SeriesSet", "template_spec"]
