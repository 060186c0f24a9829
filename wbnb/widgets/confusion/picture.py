"""The picture of a ``ConfusionMatrix``: each (run, key)'s matrix at the step the viewer
chose (else the newest), drawn as the canvas view draws it (``js/confusion/panel.ts``)
from the same rules (``cells.py``, ``layout.py``, the heat scale of ``pictures/svg.py``):
true classes down the left, predicted across the top, counts (or percentages) in cells
big enough to hold them, class labels thinned out, turned and shortened when they do
not fit. Text is measured by an estimate (``svg.text_width``).

Up to ``RECT_CLASSES`` classes each cell is a ``<rect>``; above, the cells are one
embedded PNG (100 classes would be 10k elements, ~1 MB; as an image ~10 kB).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..pictures.svg import MUTED, Picture, clip, heat_color, heat_image, heat_text, note, stack, text, text_width
from .cells import cell_text, normalize, shade
from .layout import layout

if TYPE_CHECKING:
    from .model import Entry, MatrixSet

RECT_CLASSES = 24
HEAD = 40  # px above the matrix's drawing: the key and step lines (the page's are HTML)


def confusion_picture(
    matrices: MatrixSet, *, normalize: str = "none", size: int = 420, steps_shown: dict[str, Any] | None = None
) -> Picture:
    """Every (run, key) of ``matrices`` as a heatmap, one below the other."""
    panels = [_panel(matrices, e, normalize, size, steps_shown or {}) for e in matrices.entries.values() if e.steps]
    return stack(panels, gap=14) if panels else note("No confusion matrices logged yet.")


def _panel(matrices: MatrixSet, e: Entry, mode: str, size: int, steps_shown: dict[str, Any]) -> Picture:
    chosen = steps_shown.get(str(e.id))
    step = chosen if isinstance(chosen, int) and chosen in e.steps else e.steps[-1]
    m = normalize(e.mats[e.steps.index(step)], mode)
    k = m.shape[0]
    L = layout(k, size, e.names, float(m.max(initial=0.0)), mode, text_width)
    left, top, cell = L.left, HEAD + L.top, L.cell
    sub = " · ".join(x for x in (matrices.runs[e.run].name, e.title) if x)
    parts = [
        text(4, 14, e.key, size=13, weight="600", width=L.width - 8),
        text(
            4,
            30,
            f"{clip(sub, L.width * 0.6, 11)}  ·  step {step} ({e.steps.index(step) + 1}/{len(e.steps)})"
            + ("" if mode == "none" else f"  ·  % of {'true' if mode == 'true' else 'predicted'} class"),
            size=11,
            fill=MUTED,
            width=L.width - 8,
        ),
    ]
    shades = shade(m, mode)
    if k <= RECT_CLASSES:
        for a in range(k):
            for b in range(k):
                parts.append(
                    f'<rect x="{left + b * cell:.1f}" y="{top + a * cell:.1f}" width="{cell + 0.3:.1f}" '
                    f'height="{cell + 0.3:.1f}" fill="{heat_color(shades[a, b])}"/>'
                )
    else:
        parts.append(heat_image(shades, left, top, L.size, L.size))
    if L.numbers:
        for a in range(k):
            for b in range(k):
                parts.append(
                    text(
                        left + (b + 0.5) * cell,
                        top + (a + 0.5) * cell + L.font * 0.35,
                        cell_text(float(m[a, b]), mode),
                        size=L.font,
                        fill=heat_text(shades[a, b]),
                        anchor="middle",
                    )
                )
    if L.outline:  # the diagonal
        parts.append(
            "".join(
                f'<rect x="{left + a * cell + 0.5:.1f}" y="{top + a * cell + 0.5:.1f}" '
                f'width="{cell - 1:.1f}" height="{cell - 1:.1f}" fill="none" '
                f'stroke="rgba(0,0,0,.35)"/>'
                for a in range(k)
            )
        )
    for a, name in L.rows:
        parts.append(
            text(left - 4, top + (a + 0.5) * cell + L.label * 0.35, name, size=L.label, fill="#444", anchor="end")
        )
    for b, name in L.cols:
        x = left + (b + 0.5) * cell
        if L.turned:
            turn = f' transform="rotate(-45 {x:.1f} {top - 4:.1f})"'
            parts.append(text(x, top - 4, name, size=L.label, fill="#444", extra=turn))
        else:
            parts.append(text(x, top - 3, name, size=L.label, fill="#444", anchor="middle"))
    parts.append(text(left + L.size / 2, HEAD + 12, "predicted", size=11, fill=MUTED, weight="600", anchor="middle"))
    ty = top + L.size / 2
    turn = f' transform="rotate(-90 12 {ty:.1f})"'
    parts.append(text(12, ty, "true", size=11, fill=MUTED, weight="600", anchor="middle", extra=turn))
    return Picture(L.width, HEAD + L.height, "".join(parts))
