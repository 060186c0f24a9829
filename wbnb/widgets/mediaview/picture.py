"""The picture of a ``MediaView``: per key, each run's media at the step the page shows
(``steps.py``), side by side. A sound is its waveform (``waveform.py``), a GIF its first
frame (with Pillow, else a tile), another video a tile, an html page a tile saying it is
sandboxed with the start of its visible text, as text: a saved page never holds the
user's HTML as markup (every string goes through ``svg.text``, which escapes it).

The files read are bounded (``MAX_CELLS`` cells, ``MAX_BYTES`` read in all); the picture
says how many it left out.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Any

from ..pictures.svg import MUTED, Picture, note, png_image, text
from .model import MediaIndex, about, fmt_of
from .steps import step_shown
from .waveform import peaks

CELL_W, GAP, PER_ROW = 240, 10, 3
WAVE_H, VIDEO_H, HTML_H, LINE_H = 56, 150, 112, 15
MAX_CELLS = 24
MAX_BYTES = 64 << 20  # file bytes read for one picture
HTML_CHARS = 200  # of an html page's visible text
WIDTH = GAP + PER_ROW * (CELL_W + GAP)


def media_picture(index: MediaIndex, steps_shown: dict[str, Any]) -> Picture:
    """Every key's media at the steps the viewer chose (``steps_shown``: key -> step)."""
    keys = index.keys_logged()
    if not keys:
        return note("No audio, video or html logged yet.")
    budget = {"cells": MAX_CELLS, "bytes": MAX_BYTES}
    body: list[str] = []
    y = 0.0
    for key in keys:
        chosen = steps_shown.get(key)
        body.append(text(GAP, y + 16, key, size=13, weight="600", width=WIDTH - 2 * GAP))
        y += 24
        for run in range(len(index.runs)):
            steps = index.steps(run, key)
            if not steps:
                continue
            shown = step_shown(steps, chosen if isinstance(chosen, int) else -1)
            title = f"{index.runs[run].name} · {shown['note']}"
            body.append(text(GAP, y + 12, title, fill="#222" if shown["step"] is not None else MUTED, width=WIDTH))
            y += 18
            if shown["step"] is not None:
                block, h = _cells(index, run, index.media(run, key, shown["step"]), budget)
                body.append(f'<g transform="translate(0,{y:.1f})">{block}</g>')
                y += h
        y += GAP
    return Picture(WIDTH, y, "".join(body))


def _cells(index: MediaIndex, run: int, recs: list[dict[str, Any]], budget: dict[str, int]) -> tuple[str, float]:
    """A run's media at one step in rows of ``PER_ROW``; (markup, height)."""
    parts: list[str] = []
    y = row_h = 0.0
    drawn = 0
    for rec in recs:
        if budget["cells"] <= 0:
            break
        budget["cells"] -= 1
        if drawn and drawn % PER_ROW == 0:
            y += row_h + GAP
            row_h = 0.0
        x = GAP + (drawn % PER_ROW) * (CELL_W + GAP)
        cell, h = _cell(index, run, rec, budget)
        parts.append(f'<g transform="translate({x},{y:.1f})">{cell}</g>')
        row_h = max(row_h, h)
        drawn += 1
    h = y + row_h + (GAP if drawn else 0)
    if drawn < len(recs):
        more = len(recs) - drawn
        parts.append(text(GAP, h + 10, f"… {more} more not in this picture", size=11, fill=MUTED))
        h += 16
    return "".join(parts), h


def _read(index: MediaIndex, run: int, rec: dict[str, Any], budget: dict[str, int]) -> bytes:
    data = index.read(run, rec) if budget["bytes"] > 0 else b""
    budget["bytes"] -= len(data)
    return data


