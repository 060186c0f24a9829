"""The picture of a ``Charts``: each key's chart at the step the viewer chose (else the
newest), three to a row, drawn from the same rows and legend as the page's Vega chart
(``ChartSet.chart``): lines as polylines (ROC's chance diagonal dashed), points as
circles, bars and histogram bins as rects, the legend below with each curve's AUC / AP;
a custom chart as its note and first rows. Text goes through ``pictures/svg.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..pictures.svg import MUTED, Picture, esc, note, number, place, text, thin_line
from .contract import ChartState
from .model import ChartSet, decoded

PANEL_W, PLOT_H, LEFT, TOP = 300, 140, 44, 40
PLOT_W = PANEL_W - LEFT - 12
LEGEND_ROWS = 6
COLUMNS = 3
MAX_POINTS = 1500  # scatter points a panel draws at most


def charts_picture(charts: ChartSet, steps_shown: dict[str, Any]) -> Picture:
    """Every key's chart, ``COLUMNS`` to a row."""
    states = []
    for key in charts.keys_shown():
        chosen = steps_shown.get(key)
        state = charts.chart(key, chosen if isinstance(chosen, int) else None)
        if state is not None:
            states.append(state)
    if not states:
        return note("No plot.* charts logged yet.")
    panels = [panel(s) for s in states]
    body, y = [], 0.0
    for row in range(0, len(panels), COLUMNS):
        line = panels[row : row + COLUMNS]
        for j, p in enumerate(line):
            body.append(place(p, j * PANEL_W, y))
        y += max(p.height for p in line) + 10
    return Picture(min(len(panels), COLUMNS) * PANEL_W, y, "".join(body))


