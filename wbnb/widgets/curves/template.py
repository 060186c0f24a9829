"""The chart Curves draws for every key: one Vega-Lite template, written here once.

``template_spec`` writes it as a plain dict, so making a Curves imports no altair (2-3 s
on first use in some environments); the altair chart a Python user gets
(``Curves.chart(key)``) is loaded from that dict (``altair_chart``). The page gets it
once with ``KEY_PLACEHOLDER`` for the key (it puts each key in the titles), its data the
live ``POINTS`` dataset it feeds with changesets.
"""

from __future__ import annotations

import copy
from typing import Any

from .contract import POINTS, RAW_LAYER, SMOOTHING


def template_spec(key: str, runs: list[tuple[str, str]], *, width: int = 360, height: int = 200) -> dict[str, Any]:
    """The Vega-Lite of ``key``'s chart (``KEY_PLACEHOLDER``: the template the page fills in
    for every key); ``runs`` is ``[(run_id, color)]``.

    Two line layers over the same points: ``ys``, the values after the smoothing the
    viewer chose, and, only while smoothing (the ``SMOOTHING`` param), the raw values,
    faint (the layer named ``RAW_LAYER``). Kept cheap to draw, since a notebook page may
    hold dozens of them: lines are 1 px unless smoothed (a software rasteriser, a browser
    without a GPU, strokes a dense jagged 1 px line ten times faster than a 1.5 px one);
    one run is one colour, not a colour scale (no per-run grouping); no clipping."""
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
        "encoding": {
            **enc,
            "y": {"field": "y", "scale": {"zero": False}, "title": key, "type": "quantitative"},
        },
        "name": RAW_LAYER,
        "transform": [{"filter": f"{SMOOTHING} > 0"}],
    }
    smooth = {
        "mark": {"type": "line", **line, "strokeWidth": {"expr": f"{SMOOTHING} > 0 ? 1.5 : 1"}},
        "encoding": {**enc, "y": {"field": "ys", "title": key, "type": "quantitative"}},
    }
    return copy.deepcopy(
        {
            "config": {
                "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
                "axis": {"labelFontSize": 10, "titleFontSize": 11, "titleFontWeight": "normal"},
            },
            "layer": [raw, smooth],
            "data": {"name": POINTS},
            "height": height,
            "params": [{"name": SMOOTHING, "value": 0.0}],
            "width": width,
        }
    )


def altair_chart(spec: dict[str, Any], data: Any) -> Any:
    """The altair chart of a Vega-Lite ``spec`` (a layered one, as the template is), with
    ``data`` (a DataFrame) inline instead of the live dataset."""
    import altair as alt

    spec = {k: v for k, v in spec.items() if k not in ("data", "datasets", "$schema")}
    chart = alt.LayerChart.from_dict(spec) if "layer" in spec else alt.Chart.from_dict(spec)
    return chart.properties(data=data)


def as_spec(chart: Any) -> dict[str, Any]:
    """A user's chart (altair, or a Vega-Lite dict) as the page draws it: its data is the
    live ``POINTS`` dataset."""
    spec = copy.deepcopy(chart if isinstance(chart, dict) else chart.to_dict())
    spec.pop("datasets", None)
    spec["data"] = {"name": POINTS}
    return spec
