"""``Histograms``: histograms logged over many steps (weights, gradients) as one picture.

    from wbnb.widgets import Histograms
    run.log({"grad/fc1": wbnb.Histogram(tensor)})       # or a tensor/array: same record
    Histograms(run)                                     # every histogram key, steps x bins
    Histograms(run, keys="grad/*", view="ridge")

``model.py`` keeps the grids (steps x bins per run and key), ``js/histograms/`` draws
them, ``picture.py`` draws them for a saved notebook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import traitlets as t

from ...store.base import Store
from ..base import LiveWidget
from ..pictures.svg import Picture
from ..runs import resolve_runs
from .contract import VIEWS, HistogramsSnapshot
from .model import HistogramGrid
from .picture import histograms_picture


class Histograms(LiveWidget):
    """Histograms over steps of one or many runs: a heatmap (rows = steps, columns =
    value bins, colour = each bin's share of its row's largest) or a ridge plot.

    ``runs``, ``keys`` as in ``Curves``. ``bins``: columns of the grid; ``max_rows``: step
    rows kept (older ones are thinned evenly); ``view``: ``"heatmap"`` or ``"ridge"``.
    """

    esm_name = "histograms"

    _snapshot = t.Dict().tag(sync=True, ts=HistogramsSnapshot)
    view = t.Enum(VIEWS, default_value="heatmap").tag(sync=True)
    chart_width = t.Int(420).tag(sync=True)
    chart_height = t.Int(220).tag(sync=True)

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        bins: int = 64,
        max_rows: int = 256,
        view: str = "heatmap",
        width: int = 420,
        height: int = 220,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.histograms = HistogramGrid(resolve_runs(runs, store), keys, bins=bins, max_rows=max_rows)
        super().__init__(
            model=self.histograms,
            live=live,
            min_interval=min_interval,
            view=view,
            chart_width=width,
            chart_height=height,
            **kwargs,
        )

    def grid(self, key: str, run: int = 0) -> tuple[list[int], np.ndarray, tuple[float, float]] | None:
        """What is drawn for ``key``: ``(steps, counts [rows x bins], (lo, hi))``."""
        return self.histograms.grid(run, key)

    def _picture(self) -> Picture:
        return histograms_picture(self.histograms, width=self.chart_width, height=self.chart_height)
