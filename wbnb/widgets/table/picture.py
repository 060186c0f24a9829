"""The picture of a ``RunTable``: the rows it shows (filtered and sorted as in the browser,
through ``widgets/query.py``), the columns chosen, as SVG text; at most ``MAX_ROWS``
rows and ``MAX_COLUMNS`` columns, saying how many more there are. Built from the
table's ``_data`` trait (what the widget read), so it costs no read.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from ..pictures.svg import MUTED, Picture, clip, number, text
from ..query import TableData

MAX_ROWS, MAX_COLUMNS = 50, 12
ROW_H, PAD, CHAR_W = 20, 8, 6.6


def table_picture(
    raw: dict[str, Any],
    *,
    project: str = "",
    filter: str = "",
    sort: Sequence[str] = (),
    columns: Sequence[str] = (),
    selected: Sequence[str] = (),
) -> Picture:
    """The table as the widget shows it for these traits."""
    data = TableData(raw)
    rows, error = data.visible_rows(filter, sort)
    keys = [k for k in columns if k in data.columns]
    if not keys and not columns:
        keys = [k for k in data.columns if k != "id"]
    more_cols = max(0, len(keys) - MAX_COLUMNS)
    keys = keys[:MAX_COLUMNS]
    shown = rows[:MAX_ROWS]
    chosen = set(selected)
    cells = {k: [format_cell(data.columns[k][0], data.columns[k][1][r]) for r in shown] for k in keys}
    sorted_by: dict[str, str] = {}
    for spec in sort:
        field = spec[1:] if spec[:1] in "+-" else spec
        key = data.resolve(field)
        if key is not None:
            sorted_by.setdefault(key, "▼" if spec.startswith("-") else "▲")
    widths = {k: min(200.0, max(48.0, CHAR_W * max([len(k) + 2] + [len(c) for c in cells[k]]) + 2 * PAD)) for k in keys}
    width = max(360.0, sum(widths.values()) + 2)
    count = f"{len(rows)} of {data.n} runs" + (f", {len(chosen)} selected" if chosen else "")
    body = [text(4, 15, f"{project} · {count}" if project else count, size=13, weight="600", width=width - 8)]
    y = 22.0
    if filter:
        body.append(text(4, y + 12, f"filter: {filter}", size=11, fill=MUTED, width=width - 8))
        y += 16
    if error:
        body.append(text(4, y + 12, f"filter not applied ({error})", size=11, fill="#b00020", width=width - 8))
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
    for j, r in enumerate(shown):
        fill = "#e3edfb" if data.ids[r] in chosen else "#fafafa" if j % 2 else ""
        if fill:
            body.append(f'<rect x="0" y="{y:.1f}" width="{width:.1f}" height="{ROW_H}" fill="{fill}"/>')
        x = 0.0
        for k in keys:
            numeric = data.columns[k][0] in ("num", "time", "dur")
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
    if not rows:
        body.append(text(PAD, y + 14, "no runs match" if data.n else "no runs yet", size=11, fill=MUTED))
        y += ROW_H
    more = [f"… and {len(rows) - len(shown)} more runs"] if len(rows) > len(shown) else []
    more += [f"{more_cols} more columns not shown"] if more_cols else []
    if more:
        body.append(text(PAD, y + 14, " · ".join(more), size=11, fill=MUTED))
        y += ROW_H
    return Picture(width, y + 4, "".join(body))


def format_cell(kind: str, v: Any) -> str:
    """The text a cell shows (``formatCell`` in js/table/data.ts)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if kind == "time" and isinstance(v, (int, float)):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(v))
    if kind == "dur" and isinstance(v, (int, float)):
        return format_duration(float(v))
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return number(float(v))
    if isinstance(v, list):
        return ", ".join("null" if x is None else str(x) for x in v)
    return str(v)


def format_duration(s: float) -> str:
    """``formatDuration`` in js/table/data.ts: 4.2s, 42s, 3m 05s, 5h 07m, 3d 4h."""

    def js_round(x: float) -> int:  # Math.round: halves up (Python's round goes to even)
        return math.floor(x + 0.5)

    if s < 60:
        return f"{s:.1f}s" if s < 10 else f"{js_round(s)}s"
    m = int(s // 60)
    if m < 60:
        return f"{m}m {js_round(s % 60):02d}s"
    h = m // 60
    if h < 48:
        return f"{h}h {m % 60:02d}m"
    return f"{h // 24}d {h % 24}h"
