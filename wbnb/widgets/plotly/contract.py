"""PlotlyView's wire shapes (``js/plotly/contract.ts`` is written from here).

The snapshot and deltas are the step index every step-records component shares
(``widgets/contract.py``: ``StepsSnapshot``, ``StepsDelta``); the page asks for each
figure it shows (``FetchRecord``: a step's list item by item) and gets a ``FigureReply``
whose one buffer is the figure's JSON as logged.
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict

from ..contract import FetchRecord, StepsDelta


class FigureReply(TypedDict):
    """The answer to a ``FetchRecord``: buffer 0 is the figure's JSON (UTF-8); ``found``
    False (and no buffer) when there is no such figure or its file cannot be read."""

    type: Literal["figure"]
    req: int
    id: int
    step: int
    index: int  # the item of the step's list, as asked
    found: bool


TO_PAGE = (StepsDelta, FigureReply)
FROM_PAGE = (FetchRecord,)
