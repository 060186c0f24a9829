"""The Vega-Lite of every chart Charts draws, written here once (as Curves' ``template.py``).

``spec(drawn)`` is a plain dict (making a Charts imports no altair); its data is the
dataset named ``TABLE``, whose rows have the fields ``records.py`` gives every kind
(``x``, ``y``, ``s``: the series' legend label, ``run``, ``i``: the point's order, ``x2``:
a histogram bin's end). The page compiles it and fills ``TABLE``; ``Charts.chart(key)``
loads the same dict into altair with the rows inline (Curves' ``template.altair_chart``).

Colours: the series' own (``LegendItem``: one per class / series / run), through a colour
scale whose domain is the legend labels, so the legend reads e.g. "cat (AUC 0.93)"; with
several runs each series takes its run's colour and its own dash (one legend: colour and
dash scales share the field).
"""

from __future__ import annotations

from typing import Any

from .contract import TABLE
from .records import Drawn

WIDTH, HEIGHT = 360, 220
CHANCE = "#999"


def spec(d: Drawn, *, width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any]:
    """The Vega-Lite of a drawn chart ({} for a custom chart: the page shows its table)."""
    if d.kind == "custom":
        return {}
    title: dict[str, Any] = {"text": d.title, "anchor": "start", "fontSize": 13, "fontWeight": 600}
    if d.notes:
        title["subtitle"] = "; ".join(d.notes)
    return {
        "title": title,
        "width": width,
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},  # the width is the panel's; legends add height
        "data": {"name": TABLE},
        "config": {
            "view": {"stroke": None},
            "axis": {"labelFontSize": 10, "titleFontSize": 11, "titleFontWeight": "normal"},
            "legend": {"labelFontSize": 11, "labelLimit": 260, "symbolType": "stroke"},
        },
        "layer": _layers(d),  # one or more: altair loads every spec as a LayerChart
    }


def _color(d: Drawn, dashes: bool) -> dict[str, Any]:
    labels = [item["label"] for item in d.legend]
    scale = {"domain": labels, "range": [item["color"] for item in d.legend]}
    legend: dict[str, Any] | None = {"title": None, "orient": "bottom", "columns": 2}
    if len(labels) == 1 and d.kind not in ("roc", "pr"):  # a curve's legend holds its AUC / AP
        legend = None
    enc: dict[str, Any] = {"color": {"field": "s", "type": "nominal", "scale": scale, "legend": legend}}
    if dashes and any(item["dash"] for item in d.legend):
        dash_scale = {"domain": labels, "range": [item["dash"] or [1, 0] for item in d.legend]}
        enc["strokeDash"] = {"field": "s", "type": "nominal", "scale": dash_scale, "legend": legend}
    return enc


def _tooltip(d: Drawn, x2: bool = False) -> list[dict[str, Any]]:
    x_type = "nominal" if d.x_nominal else "quantitative"
    tips = [{"field": "s", "type": "nominal", "title": "series"}]
    if "run" in d.cols:
        tips.append({"field": "run", "type": "nominal", "title": "run"})
    tips.append({"field": "x", "type": x_type, "title": d.x_title})
    if x2:
        tips.append({"field": "x2", "type": "quantitative", "title": "to"})
    return [*tips, {"field": "y", "type": "quantitative", "title": d.y_title}]


def _layers(d: Drawn) -> list[dict[str, Any]]:
    x_type = "nominal" if d.x_nominal else "quantitative"
    x: dict[str, Any] = {"field": "x", "type": x_type, "title": d.x_title}
    y: dict[str, Any] = {"field": "y", "type": "quantitative", "title": d.y_title}
    if d.kind in ("roc", "pr"):
        unit = {"domain": [0, 1]}
        line = {
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": {**x, "scale": unit},
                "y": {**y, "scale": unit},
                "order": {"field": "i", "type": "quantitative"},
                "detail": {"field": "s", "type": "nominal"},
                "tooltip": _tooltip(d),
                **_color(d, dashes=True),
            },
        }
        if d.kind == "pr":
            return [line]
        chance = {
            "data": {"values": [{"x": 0, "y": 0}, {"x": 1, "y": 1}]},
            "mark": {"type": "line", "color": CHANCE, "strokeDash": [4, 4], "strokeWidth": 1},
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
        }
        return [chance, line]
    if d.kind in ("line", "line_series"):
        if not d.x_nominal:
            x["scale"] = {"zero": False}
        enc: dict[str, Any] = {
            "x": x,
            "y": {**y, "scale": {"zero": False}},
            "detail": {"field": "s", "type": "nominal"},
        }
        if not d.x_nominal:
            enc["order"] = {"field": "x", "type": "quantitative"}
        return [
            {
                "mark": {"type": "line", "strokeWidth": 1.5},
                "encoding": {**enc, **_color(d, True), "tooltip": _tooltip(d)},
            }
        ]
    if d.kind == "scatter":
        enc = {"x": {**x, "scale": {"zero": False}}, "y": {**y, "scale": {"zero": False}}}
        return [
            {
                "mark": {"type": "point", "filled": True, "size": 18, "opacity": 0.7},
                "encoding": {**enc, **_color(d, False), "tooltip": _tooltip(d)},
            }
        ]
    if d.kind == "histogram":
        several = len(d.legend) > 1
        return [
            {
                "mark": {"type": "bar", "opacity": 0.55 if several else 0.9, "binSpacing": 0},
                "encoding": {
                    "x": {**x, "bin": {"binned": True}},
                    "x2": {"field": "x2"},
                    "y": {**y, "stack": None},
                    **_color(d, False),
                    "tooltip": _tooltip(d, x2=True),
                },
            }
        ]
    # bar: one bar per row; several runs side by side within a label
    enc = {"x": {**x, "sort": None}, "y": y, **_color(d, False), "tooltip": _tooltip(d)}
    if len(d.legend) > 1:
        enc["xOffset"] = {"field": "s", "type": "nominal", "scale": {"domain": [i["label"] for i in d.legend]}}
    return [{"mark": {"type": "bar"}, "encoding": enc}]
