"""The picture of an ``Object3DView``: each (run, key)'s objects at the step the viewer
chose (else the newest; a list's items side by side, ``steptiles.py``), seen from the
page's first view (``projection.py``, the contract's ``YAW`` / ``PITCH``) as at most
``MAX_DOTS`` coloured dots, far ones first."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..pictures.svg import MUTED, Picture, text
from ..steprecords import StepEntry, StepRecords
from ..steptiles import item_label, step_tiles
from .contract import PITCH, YAW
from .points import format_of, points_of, shapes_of, thin
from .projection import frame_of, point_colors, project

SIZE = 300  # px: a tile's drawing
HEAD = 40
MAX_DOTS = 3000


def object3d_picture(objects: StepRecords, steps_shown: dict[str, Any]) -> Picture:
    """Every (run, key)'s objects as tiles, runs side by side, keys one below the other."""

    def tile(e: StepEntry, step: int, index: int, count: int) -> Picture:
        run = objects.runs[e.run].name + item_label(index, count)
        return _tile(e.key, run, step, e.item(step, index) or {}, points_of(objects, e.key, e.run, step, index))

    return step_tiles(objects, steps_shown, tile, "No 3-D objects logged yet.")


def _tile(key: str, run: str, step: int, record: dict[str, Any], points: np.ndarray | None) -> Picture:
    parts = [
        f'<rect x="0.5" y="0.5" width="{SIZE - 1}" height="{SIZE + HEAD - 1}" fill="none" stroke="#ddd" rx="4"/>',
        text(8, 16, key, size=13, weight="600", width=SIZE - 16),
        text(8, 32, f"{run}  ·  step {step}", size=11, fill=MUTED, width=SIZE - 16),
    ]
    if points is None or not len(points):
        fmt = format_of(record) or "?"
        message = f"3-D model ({fmt}): no points to draw"
        parts.append(text(SIZE / 2, HEAD + SIZE / 2, message, fill=MUTED, anchor="middle"))
    else:
        shown = thin(points, MAX_DOTS)
        sx, sy, depth = project(shown, YAW, PITCH, 1.0, SIZE, SIZE)
        colors = point_colors(shown)
        for i in np.argsort(depth, kind="stable"):
            r, g, b = colors[i]
            parts.append(f'<circle cx="{sx[i]:.1f}" cy="{HEAD + sy[i]:.1f}" r="1.6" fill="rgb({r},{g},{b})"/>')
        frame = frame_of(shown)
        for shape in shapes_of(record):  # a scene's boxes and vectors, over the points as on the canvas
            ends = np.asarray(shape["segments"], dtype=float).reshape(-1, 3)
            x, y, _ = project(ends, YAW, PITCH, 1.0, SIZE, SIZE, frame)
            for k in range(0, len(x), 2):
                parts.append(
                    f'<line x1="{x[k]:.1f}" y1="{HEAD + y[k]:.1f}" x2="{x[k + 1]:.1f}" y2="{HEAD + y[k + 1]:.1f}"'
                    f' stroke="{shape["color"]}" stroke-width="1.5"/>'
                )
            if shape["label"]:
                parts.append(text(x[0] + 2, HEAD + y[0] - 3, shape["label"], size=10, fill=shape["color"]))
        caption = record.get("caption")
        if caption:
            parts.append(text(8, HEAD + SIZE - 8, caption, size=11, fill=MUTED, width=SIZE - 16))
    return Picture(SIZE, SIZE + HEAD, "".join(parts))
