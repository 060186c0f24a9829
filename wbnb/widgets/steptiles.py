"""The picture of a step-records component (``PlotlyView``, ``Object3DView``): each (run,
key)'s items at the step the viewer chose (else the newest) as tiles the component draws,
a list's first ``MAX_ITEMS`` side by side and a "+N more" tile for the rest; runs side
by side, keys one below the other."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .pictures.svg import MUTED, Picture, note, place, text
from .steprecords import StepEntry, StepRecords

MAX_ITEMS = 3  # items of one step's list drawn; the rest are counted
GAP = 12
MORE_W = 100  # px: the "+N more" tile

# (entry, step, index, count) -> the tile of item ``index`` of the ``count`` at ``step``
Tile = Callable[[StepEntry, int, int, int], Picture]


def step_tiles(records: StepRecords, steps_shown: Mapping[str, Any], tile: Tile, empty: str) -> Picture:
    """Every (run, key)'s items as ``tile`` draws them (see the module doc); ``empty``
    says so when nothing is logged."""
    body: list[str] = []
    y, width = 0.0, 0.0
    for key in records.keys_shown():
        tiles: list[Picture] = []
        for e in records.entries.values():
            if e.key != key or not e.steps:
                continue
            chosen = steps_shown.get(str(e.id))
            step = chosen if isinstance(chosen, int) and chosen in e.steps else e.steps[-1]
            count = len(e.at(step))
            tiles += [tile(e, step, i, count) for i in range(min(count, MAX_ITEMS))]
            if count > MAX_ITEMS:
                tiles.append(_more(count - MAX_ITEMS, tiles[-1].height))
        x = 0.0
        for t in tiles:
            body.append(place(t, x, y))
            x += t.width + GAP
        width = max(width, x - GAP)
        y += max((t.height for t in tiles), default=0) + GAP
    return Picture(width, y - GAP, "".join(body)) if body else note(empty)


def item_label(index: int, count: int) -> str:
    """What a tile's head adds for an item of a list ("" for a lone record)."""
    return f"  ·  {index + 1}/{count}" if count > 1 else ""


def _more(n: int, height: float) -> Picture:
    return Picture(
        MORE_W,
        height,
        f'<rect x="0.5" y="0.5" width="{MORE_W - 1}" height="{height - 1:.0f}" fill="none" stroke="#ddd"'
        f' stroke-dasharray="4 3" rx="4"/>' + text(MORE_W / 2, height / 2, f"+{n} more", fill=MUTED, anchor="middle"),
    )
