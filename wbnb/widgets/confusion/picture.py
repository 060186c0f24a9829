"""The picture of a ``ConfusionMatrix``: each (run, key)'s matrix at the step the viewer
chose (else the newest), laid out like the canvas view (``js/confusion/index.ts``):
true classes down the left, predicted across the top, counts (or percentages) in cells
big enough to hold them, class labels thinned out and turned when they do not fit.

Up to ``RECT_CLASSES`` classes each cell is a ``<rect>``; above, the cells are one
embedded PNG (100 classes would be 10k elements, ~1 MB; as an image ~10 kB).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..pictures.svg import MUTED, Picture, clip, heat_color, heat_image, note, stack, text
from .cells import normalize

if TYPE_CHECKING:
    from .model import MatrixSet

RECT_CLASSES = 24


def confusion_picture(
    matrices: MatrixSet, *, normalize: str = "none", size: int = 420, steps_shown: dict[str, Any] | None = None
) -> Picture:
    """Every (run, key) of ``matrices`` as a heatmap, one below the other."""
    panels = [_panel(matrices, e, normalize, size, steps_shown or {}) for e in matrices.entries.values() if e.steps]
    return stack(panels, gap=14) if panels else note("No confusion matrices logged yet.")


def _cell_text(v: float, mode: str) -> str:
    if mode == "none":
        return str(int(v)) if float(v).is_integer() else f"{v:.4g}"
    return f"{v * 100:.1f}%"


def _panel(matrices: MatrixSet, e: Any, mode: str, size: int, steps_shown: dict[str, Any]) -> Picture:
    chosen = steps_shown.get(str(e.id))
    step = chosen if isinstance(chosen, int) and chosen in e.steps else e.steps[-1]
    m = normalize(matrices.matrix(e.run, e.key, step), mode)
    k = m.shape[0]
    size = max(120, size)
    scale = (float(m.max()) or 1.0) if mode == "none" else 1.0
    cell = size / k
    label_px = max(7, min(12, math.floor(cell * 0.8)))
    names = e.names if len(e.names) == k else [str(i) for i in range(k)]
    widest = max((len(n) for n in names), default=1) * label_px * 0.58
    label_w = min(120.0, math.ceil(widest))
    turned = widest > cell - 2  # column labels turn when they do not fit a cell
    every = max(1, math.ceil((label_px + 2) / cell))  # one label per `every` classes
    left = label_w + 26
    head = 40  # key and step lines
    top = head + (min(120, math.ceil(widest * 0.75)) + label_px if turned else label_px + 4) + 22
    width = left + size + 8 + (math.ceil(min(120, widest) * 0.72) if turned else 0)
    sub = " · ".join(x for x in (matrices.runs[e.run].name, e.title) if x)
    parts = [
        text(4, 14, e.key, size=13, weight="600", width=width - 8),
        text(
            4,
            30,
            f"{clip(sub, width * 0.6, 11)}  ·  step {step} ({e.steps.index(step) + 1}/{len(e.steps)})"
            + ("" if mode == "none" else f"  ·  % of {'true' if mode == 'true' else 'predicted'} class"),
            size=11,
            fill=MUTED,
            width=width - 8,
        ),
    ]
    shown = m / scale
    if k <= RECT_CLASSES:
        for a in range(k):
            for b in range(k):
                parts.append(
                    f'<rect x="{left + b * cell:.1f}" y="{top + a * cell:.1f}" width="{cell + 0.3:.1f}" '
                    f'height="{cell + 0.3:.1f}" fill="{heat_color(shown[a, b])}"/>'
                )
    else:
        parts.append(heat_image(shown, left, top, size, size))
    font = max(8, min(14, math.floor(cell / 3.2)))
    sample = len(_cell_text(float(m.max()) if mode == "none" else 1.0, mode)) * font * 0.58
    if sample < cell - 3 and cell >= 14:  # counts only where they fit, as the widget does
        for a in range(k):
            for b in range(k):
                color = "#fff" if shown[a, b] > 0.55 else "#1a1a1a"
                parts.append(
                    text(
                        left + (b + 0.5) * cell,
                        top + (a + 0.5) * cell + font * 0.35,
                        _cell_text(float(m[a, b]), mode),
                        size=font,
                        fill=color,
                        anchor="middle",
                    )
                )
    if cell >= 6:  # the diagonal, outlined
        parts.append(
            "".join(
                f'<rect x="{left + a * cell + 0.5:.1f}" y="{top + a * cell + 0.5:.1f}" '
                f'width="{cell - 1:.1f}" height="{cell - 1:.1f}" fill="none" '
                f'stroke="rgba(0,0,0,.35)"/>'
                for a in range(k)
            )
        )
    for a in range(0, k, every):
        parts.append(
            text(
                left - 4,
                top + (a + 0.5) * cell + label_px * 0.35,
                names[a],
                size=label_px,
                fill="#444",
                anchor="end",
                width=label_w,
            )
        )
    for b in range(0, k, every):
        x = left + (b + 0.5) * cell
        if turned:
            parts.append(
                text(
                    x,
                    top - 4,
                    names[b],
                    size=label_px,
                    fill="#444",
                    width=120,
                    extra=f' transform="rotate(-45 {x:.1f} {top - 4:.1f})"',
                )
            )
        else:
            parts.append(text(x, top - 3, names[b], size=label_px, fill="#444", anchor="middle"))
    parts.append(text(left + size / 2, head + 12, "predicted", size=11, fill=MUTED, weight="600", anchor="middle"))
    ty = top + size / 2
    parts.append(
        text(
            12,
            ty,
            "true",
            size=11,
            fill=MUTED,
            weight="600",
            anchor="middle",
            extra=f' transform="rotate(-90 12 {ty:.1f})"',
        )
    )
    return Picture(width, top + size + 8, "".join(parts))
