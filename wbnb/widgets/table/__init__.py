"""The run table: every run of a project in a sortable, filterable table.

    from wbnb.widgets import RunTable
    table = RunTable("mnist", filter="summary.val_acc > 0.8 and config.lr < 1e-3", sort="-summary.val_acc")
    table                              # click headers to sort, type a filter, choose columns
    table.selected                     # run ids of the rows selected in the browser
    table.curves()                     # a Curves of the selected runs, following the selection

``model.py`` reads the runs into columns, ``widget.py`` is the anywidget, ``picture.py`` its
static picture, ``contract.py`` the shapes of its traits (mirrored by ``js/table/``).
"""

from .model import columnar, run_row
from .widget import RunTable

__all__ = ["RunTable", "columnar", "run_row"]
