"""``Curves``: line charts of runs' scalar metrics, live while they are logged.

    import wbnb
    from wbnb.widgets import Curves
    run = wbnb.init(project="demo")
    Curves(run)                         # every scalar, one chart per key, by "prefix/"
    Curves(["demo/abc123", "demo/def456"], keys=["loss", "val/*"], x_axis="wall", log_y=True)

The specs are Vega-Lite made with altair: ``curves.chart("loss")`` is an altair chart
(with the current points) to customise, and ``curves.set_chart("loss", chart)`` makes the
widget draw it instead. Data never travels inside a spec: the front end inserts points
into the dataset named ``points`` with Vega changesets. Each point has ``rid`` (run id),
``run`` (name), ``s`` (step), ``t`` (wall time), ``r`` (runtime s), ``m`` (step-metric
value), ``y`` (value) and ``ys`` (value after the smoothing the viewer chose).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import traitlets as t
from ipywidgets import widget_serialization

from ...store.base import Store
from ..base import LiveWidget
from ..runs import RunRef, resolve_runs
from ..sources import make_sources
from ..vegaloader import VegaLoader
from .model import SeriesSet

# Tableau 10: distinct, readable on white and dark backgrounds.
PALETTE = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac")
X_AXES = ("auto", "step", "wall", "relative")
KEY_PLACEHOLDER = "__wbnb_key__"


RAW_LAYER = "wbnb_raw"  # the name of the faint raw-values layer (the front end drops it while not smoothing)


def chart_for(key: str, runs: list[tuple[str, str]], *, width: int = 360, height: int = 200, data: Any = None) -> Any:
    """The altair chart Curves draws for ``key``; ``runs`` is ``[(run_id, color)]``.

    Two line layers over the same points: ``ys``, the values after the smoothing the
    viewer chose, and, only while smoothing (the ``smoothing`` param), the raw values,
    faint (the layer named ``RAW_LAYER``). Kept cheap to draw, since a notebook page may
    hold dozens of them: lines are 1 px unless smoothed (a software rasteriser, a browser
    without a GPU, strokes a dense jagged 1 px line ten times faster than a 1.5 px one);
    one run is one colour, not a colour scale (no per-run grouping); no clipping."""
    import altair as alt

    source = alt.NamedData(name="points") if data is None else data
    base = alt.Chart(source).encode(x=alt.X("s:Q", title="Step", axis=alt.Axis(tickCount=5, grid=False)))
    line: dict[str, Any] = {}
    if len(runs) == 1:
        line["color"] = runs[0][1]
    else:
        base = base.encode(
            color=alt.Color(
                "rid:N", scale=alt.Scale(domain=[r for r, _ in runs], range=[c for _, c in runs]), legend=None
            )
        )
    raw = (
        base.transform_filter("smoothing > 0")
        .mark_line(strokeWidth=1, opacity=0.25, **line)
        .encode(y=alt.Y("y:Q", title=key, scale=alt.Scale(zero=False)))
        .properties(name=RAW_LAYER)
    )
    smooth = base.mark_line(strokeWidth=alt.ExprRef(expr="smoothing > 0 ? 1.5 : 1"), **line).encode(
        y=alt.Y("ys:Q", title=key)
    )
    return (
        alt.layer(raw, smooth)
        .add_params(alt.param(name="smoothing", value=0.0))
        .properties(width=width, height=height)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=10, titleFontSize=11, titleFontWeight="normal")
    )


def template_spec(key: str, runs: list[tuple[str, str]], *, width: int = 360, height: int = 200) -> dict[str, Any]:
    """``chart_for(...)``'s Vega-Lite as a plain dict with the live ``points`` dataset,
    written out so that making a Curves does not import altair (2-3 s on first use in
    some environments); ``test_series`` checks the two stay the same."""
    x = {"axis": {"grid": False, "tickCount": 5}, "field": "s", "title": "Step", "type": "quantitative"}
    enc: dict[str, Any] = {"x": x}
    line: dict[str, Any] = {}
    if len(runs) == 1:
        line["color"] = runs[0][1]
    else:
        enc["color"] = {
            "field": "rid",
            "legend": None,
            "type": "nominal",
            "scale": {"domain": [r for r, _ in runs], "range": [c for _, c in runs]},
        }
    raw = {
        "mark": {"type": "line", **line, "opacity": 0.25, "strokeWidth": 1},
        "encoding": {**enc, "y": {"field": "y", "scale": {"zero": False}, "title": key, "type": "quantitative"}},
        "name": RAW_LAYER,
        "transform": [{"filter": "smoothing > 0"}],
    }
    smooth = {
        "mark": {"type": "line", **line, "strokeWidth": {"expr": "smoothing > 0 ? 1.5 : 1"}},
        "encoding": {**enc, "y": {"field": "ys", "title": key, "type": "quantitative"}},
    }
    return copy.deepcopy(
        {
            "config": {
                "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
                "axis": {"labelFontSize": 10, "titleFontSize": 11, "titleFontWeight": "normal"},
            },
            "layer": [raw, smooth],
            "data": {"name": "points"},
            "height": height,
            "params": [{"name": "smoothing", "value": 0.0}],
            "width": width,
        }
    )


def _as_spec(chart: Any) -> dict[str, Any]:
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    spec = copy.deepcopy(spec)
    spec.pop("datasets", None)
    spec["data"] = {"name": "points"}  # the front end feeds this dataset
    return spec


class Curves(LiveWidget):
    """Line charts of the scalar metrics of one or many runs, updated live.

    ``runs``: a run (``wbnb.init()``'s, ``Api().run()``'s, or ``"project/run_id"``) or a
    list of them; default the current run. ``keys``: names or globs (``"val/*"``);
    default every logged scalar, in sections by ``prefix/``. ``x_axis``: ``"auto"``
    (step, or the ``define_metric`` step metric), ``"step"``, ``"wall"`` or
    ``"relative"``. ``smoothing``: EMA weight in [0, 1). ``live``: keep following runs
    that are still being logged.
    """

    _vega = t.Instance(VegaLoader).tag(sync=True, **widget_serialization)
    _spec = t.Dict().tag(sync=True)  # template for every key; KEY_PLACEHOLDER marks the key
    _custom = t.Dict().tag(sync=True)  # key -> spec the user set with set_chart()
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
        if isinstance(keys, str):
            keys = [keys]
        refs = resolve_runs(runs, store)
        vega = VegaLoader.shared()  # first: the page starts loading vega while the history is read
        self._charts: dict[str, Any] = {}
        self.series = SeriesSet(refs, keys, max_buckets=max(2, max_points // 3))
        self.colors = {r.id: PALETTE[i % len(PALETTE)] for i, r in enumerate(refs)}
        template = template_spec(KEY_PLACEHOLDER, list(self.colors.items()), width=width, height=height)
        super().__init__(
            model=self.series,
            sources=self._sources(refs),
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

    def _sources(self, refs: list[RunRef]) -> list[Any]:
        """Where new rows come from: each run's history (``System`` reads its system stream)."""
        return make_sources(refs)

    # -- live protocol --------------------------------------------------------------------

    def _for_page(self, snapshot: dict[str, Any]) -> dict[str, Any]:
        for run in snapshot["runs"]:
            run["color"] = self.colors[run["id"]]
        return snapshot

    def _picture(self) -> Any:
        from .picture import series_picture

        return series_picture(self.series, self.colors, x_axis=self.x_axis, log_y=self.log_y, smoothing=self.smoothing)

    # -- for Python users --------------------------------------------------------------------

    @property
    def metric_keys(self) -> list[str]:
        """The keys drawn, in display order. (``keys`` is ipywidgets' list of traits.)"""
        return self.series.keys_shown()

    def chart(self, key: str) -> Any:
        """The altair chart drawn for ``key``, with the current (downsampled) points
        inline, to display or customise. Its fields are described in the module doc."""
        if key in self._charts:
            return self._charts[key].properties(data=self.series.frame(key))
        return chart_for(
            key,
            list(self.colors.items()),
            width=self.chart_width,
            height=self.chart_height,
            data=self.series.frame(key),
        )

    def set_chart(self, key: str, chart: Any) -> None:
        """Draw ``chart`` (altair chart or Vega-Lite dict) for ``key``; its data is
        replaced by the live ``points`` dataset. ``None`` restores the default."""
        custom = dict(self._custom)
        if chart is None:
            custom.pop(key, None)
            self._charts.pop(key, None)
        else:
            custom[key] = _as_spec(chart)
            if not isinstance(chart, dict):
                self._charts[key] = chart
        self._custom = custom
