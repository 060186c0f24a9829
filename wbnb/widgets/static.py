"""A static picture of a Curves widget: small multiples as SVG.

A saved notebook opened without a kernel (GitHub, nbviewer, ``nbconvert --to html``)
cannot run the widget's JavaScript; the SVG beside the widget view in the same output
is what those renderers show. Built from the widget's own downsampled points, so it
costs no extra read; every string in it is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import numpy as np

from .downsample import S, Y

if TYPE_CHECKING:
    from .series import SeriesSet

PANEL_W, PANEL_H, PAD = 240, 130, 28


def series_svg(series: "SeriesSet", colors: dict[str, str], columns: int = 3) -> str:
    """Every key of ``series`` as one small line chart (step on x), all runs overlaid."""
    keys = series.keys_shown()
    if not keys:
        return _svg(PANEL_W, 40, '<text x="8" y="24" font-size="12" fill="#666">no metrics logged yet</text>')
    cols = min(columns, len(keys))
    rows = -(-len(keys) // cols)
    panels = [_panel(series, key, colors, (i % cols) * PANEL_W, (i // cols) * PANEL_H) for i, key in enumerate(keys)]
    legend_y = rows * PANEL_H + 14
    legend = "".join(
        f'<text x="{8 + 150 * i}" y="{legend_y}" font-size="11" fill="{colors.get(r.id, "#333")}">'
        f"■ {escape(r.name)}</text>" for i, r in enumerate(series.runs))
    return _svg(cols * PANEL_W, legend_y + 8, "".join(panels) + legend)


def _panel(series: "SeriesSet", key: str, colors: dict[str, str], x0: int, y0: int) -> str:
    parts = [f'<g transform="translate({x0},{y0})">',
             f'<text x="{PAD}" y="14" font-size="12" font-weight="600">{escape(key)}</text>']
    points = [(run, s.buckets.points()) for (run, k), s in series.series.items() if k == key]
    ys = np.concatenate([p[:, Y] for _, p in points]) if points else np.empty(0)
    xs = np.concatenate([p[:, S] for _, p in points]) if points else np.empty(0)
    if len(ys):
        y_lo, y_hi = float(ys.min()), float(ys.max())
        x_lo, x_hi = float(xs.min()), float(xs.max())
        y_span, x_span = (y_hi - y_lo) or 1.0, (x_hi - x_lo) or 1.0
        w, h = PANEL_W - PAD - 8, PANEL_H - 46
        for run, p in points:
            order = np.argsort(p[:, S], kind="stable")
            px = PAD + (p[order, S] - x_lo) / x_span * w
            py = 22 + h - (p[order, Y] - y_lo) / y_span * h
            coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
            color = colors.get(series.runs[run].id, "#4c78a8")
            parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.3" points="{coords}"/>')
        parts.append(f'<text x="2" y="26" font-size="9" fill="#666">{y_hi:.4g}</text>'
                     f'<text x="2" y="{22 + h}" font-size="9" fill="#666">{y_lo:.4g}</text>'
                     f'<text x="{PAD}" y="{PANEL_H - 10}" font-size="9" fill="#666">step {x_lo:.0f}</text>'
                     f'<text x="{PANEL_W - 8}" y="{PANEL_H - 10}" font-size="9" fill="#666" '
                     f'text-anchor="end">{x_hi:.0f}</text>')
    parts.append("</g>")
    return "".join(parts)


def _svg(width: int, height: int, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif">{body}</svg>')
