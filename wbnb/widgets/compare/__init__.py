"""``Compare``: any project's runs as parallel coordinates over their config columns and a
summary metric, with each parameter's importance for the metric.

from wbnb.widgets import Compare
c = Compare("mnist", metric="val_acc")   # brush an axis to filter the runs
c.curves()                               # the brushed runs in Curves
"""

from .widget import Compare, ParallelWidget

__all__ = ["Compare", "ParallelWidget"]
