"""``SweepPanel``: a sweep's trials, live while its agents run (what ``%wbnb sweep ID`` shows).

from wbnb.widgets import SweepPanel
panel = SweepPanel("abcd1234", project="mnist")   # which parameter matters? brush an axis
panel.curves()                                    # the brushed runs in Curves
"""

from .widget import SweepPanel

__all__ = ["SweepPanel"]
