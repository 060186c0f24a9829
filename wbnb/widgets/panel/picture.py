"""The picture of a ``RunPanel``: its header's picture (``header/picture.py``, then the
artifacts') above its parts' pictures in a grid, as many per row as fit ``WIDTH``, each
under its title, in the order the page draws their sections."""

from __future__ import annotations

from collections.abc import Sequence

from ..pictures.svg import Picture, place, stack, text

WIDTH = 1200  # px: a row of pictures wraps past this
GAP = 16
TITLE = 20  # px above each part's picture for its title


def panel_picture(head: Sequence[Picture], parts: Sequence[tuple[str, Picture]]) -> Picture:
    """``head`` stacked, then each ``(title, picture)`` left to right, wrapping at ``WIDTH``."""
    body, x, y, row, width = [], 0.0, 0.0, 0.0, 0.0
    for title, p in parts:
        if x > 0 and x + p.width > WIDTH:
            x, y, row = 0.0, y + row + GAP, 0.0
        body.append(text(x + 2, y + 14, title, weight="600", width=max(p.width, 80)))
        body.append(place(p, x, y + TITLE))
        row = max(row, TITLE + p.height)
        width = max(width, x + p.width)
        x += p.width + GAP
    grid = Picture(width, y + row, "".join(body))
    return stack([*head, grid] if parts else list(head), gap=12)
