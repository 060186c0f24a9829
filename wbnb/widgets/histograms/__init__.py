"""The Histograms component: histograms logged over many steps (weights, gradients), as a
steps x bins heatmap or a ridge plot per run and key.

    from wbnb.widgets.histograms import Histograms
    run.log({"grad/fc1": wbnb.Histogram(tensor)})       # or a tensor/array: same record
    Histograms(run, keys="grad/*", view="ridge")
    steps, counts, (lo, hi) = Histograms(run).grid("grad/fc1")   # what is drawn

``model.py`` (``HistogramGrid``, the live model, and ``rebin``), ``widget.py`` (the
anywidget class), ``picture.py`` (its static picture).
"""

from .model import HistogramGrid, rebin
from .widget import Histograms

__all__ = ["HistogramGrid", "Histograms", "rebin"]
