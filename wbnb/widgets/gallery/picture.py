"""The picture of a ``Gallery``: the images of the chosen key and step, runs one below
the other, laid out as the page lays them out (``layout.py``: its ``columns``, ``size``,
page and runs shown).

The only read is the bytes of the images drawn, bounded: at most ``MAX_IMAGES`` and
``MAX_BYTES`` in all, each big PNG scaled down to a thumbnail (numpy, ``data/png.py``;
Pillow for other files when it is installed). The picture says how many it left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..contract import ClassMark
from ..imageoverlay import image_file, legend
from ..pictures.svg import MUTED, Picture, esc, note, png_image, text, text_width
from .contract import Choices, GalleryLayout, RunPlace
from .layout import figure, layout
from .model import ImageIndex

MAX_IMAGES = 16
MAX_BYTES = 2 << 20  # embedded image bytes per picture (base64 makes them 4/3 as many)
TITLE_H, CAPTION_H, LEGEND_H, GAP = 22, 16, 14, 8


def gallery_picture(index: ImageIndex, choices: Choices, marks: bool = True) -> Picture:
    """The page of images ``Gallery`` shows for the viewer's ``choices`` (``layout.py``),
    masks and boxes painted on when ``marks``."""
    page = layout(len(index.runs), index.shown_steps(), choices)
    if not page["key"]:
        return note("No images logged yet.")
    width = page["columns"] * (page["size"] + GAP) + GAP
    budget = {"images": MAX_IMAGES, "bytes": MAX_BYTES}
    body = [text(GAP, 16, page["key"], size=13, weight="600", width=width - 2 * GAP)]
    y = 26.0
    for place in page["runs"]:
        block, h = _run_block(index, page, place, width, budget, marks)
        body.append(f'<g transform="translate(0,{y:.1f})">{block}</g>')
        y += h + GAP
    return Picture(width, y, "".join(body))


def _run_block(
    index: ImageIndex, page: GalleryLayout, place: RunPlace, width: float, budget: dict[str, int], marks: bool
) -> tuple[str, float]:
    r, columns, size = place["run"], page["columns"], page["size"]
    title = f"{index.runs[r].name} · {place['note']}"
    if place["step"] is None:
        return text(GAP, 15, title, fill=MUTED, width=width - 2 * GAP), TITLE_H
    recs = index.images(r, page["key"], place["step"])[place["start"] : place["stop"]]
    parts = [text(GAP, 15, title, weight="600", width=width - 2 * GAP)]
    # a line under each image for its classes, when any image of the run has them painted on
    legends = [legend(rec) if marks else [] for rec in recs]
    marked = any(legends)
    row_h = size + CAPTION_H + (LEGEND_H if marked else 0) + GAP
    drawn = left_out = 0
    for rec, classes in zip(recs, legends):
        image = _image(index, r, rec, size, budget, marks)
        if image is None:
            left_out += 1
            continue
        x = GAP + (drawn % columns) * (size + GAP)
        top = TITLE_H + (drawn // columns) * row_h
        drawn += 1
        data, mime = image
        look = figure(rec.get("caption"), rec.get("width"), size)
        if data:
            parts.append(png_image(data, x, top, size, size, mime=mime, fit=True, pixelated=look["pixelated"]))
        else:
            parts.append(
                f'<rect x="{x}" y="{top}" width="{size}" height="{size}" fill="#f3f3f3"/>'
                + text(x + size / 2, top + size / 2, "missing", fill=MUTED, anchor="middle")
            )
        if look["caption"] is not None:
            parts.append(text(x, top + size + 12, look["caption"], size=11, width=size))
        if marked:  # under the caption, if any
            below = top + size + 12 + (LEGEND_H if look["caption"] is not None else 0)
            parts.append(_legend(x, below, classes, size))
    rows = -(-drawn // columns)
    h = TITLE_H + rows * row_h
    more = left_out + place["count"] - place["stop"]
    if more:
        parts.append(
            text(GAP, h + 4, f"… {more} more image{'s' if more != 1 else ''} not in this picture", size=11, fill=MUTED)
        )
        h += 12
    return "".join(parts), h


def _legend(x: float, y: float, marks: list[ClassMark], width: float) -> str:
    """An image's classes in a line ``width`` px wide at baseline ``y``: a swatch of each
    one's colour, then its name (as many as fit)."""
    out, at = [], x
    for mark in marks:
        room = x + width - at - 12
        if room < 18:
            break
        out.append(f'<rect x="{at:.1f}" y="{y - 8:.1f}" width="8" height="8" rx="2" fill="{esc(mark["color"])}"/>')
        out.append(text(at + 11, y, mark["name"], size=10, fill=MUTED, width=room))
        at += 11 + min(room, text_width(mark["name"], 10)) + 14
    return "".join(out)


def _image(
    index: ImageIndex, r: int, rec: dict[str, Any], size: int, budget: dict[str, int], marks: bool
) -> tuple[bytes, str] | None:
    """(bytes, mime) of one image (its masks and boxes painted on when ``marks``) within
    the budget; b"" if it cannot be read; None if the budget is spent."""
    if budget["images"] <= 0:
        return None
    data, mime = image_file(index.runs[r].store, rec, marks)
    if data:
        data, mime = thumbnail(data, mime, size)
        if len(data) > budget["bytes"]:
            return None
    budget["images"] -= 1
    budget["bytes"] -= len(data)
    return data, mime


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