def _cell(index: MediaIndex, run: int, rec: dict[str, Any], budget: dict[str, int]) -> tuple[str, float]:
    kind = rec.get("_type")
    if kind == "audio":
        top, h = _waveform(_read(index, run, rec, budget) if fmt_of(rec) == "wav" else b"", fmt_of(rec)), WAVE_H
    elif kind == "video":
        frame = _first_frame(_read(index, run, rec, budget)) if fmt_of(rec) == "gif" else None
        top, h = (_frame(*frame) if frame else _tile(f"video ({fmt_of(rec)})", [])), VIDEO_H
    else:
        top, h = _tile("HTML (sandboxed)", _lines(visible_text(_read(index, run, rec, budget)))), HTML_H
    lines = [(str(rec["caption"]), "#222")] if rec.get("caption") else []
    lines += [(about(rec), MUTED)] if kind != "html" else []
    parts = [top]
    for line, fill in lines:
        h += LINE_H
        parts.append(text(0, h - 3, line, size=11, fill=fill, width=CELL_W))
    return "".join(parts), h


def _box(h: float) -> str:
    return f'<rect width="{CELL_W}" height="{h}" rx="3" fill="#f6f6f6" stroke="#ddd"/>'


def _waveform(data: bytes, fmt: str) -> str:
    wave = peaks(data, CELL_W) if data else None
    if wave is None:
        return _box(WAVE_H) + text(CELL_W / 2, WAVE_H / 2 + 4, f"no waveform ({fmt})", fill=MUTED, anchor="middle")
    mid, half = WAVE_H / 2, WAVE_H / 2 - 2
    path = "".join(
        f"M{x + 0.5:.1f} {mid - hi * half:.1f}V{mid - lo * half + 0.5:.1f}"
        for x, (lo, hi) in enumerate(zip(wave[0], wave[1]))
    )
    return _box(WAVE_H) + f'<path d="{path}" stroke="#4c78a8" stroke-width="1" fill="none"/>'


def _first_frame(data: bytes) -> tuple[bytes, bool] | None:
    """A GIF's first frame as a PNG at most the cell's size, and whether it is small
    (drawn with crisp pixels), when Pillow is installed."""
    if not data:
        return None
    try:
        from PIL import Image  # optional (the "media" extra)

        with Image.open(io.BytesIO(data)) as img:
            img.seek(0)
            frame = img.convert("RGB")
        frame.thumbnail((CELL_W, VIDEO_H))
        out = io.BytesIO()
        frame.save(out, format="PNG")
        return out.getvalue(), frame.width < CELL_W / 2 and frame.height < VIDEO_H / 2
    except Exception:
        return None


def _frame(png: bytes, small: bool) -> str:
    return _box(VIDEO_H) + png_image(png, 0, 0, CELL_W, VIDEO_H, fit=True, pixelated=small)


def _tile(title: str, lines: list[str]) -> str:
    h = VIDEO_H if not lines and title.startswith("video") else HTML_H
    parts = [_box(h), text(8, 18, title, weight="600", width=CELL_W - 16)]
    parts += [text(8, 36 + i * LINE_H, line, size=11, fill=MUTED, width=CELL_W - 16) for i, line in enumerate(lines)]
    return "".join(parts)


class _Text(HTMLParser):
    """The text a browser would show of a page: no scripts, styles or head."""

    SKIP = {"script", "style", "head", "title", "template", "noscript", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0
        self.size = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and self.size < 4 * HTML_CHARS:
            self.parts.append(data)
            self.size += len(data)


def visible_text(page: bytes) -> str:
    """About the first ``HTML_CHARS`` characters of a page's visible text, whitespace
    collapsed (as text: the caller escapes it)."""
    parser = _Text()
    try:
        parser.feed(page[: 256 << 10].decode("utf-8", "replace"))
        parser.close()
    except Exception:
        pass
    shown = re.sub(r"\s+", " ", "".join(parser.parts)).strip()
    return shown if len(shown) <= HTML_CHARS else shown[: HTML_CHARS - 1] + "…"


def _lines(s: str, per_line: int = 36, most: int = 5) -> list[str]:
    """``s`` cut into at most ``most`` lines of about ``per_line`` characters."""
    out = [s[i : i + per_line] for i in range(0, len(s), per_line)][:most]
    return out or ["(no visible text)"]
