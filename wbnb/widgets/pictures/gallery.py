"""The picture of a ``Gallery``: the images of the chosen key and step, runs one below
the other, as the widget lays them out (its ``columns``, ``size``, page and runs shown).

The only read is the bytes of the images drawn, bounded: at most ``MAX_IMAGES`` and
``MAX_BYTES`` in all, each big PNG scaled down to a thumbnail (numpy, ``data/png.py``;
Pillow for other files when it is installed). The picture says how many it left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .svg import MUTED, Picture, note, png_image, text

if TYPE_CHECKING:
    from ..gallery import ImageIndex

MAX_IMAGES = 16
MAX_BYTES = 2 << 20  # embedded image bytes per picture (base64 makes them 4/3 as many)
TITLE_H, CAPTION_H, GAP = 22, 16, 8


def gallery_picture(
    index: ImageIndex,
    key: str = "",
    step: int = -1,
    *,
    shown_runs: list[int] | None = None,
    page: int = 0,
    per_page: int = 24,
    columns: int = 4,
    size: int = 160,
) -> Picture:
    """The page of images ``Gallery`` shows for ``key`` at ``step`` (-1: the newest)."""
    keys = sorted({e.key for e in index.entries.values()})
    if not keys:
        return note("No images logged yet.")
    key = key if key in keys else keys[0]
    runs = [r for r in range(len(index.runs)) if not shown_runs or r in shown_runs]
    all_steps = sorted({s for r in runs for s in (index.entries[(r, key)].steps if (r, key) in index.entries else [])})
    if step < 0 or not all_steps:
        step = all_steps[-1] if all_steps else -1
    columns, size, per_page = max(1, columns), max(32, size), max(1, per_page)
    width = columns * (size + GAP) + GAP
    budget = {"images": MAX_IMAGES, "bytes": MAX_BYTES}
    body = [text(GAP, 16, key, size=13, weight="600", width=width - 2 * GAP)]
    y = 26.0
    for r in runs:
        block, h = _run_block(index, r, key, step, page * per_page, per_page, columns, size, width, budget)
        body.append(f'<g transform="translate(0,{y:.1f})">{block}</g>')
        y += h + GAP
    return Picture(width, y, "".join(body))


def _run_block(
    index: ImageIndex,
    r: int,
    key: str,
    step: int,
    first: int,
    per_page: int,
    columns: int,
    size: int,
    width: float,
    budget: dict[str, int],
) -> tuple[str, float]:
    name = index.runs[r].name
    e = index.entries.get((r, key))
    if e is None or not e.steps:
        return text(GAP, 15, f"{name} · no images under this key", fill=MUTED, width=width - 2 * GAP), TITLE_H
    i = max(0, int(np.searchsorted(e.steps, step, side="right")) - 1)  # its last step at or before
    s = e.steps[i]
    recs = e.records[i][first : first + per_page]
    where = f"step {s}" if s == step else f"step {s} (its last at or before {step})"
    parts = [text(GAP, 15, f"{name} · {where}", weight="600", width=width - 2 * GAP)]
    drawn = left_out = 0
    for rec in recs:
        image = _image(index, r, rec, size, budget)
        if image is None:
            left_out += 1
            continue
        x = GAP + (drawn % columns) * (size + GAP)
        top = TITLE_H + (drawn // columns) * (size + CAPTION_H + GAP)
        drawn += 1
        data, mime, small = image
        if data:
            parts.append(png_image(data, x, top, size, size, mime=mime, fit=True, pixelated=small))
        else:
            parts.append(
                f'<rect x="{x}" y="{top}" width="{size}" height="{size}" fill="#f3f3f3"/>'
                + text(x + size / 2, top + size / 2, "missing", fill=MUTED, anchor="middle")
            )
        if rec.get("caption") is not None:
            parts.append(text(x, top + size + 12, rec["caption"], size=11, width=size))
    rows = -(-drawn // columns)
    h = TITLE_H + rows * (size + CAPTION_H + GAP)
    more = left_out + max(0, len(e.records[i]) - first - per_page)
    if more:
        parts.append(
            text(GAP, h + 4, f"… {more} more image{'s' if more != 1 else ''} not in this picture", size=11, fill=MUTED)
        )
        h += 12
    return "".join(parts), h


def _image(
    index: ImageIndex, r: int, rec: dict[str, Any], size: int, budget: dict[str, int]
) -> tuple[bytes, str, bool] | None:
    """(bytes, mime, pixelated) of one image within the budget; b"" if it cannot be
    read; None if the budget is spent."""
    from ..gallery import MIME

    if budget["images"] <= 0:
        return None
    fmt = str(rec.get("format") or str(rec.get("path", "")).rpartition(".")[2]).lower()
    mime = MIME.get(fmt, "application/octet-stream")
    try:
        data = index.runs[r].store.media(rec["path"])
    except Exception:
        data = b""
    if data:
        data, mime = thumbnail(data, mime, size)
        if len(data) > budget["bytes"]:
            return None
    budget["images"] -= 1
    budget["bytes"] -= len(data)
    small = bool(rec.get("width")) and int(rec.get("width") or 0) < size / 2
    return data, mime, small


def thumbnail(data: bytes, mime: str, max_side: int) -> tuple[bytes, str]:
    """``data`` scaled down to at most ``max_side`` px a side, as PNG, when it is bigger;
    as it is when small, or when neither numpy nor Pillow can decode it."""
    from ...data.png import decode_png, encode_png, png_size, shrink

    if mime == "image/png":
        dims = png_size(data)
        if dims is not None and max(dims) <= max_side:
            return data, mime
        pixels = decode_png(data)
        if pixels is not None:
            return encode_png(np.ascontiguousarray(shrink(pixels, max_side))), "image/png"
    elif len(data) <= 64 << 10 or mime == "image/svg+xml":
        return data, mime
    try:
        import io

        from PIL import Image  # optional (the "media" extra): other formats, other PNG filters

        with Image.open(io.BytesIO(data)) as img:
            if max(img.size) <= max_side:
                return data, mime
            img.thumbnail((max_side, max_side))
            out = io.BytesIO()
            img.convert("RGBA" if "A" in img.getbands() else "RGB").save(out, format="PNG")
            return out.getvalue(), "image/png"
    except Exception:
        return data, mime
