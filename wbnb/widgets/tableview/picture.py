"""The picture of a ``TableView``: the first rows of the table shown (the chosen step, the
columns not hidden), as SVG text, image cells as small embedded thumbnails, and "N rows ×
M columns". Cells print as the page prints them (numbers by ``svg.number``, the twin of
``formatNumber``). The page alone sorts and filters (js/tableview/order.ts): the
picture shows the table's own order and says when the live view sorts or filters it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..gallery.picture import thumbnail
from ..imageoverlay import image_file
from ..pictures.svg import MUTED, Picture, note, number, png_image, text
from .contract import ColumnKind
from .frame import Frame, text_of
from .model import TableSteps

ROWS = 20
MAX_COLUMNS = 10
COL_W, ROW_H, IMG_ROW_H, PAD = 120, 20, 40, 8
MAX_IMAGES, MAX_BYTES = 40, 1 << 20  # embedded thumbnails per picture, and their bytes


def cell_text(kind: ColumnKind, v: Any) -> str:
    """A cell's text as the page shows it."""
    if v is None:
        return ""
    if kind == "number":
        return number(float(v))
    if kind == "bool":
        return "true" if v else "false"
    return text_of(v)


def table_picture(tables: TableSteps, frame: Frame, hidden: Sequence[str], arranged: bool) -> Picture:
    """``frame`` (a table of ``tables``' runs) as the view shows it: its first ``ROWS`` rows
    of the columns not ``hidden``; ``arranged``: the live view sorts or filters them."""
    key = tables.key
    if not frame.columns:
        return note(f"{key}: no table logged yet.")
    gone = set(hidden)
    cols = [c for c, name in enumerate(frame.columns) if name not in gone]
    shown = cols[:MAX_COLUMNS]
    images = any(frame.kinds[c] == "media" for c in shown)
    row_h = IMG_ROW_H if images else ROW_H
    nrows = min(ROWS, frame.nrows)
    width = PAD * 2 + COL_W * max(1, len(shown))
    step = f" · step {frame.version}" if len(tables.runs) == 1 and frame.version != "-" else ""
    size = f"{frame.nrows} rows × {len(frame.columns)} columns"
    parts = [text(PAD, 16, f"{key}{step} · {size}", size=13, weight="600", width=width - 2 * PAD)]
    y = 26.0
    parts.append(f'<rect x="{PAD}" y="{y}" width="{width - 2 * PAD}" height="{ROW_H}" fill="#f3f3f3"/>')
    for i, c in enumerate(shown):
        parts.append(text(PAD + i * COL_W + 4, y + 14, frame.columns[c], weight="600", width=COL_W - 8))
    y += ROW_H
    budget = {"images": MAX_IMAGES, "bytes": MAX_BYTES}
    for r in range(nrows):
        for i, c in enumerate(shown):
            x, v = PAD + i * COL_W, frame.cells[c][r]
            img = _thumb(tables, frame, r, c, budget) if frame.kinds[c] == "media" else None
            if img is not None:
                parts.append(png_image(img[0], x + 4, y + 2, row_h - 4, row_h - 4, mime=img[1], fit=True))
            elif frame.kinds[c] == "number":  # right-aligned, as the page draws them
                parts.append(text(x + COL_W - 4, y + row_h / 2 + 4, cell_text("number", v), anchor="end"))
            else:
                parts.append(text(x + 4, y + row_h / 2 + 4, cell_text(frame.kinds[c], v), width=COL_W - 8))
        parts.append(f'<line x1="{PAD}" x2="{width - PAD}" y1="{y + row_h:.1f}" y2="{y + row_h:.1f}" stroke="#eee"/>')
        y += row_h
    notes = []
    if frame.nrows > nrows or len(cols) > len(shown):
        notes.append(f"first {nrows} rows, {len(shown)} of {len(cols)} columns shown")
    if arranged:
        notes.append("the live view sorts / filters them")
    if notes:
        parts.append(text(PAD, y + 14, " · ".join(notes), size=11, fill=MUTED, width=width - 2 * PAD))
        y += 18
    return Picture(width, y + PAD, "".join(parts))


def _thumb(tables: TableSteps, frame: Frame, row: int, col: int, budget: dict[str, int]) -> tuple[bytes, str] | None:
    """An image cell's thumbnail within the budget; None (its kind as text) when it is no
    image, unreadable, or the budget is spent."""
    rec = frame.cells[col][row]
    if not isinstance(rec, dict) or rec.get("_type") != "image" or "path" not in rec or budget["images"] <= 0:
        return None
    data, mime = image_file(tables.runs[frame.run_of(row, col)].store, rec)
    if not data:
        return None
    data, mime = thumbnail(data, mime, 64)
    if not data or len(data) > budget["bytes"]:
        return None
    budget["images"] -= 1
    budget["bytes"] -= len(data)
    return data, mime
