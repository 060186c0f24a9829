"""The picture of a ``PlotlyView``: each (run, key)'s figures at the step the viewer chose
(else the newest; a list's items side by side, ``steptiles.py``), each a tile with the
figure's title, its line and scatter traces drawn roughly as polylines and dots (other
traces are listed by name only), and a legend of the trace names. Every string from the
figure is escaped text (``pictures/svg.py``).
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from ..pictures.svg import MUTED, Picture, text
from ..steprecords import StepEntry, StepRecords
from ..steptiles import item_label, step_tiles
from .figures import figure_of

WIDTH, PLOT_H = 360, 180
COLORS = ("#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A", "#19d3f3", "#FF6692", "#B6E880")  # plotly's
MAX_DRAWN = 400  # points per trace in the picture


def plotly_picture(figures: StepRecords, steps_shown: dict[str, Any]) -> Picture:
    """Every (run, key)'s figures as tiles, runs side by side, keys one below the other."""

    def tile(e: StepEntry, step: int, index: int, count: int) -> Picture:
        run = figures.runs[e.run].name + item_label(index, count)
        return _tile(e.key, run, step, figure_of(figures, e.key, e.run, step, index))

    return step_tiles(figures, steps_shown, tile, "No plotly figures logged yet.")


def _tile(key: str, run: str, step: int, fig: dict[str, Any] | None) -> Picture:
    parts = [
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{{H}}" fill="none" stroke="#ddd" rx="4"/>',
        text(8, 16, key, size=13, weight="600", width=WIDTH - 16),
        text(8, 32, f"{run}  ·  step {step}  ·  plotly", size=11, fill=MUTED, width=WIDTH - 16),
    ]
    y = 40.0
    if fig is None:
        parts.append(text(8, y + 16, "the figure's file cannot be read", fill=MUTED))
        return _close(parts, y + 28)
    layout = fig.get("layout")
    layout = layout if isinstance(layout, dict) else {}
    title = _title(layout)
    if title:
        parts.append(text(WIDTH / 2, y + 14, title, size=13, anchor="middle", width=WIDTH - 16))
        y += 22
    data = fig.get("data")
    traces = [t for t in data if isinstance(t, dict)] if isinstance(data, list) else []
    drawn = [(i, xy) for i, tr in enumerate(traces) if (xy := _xy(tr)) is not None]
    if drawn:
        parts.append(_plot(drawn, 8, y + 4, WIDTH - 16, PLOT_H))
        y += PLOT_H + 12
    for i, tr in enumerate(traces[:8]):
        name = str(tr.get("name") or f"trace {i}")
        kind = str(tr.get("type") or "scatter")
        parts.append(f'<rect x="10" y="{y + 3:.1f}" width="10" height="10" fill="{COLORS[i % len(COLORS)]}"/>')
        parts.append(text(26, y + 12, f"{name}  ({kind})", size=11, width=WIDTH - 36))
        y += 16
    if len(traces) > 8:
        parts.append(text(10, y + 12, f"… {len(traces) - 8} more traces", size=11, fill=MUTED))
        y += 16
    if not traces:
        parts.append(text(8, y + 14, "no traces", fill=MUTED))
        y += 18
    return _close(parts, y + 8)


def _close(parts: list[str], height: float) -> Picture:
    parts[0] = parts[0].replace("{H}", f"{height - 1:.0f}")
    return Picture(WIDTH, height, "".join(parts))


def _title(layout: dict[str, Any]) -> str:
    title = layout.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return "" if title is None else str(title)


def _array(v: Any) -> np.ndarray | None:
    """A trace's data array as numbers: a list, or plotly's typed-array form (dtype + base64 bdata)."""
    if isinstance(v, dict) and "bdata" in v and "dtype" in v:
        try:
            return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(str(v["dtype"]))).astype(float).ravel()
        except (TypeError, ValueError):  # no dtype numpy reads, or one of text (any client may log any figure)
            return None
    if isinstance(v, list) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        return np.asarray(v, dtype=float)
    return None


def _xy(trace: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, str] | None:
    """The (x, y, mode) of a scatter trace with numeric y, else None (plotly's default
    mode: lines and markers up to 20 points, else lines)."""
    if trace.get("type", "scatter") not in ("scatter", "scattergl"):
        return None
    y = _array(trace.get("y"))
    if y is None:
        return None
    x = _array(trace.get("x"))
    if x is None or len(x) != len(y):
        x = np.arange(len(y), dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if not len(y):
        return None
    if len(y) > MAX_DRAWN:
        pick = np.linspace(0, len(y) - 1, MAX_DRAWN).round().astype(int)
        x, y = x[pick], y[pick]
    return x, y, str(trace.get("mode") or ("lines" if len(y) > 20 else "lines+markers"))


def _plot(drawn: list[tuple[int, tuple[np.ndarray, np.ndarray, str]]], x0: float, y0: float, w: float, h: float) -> str:
    """The drawn traces in one box, scaled together (no axes: a picture of the shape)."""
    xs = np.concatenate([xy[0] for _, xy in drawn])
    ys = np.concatenate([xy[1] for _, xy in drawn])
    lo_x, hi_x, lo_y, hi_y = xs.min(), xs.max(), ys.min(), ys.max()
    sx = w / (hi_x - lo_x) if hi_x > lo_x else 0.0
    sy = h / (hi_y - lo_y) if hi_y > lo_y else 0.0
    out = [f'<rect x="{x0}" y="{y0:.1f}" width="{w}" height="{h}" fill="#fafafa" stroke="#eee"/>']
    for i, (x, y, mode) in drawn:
        px = x0 + (x - lo_x) * sx if sx else np.full(len(x), x0 + w / 2)
        py = y0 + h - (y - lo_y) * sy if sy else np.full(len(y), y0 + h / 2)
        color = COLORS[i % len(COLORS)]
        if "lines" in mode and len(px) > 1:
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
            out.append(f'<polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        if "markers" in mode or "lines" not in mode:
            out.extend(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="2" fill="{color}"/>' for a, b in zip(px, py))
    return "".join(out)
