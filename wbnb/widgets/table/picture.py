"""The picture of a ``RunTable``: the rows its page shows, in the page's order, the columns
chosen, as SVG text; at most ``SHOWN_ROWS`` rows and ``MAX_COLUMNS`` columns, saying how
many more there are. Built from the table's traits (what the widget read, and ``_shown``,
what its page reported), so it costs no read. It chooses columns and prints cells as the
page does: tests/cases/table_columns.json and table_cells.json hold both halves.

The page alone filters and sorts (``contract.py`` says why). Until a page has reported the
rows for the table's current filter, sort and data (a notebook executed without a
browser, or a filter just set from Python), the picture lists the runs newest first and
says that the live view applies the filter and sort.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..pictures.svg import MUTED, Picture, clip, number, text
from .contract import SHOWN_ROWS
from .model import ORDER, decode

MAX_COLUMNS = 12
ROW_H, PAD, CHAR_W = 20, 8, 6.6


def visible_columns(keys: Sequence[str], columns: Sequence[str]) -> list[str]:
    """The columns shown for the ``columns`` trait: those it names that exist, in its
    order; every column when it names none (``visibleColumns`` in js/table/data.ts)."""
    if not columns:
        return list(keys)
    have = set(keys)
    return [k for k in columns if k in have]


def table_picture(
    raw: Mapping[str, Any],
    shown: Mapping[str, Any] | None,
    *,
    project: str = "",
    filter: str = "",
    sort: Sequence[str] = (),
    columns: Sequence[str] = (),
    selected: Sequence[str] = (),
) -> Picture:
    """The table as the widget shows it for these traits (``raw``: ``_data``, ``shown``:
    ``_shown``)."""
    data = decode(raw)
    ids: list[str] = list(raw.get("ids") or [])
    n = len(ids)
    chosen = set(selected)
    sorted_by: dict[str, str] = {}
    notes: list[tuple[str, str]] = [(f"filter: {filter}", MUTED)] if filter else []
    if shown is not None and (shown["filter"], list(shown["sort"]), shown["rev"]) == (filter, list(sort), raw["rev"]):
        index = {rid: i for i, rid in enumerate(ids)}
        rows = [index[rid] for rid in shown["ids"] if rid in index]
        count = int(shown["count"])
        for key, desc in shown["sorted_by"]:
            sorted_by.setdefault(key, "▼" if desc else "▲")
        if shown["error"]:
            notes.append((f"filter not applied ({shown['error']})", "#b00020"))
        heading = f"{count} of {n} runs"
    else:  # no page has shown these: the rows as read, newest first
        rows, count = list(range(min(n, SHOWN_ROWS))), n
        own_sort = bool(sort) and list(sort) != list(ORDER)
        if list(sort) == list(ORDER):
            sorted_by["created"] = "▼"
        if own_sort:
            notes.append((f"sort: {', '.join(sort)}", MUTED))
        if filter or own_sort:
            notes.append(
                ("filter and sort are applied by the live view; this picture lists every run, newest first", MUTED)
            )
        heading = f"{n} runs" if filter else f"{n} of {n} runs"
    keys = visible_columns(list(data), columns)
    more_cols = max(0, len(keys) - MAX_COLUMNS)
    keys = keys[:MAX_COLUMNS]
    cells = {k: [format_cell(data[k][0], data[k][1][r]) for r in rows] for k in keys}
    widths = {k: min(200.0, max(48.0, CHAR_W * max([len(k) + 2] + [len(c) for c in cells[k]]) + 2 * PAD)) for k in keys}
    width = max(360.0, sum(widths.values()) + 2)
    heading += f", {len(chosen)} selected" if chosen else ""
    body = [text(4, 15, f"{project} · {heading}" if project else heading, size=13, weight="600", width=width - 8)]
    y = 22.0
    for line, fill in notes:
        body.append(text(4, y + 12, line, size=11, fill=fill, width=width - 8))
        y += 16
    y += 4
    body.append(f'<rect x="0" y="{y:.1f}" width="{width:.1f}" height="{ROW_H}" fill="#f0f0f0"/>')
    x = 0.0
    for k in keys:
        body.append(
            text(x + PAD, y + 14, f"{k} {sorted_by.get(k, '')}".rstrip(), size=11, weight="600", width=widths[k] - PAD)
        )
        x += widths[k]
    y += ROW_H
    for j, r in enumerate(rows):
        fill = "#e3edfb" if ids[r] in chosen else "#fafafa" if j % 2 else ""
        if fill:
            body.append(f'<rect x="0" y="{y:.1f}" width="{width:.1f}" height="{ROW_H}" fill="{fill}"/>')
        x = 0.0
        for k in keys:
            numeric = data[k][0] in ("num", "time", "dur")
            s = clip(cells[k][j], widths[k] - 2 * PAD, 11)
            body.append(
                text(
                    x + widths[k] - PAD if numeric else x + PAD,
                    y + 14,
                    s,
                    size=11,
                    anchor="end" if numeric else "start",
                )
            )
            x += widths[k]
        y += ROW_H
    if not count:
        body.append(text(PAD, y + 14, "no runs match" if n else "no runs yet", size=11, fill=MUTED))
        y += ROW_H
    more = [f"… and {count - len(rows)} more runs"] if count > len(rows) else []
    more += [f"{more_cols} more columns not shown"] if more_cols else []
    if more:
        body.append(text(PAD, y + 14, " · ".join(more), size=11, fill=MUTED))
        y += ROW_H
    return Picture(width, y + 4, "".join(body))


def format_cell(kind: str, v: Any) -> str:
    """The text a cell shows (``formatValue`` in js/table/data.ts)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind == "time" and isinstance(v, (int, float)):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(v))
    if kind == "dur" and isinstance(v, (int, float)):
        return format_duration(float(v))
    if isinstance(v, list):
        return ", ".join(_item(x) for x in v)
    return _item(v)


def _item(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return number(float(v))
    return str(v)


def format_duration(s: float) -> str:
    """``formatDuration`` in js/table/data.ts: 4.2s, 42s, 3m 05s, 5h 07m, 3d 4h."""

    def js_round(x: float) -> int:  # Math.round: halves up (Python's round goes to even)
        return math.floor(x + 0.5)

    if s < 60:  # toFixed(1) below 10 s: ties away from zero, as Decimal's ROUND_HALF_UP
        return f"{Decimal(s).quantize(Decimal('0.1'), ROUND_HALF_UP)}s" if s < 10 else f"{js_round(s)}s"
    m = int(s // 60)
    if m < 60:
        return f"{m}m {js_round(s % 60):02d}s"
    h = m // 60
    if h < 48:
        return f"{h}h {m % 60:02d}m"
    return f"{h // 24}d {h % 24}h"
