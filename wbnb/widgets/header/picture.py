"""The picture of a ``RunHeader``: its line (name, project/id, state, duration) and,
under it, the lines of the run's notable events, as the HTML header shows them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...textout import duration
from ..pictures.svg import MUTED, Picture, text
from ..runs import RunRef
from .text import event_lines

WIDTH = 720


def header_picture(ref: RunRef, state: str, seconds: float | None, events: Sequence[dict[str, Any]] = ()) -> Picture:
    """The header line and, under it, the newest events (as the HTML header shows them)."""
    took = "" if seconds is None else f" · {duration(seconds)}"
    name_w = min(WIDTH * 0.5, 10 + 8.2 * len(ref.name))
    body = [
        text(4, 16, ref.name, size=14, weight="600", width=name_w),
        text(
            name_w + 10, 16, f"{ref.project}/{ref.id} · {state}{took}", size=12, fill=MUTED, width=WIDTH - name_w - 14
        ),
    ]
    lines = event_lines(events)
    for i, line in enumerate(lines):
        body.append(text(4, 34 + 16 * i, line, size=12, fill="#a33", width=WIDTH - 8))
    return Picture(WIDTH, 24 + 16 * len(lines), "".join(body))