def panel(c: ChartState) -> Picture:
    """One chart: title, key and step, plot, legend."""
    head = f"{c['key']} · step {c['step']}" + (
        f" ({c['steps'].index(c['step']) + 1}/{len(c['steps'])})" if len(c["steps"]) > 1 else ""
    )
    parts = [
        text(6, 15, c["title"], size=13, weight="600", width=PANEL_W - 12),
        text(6, 30, head, size=10, fill=MUTED, width=PANEL_W - 12),
    ]
    if c["kind"] == "custom":
        return _custom(c, parts)
    data = decoded(c)
    n = len(data.get("y", ()))
    if not n:
        parts.append(text(LEFT, TOP + 20, c["note"] or "nothing to draw", size=11, fill=MUTED, width=PLOT_W))
        return Picture(PANEL_W, TOP + 40, "".join(parts))
    nominal = c["kind"] == "bar" or any(isinstance(x, str) for x in data["x"])
    labels: list[str] = list(dict.fromkeys(str(x) for x in data["x"])) if nominal else []
    xs = [float(labels.index(str(x))) for x in data["x"]] if nominal else [float(x) for x in data["x"]]
    x2 = [float(v) for v in data.get("x2", xs)]
    ys = [float(y) for y in data["y"]]
    if c["kind"] in ("roc", "pr"):
        x_lo, x_hi, y_lo, y_hi = 0.0, 1.0, 0.0, 1.0
    else:
        x_lo, x_hi = (
            min(xs) - (0.5 if nominal else 0),
            max(x2 if c["kind"] == "histogram" else xs) + (0.5 if nominal else 0),
        )
        bars = c["kind"] in ("bar", "histogram")
        y_lo, y_hi = (min(0.0, min(ys)) if bars else min(ys)), (max(0.0, max(ys)) if bars else max(ys))

    def px(v: float) -> float:
        return LEFT + (v - x_lo) / ((x_hi - x_lo) or 1.0) * PLOT_W

    def py(v: float) -> float:
        return TOP + PLOT_H - (v - y_lo) / ((y_hi - y_lo) or 1.0) * PLOT_H

    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#ddd"/>')
    if c["kind"] == "roc":
        parts.append(
            f'<line x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(1):.1f}" y2="{py(1):.1f}" '
            'stroke="#999" stroke-dasharray="4 4"/>'
        )
    look = {item["label"]: item for item in c["legend"]}
    series: dict[str, list[int]] = {}
    for i, s in enumerate(data["s"]):
        series.setdefault(str(s), []).append(i)
    group = len(series)
    for g, (label, rows) in enumerate(series.items()):
        item = look.get(label, {"color": "#4c78a8", "dash": []})
        color = esc(item["color"])
        if c["kind"] in ("bar", "histogram"):
            opacity = 0.55 if group > 1 and c["kind"] == "histogram" else 0.9
            for i in rows:
                if c["kind"] == "bar":
                    w = PLOT_W / max(1, len(labels)) * 0.8 / group
                    left = px(xs[i] - 0.4) + g * w
                else:
                    left, w = px(xs[i]), max(0.5, px(x2[i]) - px(xs[i]))
                top, bottom = sorted((py(ys[i]), py(max(0.0, y_lo))))
                parts.append(
                    f'<rect x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" height="{bottom - top:.1f}" '
                    f'fill="{color}" fill-opacity="{opacity}"/>'
                )
        elif c["kind"] == "scatter":
            for i in rows[:: max(1, len(rows) // MAX_POINTS)]:
                parts.append(
                    f'<circle cx="{px(xs[i]):.1f}" cy="{py(ys[i]):.1f}" r="2" fill="{color}" fill-opacity="0.7"/>'
                )
        else:
            order = rows if c["kind"] in ("roc", "pr") or nominal else sorted(rows, key=lambda i: xs[i])
            dash = f' stroke-dasharray="{" ".join(f"{d:g}" for d in item["dash"])}"' if item["dash"] else ""
            lx, ly = np.array([px(xs[i]) for i in order]), np.array([py(ys[i]) for i in order])
            if c["kind"] in ("line", "line_series") and not nominal:  # long lines: each pixel column's extremes
                lx, ly = thin_line(lx, ly, PLOT_W)
            coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(lx.tolist(), ly.tolist()))
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5"{dash} points="{coords}"/>')
    bottom_y = TOP + PLOT_H
    x_left = labels[0] if nominal else number(x_lo)
    x_right = labels[-1] if nominal else number(x_hi)
    parts += [
        text(LEFT - 4, TOP + 8, number(y_hi), size=9, fill=MUTED, anchor="end"),
        text(LEFT - 4, bottom_y, number(y_lo), size=9, fill=MUTED, anchor="end"),
        text(LEFT, bottom_y + 12, x_left, size=9, fill=MUTED, width=PLOT_W / 3),
        text(LEFT + PLOT_W, bottom_y + 12, x_right, size=9, fill=MUTED, anchor="end", width=PLOT_W / 3),
        text(
            LEFT + PLOT_W / 2,
            bottom_y + 24,
            _axis_title(c, "x"),
            size=10,
            fill="#444",
            anchor="middle",
            width=PLOT_W * 0.6,
        ),
        text(
            12,
            TOP + PLOT_H / 2,
            _axis_title(c, "y"),
            size=10,
            fill="#444",
            anchor="middle",
            width=PLOT_H,
            extra=f' transform="rotate(-90 12 {TOP + PLOT_H / 2:.1f})"',
        ),
    ]
    y = bottom_y + 42
    legend = c["legend"] if len(c["legend"]) > 1 or c["kind"] in ("roc", "pr") else []
    for item in legend[:LEGEND_ROWS]:
        parts.append(f'<line x1="8" y1="{y - 4}" x2="26" y2="{y - 4}" stroke="{esc(item["color"])}" stroke-width="2"/>')
        parts.append(text(32, y, item["label"], size=11, width=PANEL_W - 40))
        y += 15
    if len(legend) > LEGEND_ROWS:
        parts.append(text(32, y, f"+{len(legend) - LEGEND_ROWS} more", size=10, fill=MUTED))
        y += 15
    if c["note"]:
        parts.append(text(6, y, c["note"], size=10, fill=MUTED, width=PANEL_W - 12))
        y += 15
    return Picture(PANEL_W, y, "".join(parts))


def _axis_title(c: ChartState, axis: str) -> str:
    enc: dict[str, Any] = c["spec"]["layer"][-1]["encoding"]  # the data's layer (ROC's chance line is first)
    return str(enc[axis].get("title") or axis)


def _custom(c: ChartState, parts: list[str]) -> Picture:
    y = TOP + 8
    for t in c["custom"]:
        fields = ", ".join(f"{k} → {v}" for k, v in t["fields"].items())
        parts.append(
            text(6, y, f"{t['run']}: custom chart “{t['spec_name']}” (not drawn here)", size=11, width=PANEL_W - 12)
        )
        parts.append(text(6, y + 14, f"fields: {fields}", size=10, fill=MUTED, width=PANEL_W - 12))
        y += 30
        parts.append(text(6, y, " | ".join(t["columns"]), size=10, weight="600", width=PANEL_W - 12))
        for row in t["rows"][:5]:
            y += 13
            parts.append(text(6, y, " | ".join(str(v) for v in row), size=10, width=PANEL_W - 12))
        y += 20
    return Picture(PANEL_W, y, "".join(parts))
