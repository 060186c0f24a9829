"""``Charts``: every chart a run logged through ``wbnb.plot.*`` / ``wbnb.plot_table``, drawn with Vega.

    import wbnb
    from wbnb.widgets import Charts
    run.log({"roc": wbnb.plot.roc_curve(y_true, y_probas, labels=["cat", "dog"])})
    Charts(run)                         # every chart key, a grid, a step slider per key
    Charts(["p/a1", "p/b2"], keys="roc")  # two runs overlaid, each in its colour
    Charts(run).chart("roc")            # the altair chart, to customise and display

Records drawn: ``roc_curve`` / ``pr_curve`` (a curve per class, AUC / average precision in
the legend, ROC's chance diagonal), ``plot`` (line, scatter, bar, histogram over its
table), ``line_series`` and ``custom_chart`` (a spec that is not a wandb preset: a note
naming the spec and its fields over the table's first rows). ``confusion_matrix`` is
``ConfusionMatrix``'s. Each key's Vega-Lite comes from ``specs.py``; the page compiles it
with the shared vega (``VegaLoader``) and puts the chart's rows in its ``table`` dataset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import traitlets as t
from ipywidgets import widget_serialization

from ...store.base import Store
from ..base import LiveWidget
from ..curves.template import altair_chart
from ..pagerequest import read_request
from ..pictures.svg import Picture
from ..runs import resolve_runs
from ..vegaloader import VegaLoader
from .contract import ChartReply, ChartsSnapshot, FetchChart
from .model import ChartSet, decoded
from .picture import charts_picture


class Charts(LiveWidget):
    """The ``wbnb.plot.*`` charts of one or many runs, one per key, with a step slider.

    ``runs``: a run (``wbnb.init()``'s, ``Api().run()``'s, or ``"project/run_id"``) or a
    list of them, overlaid on each key's chart; default the current run. ``keys``: names
    or globs (default every chart key). ``live``: keep following runs still logging.
    """

    esm_name = "charts"

    _snapshot = t.Dict().tag(sync=True, ts=ChartsSnapshot)
    _vega = t.Instance(VegaLoader).tag(sync=True, **widget_serialization)
    steps_shown = t.Dict().tag(sync=True, ts=dict[str, int])  # key -> step chosen; absent: the newest

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        store: Store | None = None,
        live: bool = True,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.charts = ChartSet(resolve_runs(runs, store), keys)
        vega = VegaLoader.shared()  # before the history is read: the page starts loading vega meanwhile
        super().__init__(model=self.charts, live=live, min_interval=min_interval, _vega=vega, **kwargs)

    def _answer(self, request: Mapping[str, Any]) -> tuple[ChartReply, list[bytes]] | None:
        fetch = read_request(FetchChart, request)
        if fetch is None:
            return None
        with self._feed.lock:
            return self.charts.answer(fetch), []

    def _picture(self) -> Picture:
        return charts_picture(self.charts, dict(self.steps_shown))

    # -- for Python users --------------------------------------------------------------------

    @property
    def chart_keys(self) -> list[str]:
        """The keys drawn, in the order first logged. (``keys`` is ipywidgets' list of traits.)"""
        return self.charts.keys_shown()

    def data(self, key: str, step: int | None = None) -> Any:
        """The rows ``key``'s chart draws at ``step`` (default the newest) as a pandas
        DataFrame: ``x``, ``y``, ``s`` (the series' legend label), ``run`` (with several runs), ``i`` (order),
        ``x2`` (a histogram bin's end)."""
        import pandas as pd

        with self._feed.lock:  # no tick changes the model midway
            state = self.charts.chart(key, step)
        if state is None:
            raise KeyError(f"no chart logged under {key!r}; charts: {self.chart_keys}")
        return pd.DataFrame(decoded(state))

    def chart(self, key: str, step: int | None = None) -> Any:
        """The altair chart drawn for ``key`` at ``step`` (default the newest), its rows
        inline (``data``), to display or customise. A ``custom_chart`` whose spec is not a
        wandb preset has none: ``data`` and the record's table are what there is."""
        with self._feed.lock:
            state = self.charts.chart(key, step)
        if state is None:
            raise KeyError(f"no chart logged under {key!r}; charts: {self.chart_keys}")
        if not state["spec"]:
            names = ", ".join(sorted({c["spec_name"] for c in state["custom"]}))
            raise ValueError(f"{key!r} is a custom chart of the spec {names}, which wbnb does not draw")
        return altair_chart(state["spec"], self.data(key, step))
