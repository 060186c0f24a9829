"""The ConfusionMatrix component: heatmaps of the confusion matrices runs logged, through the steps.

    from wbnb.widgets.confusion import ConfusionMatrix, normalize
    run.log({"val/cm": wbnb.plot.confusion_matrix(y_true=y, preds=p, class_names=names)})
    ConfusionMatrix(run, normalize="true")     # rows sum to 100 % (recall per class)
    normalize(counts, "pred")                  # the fractions the widget shows by column

``contract.py`` (what crosses the wire, written as ``js/confusion/contract.ts``),
``model.py`` (``MatrixSet``, the live model), ``widget.py`` (the anywidget class),
``picture.py`` (its static picture), ``cells.py`` and ``layout.py`` (the rules the
picture shares with the page, ``js/confusion/``).
"""

from .cells import normalize
from .model import MatrixSet
from .widget import ConfusionMatrix

__all__ = ["ConfusionMatrix", "MatrixSet", "normalize"]
