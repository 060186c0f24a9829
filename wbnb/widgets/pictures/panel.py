"""The picture of a ``RunPanel``: its header (name, project/id, state, duration, the
run's notable events) above the pictures of its parts, stacked in the panel's order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .svg import MUTED, Picture, stack, text

if TYPE_CHECKING:
    from ..runs import RunRef

WIDTH = 720


def header_picture(ref: RunRef, state: str, seconds: float | None, events: Sequence[dict[str, Any]] = ()) -> Picture:
    """The header line and, under it, the newest events (as the HTML header shows them)."""
    from ..header import SHOWN_EVENTS, duration, event_line

    took = "" if seconds is None else f" · {duration(seconds)}"
    name_w = min(WIDTH * 0.5, 10 + 8.2 * len(ref.name))
    body = [
        text(4, 16, ref.name, size=14, weight="600", width=name_w),
        text(
            name_w + 10, 16, f"{ref.project}/{ref.id} · {state}{took}", size=12, fill=MUTED, width=WIDTH - name_w - 14
        ),
    ]
    lines = [event_line(e) for e in list(events)[-SHOWN_EVENTS:]]
    if len(events) > SHOWN_EVENTS:
        lines.insert(0, f"… {len(events) - SHOWN_EVENTS} earlier")
    for i, line in enumerate(lines):
        body.append(text(4, 34 + 16 * i, line, size=12, fill="#a33", width=WIDTH - 8))
    return Picture(WIDTH, 24 + 16 * len(lines), "".join(body))


def panel_picture(header: Picture, parts: Sequence[Picture]) -> Picture:
    """The header, then each part's picture, one below the other."""
    return stack([header, *parts], gap=12)
