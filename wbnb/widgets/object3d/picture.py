"""The picture of an ``Object3DView``: each (run, key)'s points at the step the viewer
chose (else the newest), seen from the page's first view (``projection.py``, the
contract's ``YAW`` / ``PITCH``) as at most ``MAX_DOTS`` coloured dots, far ones first."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..pictures.svg import MUTED, Picture, note, place, text
from ..steprecords import StepRecords
from .contract import PITCH, YAW
from .points import format_of, points_of, shapes_of, thin
from .projection import frame_of, point_colors, project

SIZE = 300  # px: a tile's drawing
HEAD = 40
MAX_DOTS = 3000


def object3d_picture(objects: StepRecords, steps_shown: dict[str, Any]) -> Picture:
    """Every (run, key)'s object as a tile, runs side by side, keys one below the other."""
    body: list[str] = []
    y, width = 0.0, 0.0
    for key in objects.keys_shown():
        entries = [e for e in objects.entries.values() if e.key == key and e.steps]
        for i, e in enumerate(entries):
            chosen = steps_shown.get(str(e.id))
            step = chosen if isinstance(chosen, int) and chosen in e.steps else e.steps[-1]
            tile = _tile(key, objects.runs[e.run].name, step, e.at(step) or {}, points_of(objects, key, e.run, step))
            body.append(place(tile, i * (SIZE + 12), y))
        width = max(width, len(entries) * (SIZE + 12) - 12)
        y += SIZE + HEAD + 12
    return Picture(width, y - 12, "".join(body)) if body else note("No 3-D objects logged yet.")


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
