"""TableView: a logged ``wbnb.Table`` drawn in the cell.

    from wbnb.widgets import TableView
    TableView(run, "predictions")                      # the last step's table
    TableView(["demo/a", "demo/b"], "predictions")     # stacked under a "run" column
    TableView(["demo/a", "demo/b"], "preds", join="id")  # joined on the "id" column
    TableView(run, "predictions").df                   # what is shown, as pandas

The slice: ``contract.py`` (the wire, written as ``js/tableview/contract.ts``),
``model.py`` (``TableSteps``: the steps each run logged the key at), ``frame.py`` (the
table shown: read back, stacked or joined, encoded as column buffers), ``widget.py``
(``TableView``), ``picture.py`` (the static picture). The front end is ``js/tableview/``.
"""

from .model import TableSteps
from .widget import TableView

__all__ = ["TableSteps", "TableView"]
