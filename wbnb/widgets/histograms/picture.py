"""The picture of a ``Histograms``: per (run, key) the steps x bins heatmap of the
widget's default view (rows = steps, newest at the bottom; each cell coloured by its
share of its row's largest bin), from the grid the widget keeps, as one embedded PNG.
A heatmap rather than the ridge view: it shows every kept step and reads the same at
any size. Its layout rules are the page's (``layout.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..pictures.svg import MUTED, Picture, heat_image, note, stack, text
from .layout import BOTTOM, LEFT, heat_label_y, labelled, plot_size, shares, value_ticks

if TYPE_CHECKING:
    from .model import HistogramGrid

TOP = 34  # the key and the run's name above the plot (the page has them as text above its canvas)


def histograms_picture(grid: HistogramGrid, *, width: int = 420, height: int = 220) -> Picture:
    """Every (run, key) of ``grid`` as a heatmap, one below the other."""
    panels = []
    for e in grid.entries.values():
        got = grid.grid(e.run, e.key)
        if got is None or not got[0]:
            continue
        panels.append(_panel(e.key, grid.runs[e.run].name, *got, *plot_size(width, height)))
    return stack(panels, gap=14) if panels else note("No histograms logged yet.")


def _panel(
    key: str, run: str, steps: list[int], counts: np.ndarray, span: tuple[float, float], w: int, h: int
) -> Picture:
    n = len(steps)
    parts = [
        text(4, 14, key, size=13, weight="600", width=LEFT + w - 8),
        text(4, 28, f"{run} · {n} step{'s' if n != 1 else ''}", size=11, fill=MUTED, width=LEFT + w - 8),
        heat_image(shares(counts), LEFT, TOP, w, h),
    ]
    for tick in value_ticks(*span):  # values along the bottom
        x = LEFT + tick["at"] * w
        parts.append(text(x, TOP + h + 13, tick["label"], size=10, fill="#555", anchor=tick["anchor"]))
    parts.append(text(LEFT + w / 2, TOP + h + 26, "value", size=10, fill="#555", anchor="middle"))
    for i in labelled(n, h):  # steps down the left; +3: the baseline of 10 px text centred there
        y = TOP + heat_label_y(i, n, h) + 3
        parts.append(text(LEFT - 4, y, f"step {steps[i]}", size=10, fill="#555", anchor="end"))
    return Picture(LEFT + w + 10, TOP + h + BOTTOM + 4, "".join(parts))
