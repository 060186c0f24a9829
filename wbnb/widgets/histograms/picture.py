"""The picture of a ``Histograms``: per (run, key) the steps x bins heatmap of the
widget's default view (rows = steps, newest at the bottom; each cell coloured by its
share of its row's largest bin), from the grid the widget keeps, as one embedded PNG.
A heatmap rather than the ridge view: it shows every kept step and reads the same at
any size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..pictures.svg import MUTED, Picture, heat_image, note, number, stack, text

if TYPE_CHECKING:
    from .model import HistogramGrid

LEFT, TOP, BOTTOM = 64, 34, 30


def histograms_picture(grid: HistogramGrid, *, width: int = 420, height: int = 220) -> Picture:
    """Every (run, key) of ``grid`` as a heatmap, one below the other."""
    panels = []
    for e in grid.entries.values():
        got = grid.grid(e.run, e.key)
        if got is None or not got[0]:
            continue
        panels.append(_panel(e.key, grid.runs[e.run].name, *got, max(160, width), max(80, height)))
    return stack(panels, gap=14) if panels else note("No histograms logged yet.")


def _panel(
    key: str, run: str, steps: list[int], counts: np.ndarray, span: tuple[float, float], w: int, h: int
) -> Picture:
    peak = counts.max(axis=1, keepdims=True)
    shares = np.divide(counts, peak, out=np.zeros_like(counts, dtype=float), where=peak > 0)
    n = len(steps)
    parts = [
        text(4, 14, key, size=13, weight="600", width=LEFT + w - 8),
        text(4, 28, f"{run} · {n} step{'s' if n != 1 else ''}", size=11, fill=MUTED, width=LEFT + w - 8),
        heat_image(shares, LEFT, TOP, w, h),
    ]
    lo, hi = span
    for t in range(5):  # values along the bottom
        x = LEFT + t / 4 * w
        anchor = "start" if t == 0 else "end" if t == 4 else "middle"
        parts.append(text(x, TOP + h + 13, number(lo + (hi - lo) * t / 4), size=10, fill="#555", anchor=anchor))
    parts.append(text(LEFT + w / 2, TOP + h + 26, "value", size=10, fill="#555", anchor="middle"))
    labels = max(2, min(n, h // 28))
    for t in range(labels if n > 1 else 1):  # steps down the left
        i = round(t * (n - 1) / max(1, labels - 1))
        y = min(TOP + h - 4, TOP + (i + 0.5) * h / n + 3)
        parts.append(text(LEFT - 4, y, f"step {steps[i]}", size=10, fill="#555", anchor="end"))
    return Picture(LEFT + w + 10, TOP + h + BOTTOM + 4, "".join(parts))
