"""``ConfusionMatrix``: the confusion matrices runs logged, as heatmaps, through the steps.

    from wbnb.widgets import ConfusionMatrix
    run.log({"val/cm": wbnb.plot.confusion_matrix(y_true=y, preds=p, class_names=names)})
    ConfusionMatrix(run)                       # every confusion-matrix key, latest step
    ConfusionMatrix(run, normalize="true")     # rows sum to 100 % (recall per class)

Records are ``{"_type": "confusion_matrix", "class_names", "matrix" (rows = true
class), "title"}``; ``model.py`` keeps them, ``js/confusion/`` draws them, ``picture.py``
draws them for a saved notebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..pagerequest import read_request
from ..pictures.svg import Picture
from ..runs import resolve_runs
from .cells import normalize
from .contract import NORMALIZE, ConfusionSnapshot, FetchMatrix, MatrixReply
from .model import MatrixSet
from .picture import confusion_picture


class ConfusionMatrix(LiveWidget):
    """Heatmaps of the confusion matrices of one or many runs, with a step slider.

    ``runs``: a run, ``"project/run_id"`` or a list (default the current run); ``keys``:
    keys or globs (default every confusion-matrix key). ``normalize``: ``"none"``
    (counts), ``"true"`` (each true class sums to 100 %) or ``"pred"`` (each predicted
    class sums to 100 %). ``size``: the heatmap's side in px. Hover shows the count and
    both percentages; with many classes labels thin out and column labels turn.
    """

    esm_name = "confusion"

    _snapshot = t.Dict().tag(sync=True, ts=ConfusionSnapshot)
    normalize = t.Enum(NORMALIZE, default_value="none").tag(sync=True)
    size = t.Int(420).tag(sync=True)
    steps_shown = t.Dict().tag(sync=True, ts=dict[str, int])  # series id (str) -> step chosen; absent: latest

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        normalize: str = "none",
        size: int = 420,
        live: bool = True,
        store: Store | None = None,
        budget: int = 100_000,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.matrices = MatrixSet(resolve_runs(runs, store), keys, budget=budget)
        super().__init__(
            model=self.matrices,
            live=live,
            min_interval=min_interval,
            normalize=normalize,
            size=size,
            **kwargs,
        )

    def _answer(self, request: Mapping[str, Any]) -> tuple[MatrixReply, list[bytes]] | None:
        fetch = read_request(FetchMatrix, request)
        return None if fetch is None else self.matrices.answer(fetch)

    def matrix(self, key: str, run: int = 0, step: int | None = None, by: str = "none") -> np.ndarray | None:
        """The counts of ``key`` (run number ``run``, ``step`` or the latest), or the
        fractions the widget shows when normalised ``by`` ``"true"`` / ``"pred"``."""
        m = self.matrices.matrix(run, key, step)
        return None if m is None else normalize(m, by)

    def _picture(self) -> Picture:
        return confusion_picture(
            self.matrices, normalize=self.normalize, size=self.size, steps_shown=dict(self.steps_shown)
        )
