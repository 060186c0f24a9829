"""The Charts component: every ``wbnb.plot.*`` / ``wbnb.plot_table`` chart a run logged, drawn with Vega.

    from wbnb.widgets import Charts
    run.log({"val/roc": wbnb.plot.roc_curve(y_true, y_probas, labels=["cat", "dog", "bird"])})
    c = Charts(run)           # a grid of charts, a step slider per key, runs overlaid
    c.chart("val/roc")        # the altair chart (AUC per class in the legend) to customise

``contract.py`` (the wire, written as ``js/charts/contract.ts``), ``records.py`` (records
-> the rows a chart draws), ``specs.py`` (the one Vega-Lite per kind), ``model.py``
(``ChartSet``, the live model), ``widget.py`` (``Charts``), ``picture.py`` (its static picture).
"""

from .model import ChartSet
from .widget import Charts

__all__ = ["ChartSet", "Charts"]
