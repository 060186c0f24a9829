"""``Curves``: line charts of runs' scalar metrics, live while they are logged.

    import wbnb
    from wbnb.widgets import Curves
    run = wbnb.init(project="demo")
    Curves(run)                         # every scalar, one chart per key, by "prefix/"
    Curves(["demo/abc123", "demo/def456"], keys=["loss", "val/*"], x_axis="wall", log_y=True)

Every key is drawn from one Vega-Lite template (``template.py``): ``curves.chart("loss")``
is it as an altair chart (with the current points) to customise, and
``curves.set_chart("loss", chart)`` makes the widget draw that instead. Data never travels
inside a spec: the front end inserts points into the dataset named ``points`` with Vega
changesets. Each point has ``rid`` (run id), ``run`` (name), ``s`` (step), ``t`` (wall
time), ``r`` (runtime s), ``m`` (step-metric value), ``y`` (value) and ``ys`` (value after
the smoothing the viewer chose).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import traitlets as t
from ipywidgets import widget_serialization

from ...store.base import Store
from ..base import LiveWidget
from ..runs import resolve_runs
from ..vegaloader import VegaLoader
from .contract import KEY_PLACEHOLDER, X_AXES, CurvesSnapshot
from .model import SeriesSet
from .picture import series_picture
from .template import altair_chart, as_spec, template_spec


class Curves(LiveWidget):
    """Line charts of the scalar metrics of one or many runs, updated live.

    ``runs``: a run (``wbnb.init()``'s, ``Api().run()``'s, or ``"project/run_id"``) or a
    list of them; default the current run. ``keys``: names or globs (``"val/*"``);
    default every logged scalar, in sections by ``prefix/``. ``x_axis``: ``"auto"``
    (step, or the ``define_metric`` step metric), ``"step"``, ``"wall"`` or
    ``"relative"``. ``smoothing``: EMA weight in [0, 1). ``live``: keep following runs
    that are still being logged.
    """

    _snapshot = t.Dict().tag(sync=True, ts=CurvesSnapshot)
    _vega = t.Instance(VegaLoader).tag(sync=True, **widget_serialization)
    _spec = t.Dict().tag(sync=True, ts=dict[str, Any])  # Vega-Lite of every key, KEY_PLACEHOLDER for the key
    _custom = t.Dict().tag(sync=True, ts=dict[str, dict[str, Any]])  # key -> spec the user set with set_chart()
    x_axis = t.Enum(X_AXES, default_value="auto").tag(sync=True)
    log_y = t.Bool(False).tag(sync=True)
    smoothing = t.Float(0.0, min=0.0, max=0.999).tag(sync=True)
    chart_width = t.Int(360).tag(sync=True)
    chart_height = t.Int(200).tag(sync=True)
    esm_name = "curves"
    load_budget = 0.5  # a long history never cached (~2 s for 1M steps) is read behind the cell

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        x_axis: str = "auto",
        log_y: bool = False,
        smoothing: float = 0.0,
        live: bool = True,
        max_points: int = 1536,
        width: int = 360,
        height: int = 200,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.series = SeriesSet(resolve_runs(runs, store), keys, max_buckets=max(2, max_points // 3))
        vega = VegaLoader.shared()  # before the history is read: the page starts loading vega meanwhile
        self._charts: dict[str, Any] = {}
        template = template_spec(KEY_PLACEHOLDER, list(self.colors.items()), width=width, height=height)
        super().__init__(
            model=self.series,
            live=live,
            min_interval=min_interval,
            _vega=vega,
            _spec=template,
            x_axis=x_axis,
            log_y=log_y,
            smoothing=smoothing,
            chart_width=width,
            chart_height=height,
            **kwargs,
        )

    def _picture(self) -> Any:
        return series_picture(self.series, self.colors, x_axis=self.x_axis, log_y=self.log_y, smoothing=self.smoothing)

    # -- for Python users --------------------------------------------------------------------

    @property
    def colors(self) -> dict[str, str]:
        """Run id -> the colour of its lines."""
        return self.series.colors

    @property
    def metric_keys(self) -> list[str]:
        """The keys drawn, in display order. (``keys`` is ipywidgets' list of traits.)"""
        return self.series.keys_shown()

    def chart(self, key: str) -> Any:
        """The altair chart drawn for ``key``, with the current (downsampled) points
        inline, to display or customise. Its fields are described in the module doc."""
        if key in self._charts:
            return self._charts[key].properties(data=self.series.frame(key))
        spec = template_spec(key, list(self.colors.items()), width=self.chart_width, height=self.chart_height)
        return altair_chart(spec, self.series.frame(key))

    def set_chart(self, key: str, chart: Any) -> None:
        """Draw ``chart`` (altair chart or Vega-Lite dict) for ``key``; its data is
        replaced by the live ``points`` dataset. ``None`` restores the default."""
        custom = dict(self._custom)
        if chart is None:
            custom.pop(key, None)
            self._charts.pop(key, None)
        else:
            custom[key] = as_spec(chart)
            if not isinstance(chart, dict):
                self._charts[key] = chart
        self._custom = custom
