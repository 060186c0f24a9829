"""An image record's file as every component draws it (Gallery, TableView: their answers
and pictures): its MIME type, and its masks and boxes (``wbnb.Image(..., masks=, boxes=)``,
wandb's segmentation and detection overlays) painted onto its pixels before the page gets
them, as wandb shows them: each mask's classes (class 0, the background, left clear)
blended in their class colour, each box outlined in its class colour; ``legend`` names
those classes in the same colours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..data.png import decode_png, encode_png
from ..store.base import Store
from .contract import ClassMark
from .curves.model import PALETTE

ALPHA = 0.45  # how much a mask's class colour covers the image
COLORS = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in PALETTE], dtype=np.float64)
MIME = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "tiff": "image/tiff",
    "tif": "image/tiff",
}


def mime_of(record: dict[str, Any]) -> str:
    """The MIME type of an image record (its ``format``, else its file's extension)."""
    fmt = str(record.get("format") or str(record.get("path", "")).rpartition(".")[2]).lower()
    return MIME.get(fmt, "application/octet-stream")


def image_file(store: Store, record: dict[str, Any], marks: bool = True) -> tuple[bytes, str]:
    """An image record's file and MIME type, its masks and boxes painted on (a PNG's)
    unless ``marks`` is False; b"" when the store cannot read it."""
    mime = mime_of(record)
    try:
        data = store.media(record["path"])
    except Exception:
        return b"", mime
    if marks and data and mime == "image/png" and (record.get("masks") or record.get("boxes")):
        data = overlaid(data, record, store.media)
    return data, mime


def legend(record: dict[str, Any]) -> list[ClassMark]:
    """The classes an image record's masks and boxes name (their ``class_labels``, else
    its ``classes``), by id, each in the colour it is painted in; a mask's class 0 (the
    background, left clear) only when a box names it too; none for a file ``image_file``
    does not paint (no PNG)."""
    if mime_of(record) != "image/png":
        return []
    names: dict[int, str] = {}
    for entry in record.get("classes") or []:
        if isinstance(entry, dict) and isinstance(entry.get("id"), int):
            names[entry["id"]] = str(entry.get("name", entry["id"]))
    shown: dict[int, str] = {}
    for kind in ("masks", "boxes"):
        for group in (record.get(kind) or {}).values():
            labels = group.get("class_labels") or {}
            ids = {int(k) for k in labels if str(k).lstrip("-").isdigit()}
            if kind == "boxes":
                ids |= {_class_id(box) for box in group.get("box_data") or []}
            for i in ids:
                if kind == "boxes" or i != 0:
                    shown.setdefault(i, str(labels.get(str(i), names.get(i, f"class {i}"))))
    return [{"id": i, "name": shown[i], "color": PALETTE[i % len(PALETTE)]} for i in sorted(shown)]


def overlaid(data: bytes, record: dict[str, Any], read: Callable[[str], bytes]) -> bytes:
    """``data`` (the image's PNG) with ``record``'s masks and boxes painted on, as PNG;
    ``data`` itself when it is no PNG wbnb decodes (``read``: a mask file's bytes by path)."""
    pixels = decode_png(data)
    if pixels is None:
        return data
    rgb = np.repeat(pixels[..., None], 3, axis=2) if pixels.ndim == 2 else pixels[..., :3]
    out = rgb.astype(np.float64)
    height, width = out.shape[:2]
    for mask in _groups(record.get("masks")):
        try:
            ids = decode_png(read(mask["path"]))
        except Exception:
            ids = None
        if ids is None or ids.shape[:2] != (height, width):
            continue
        ids = ids if ids.ndim == 2 else ids[..., 0]
        on = ids > 0
        out[on] = (1 - ALPHA) * out[on] + ALPHA * COLORS[ids[on].astype(np.int64) % len(COLORS)]
    for group in _groups(record.get("boxes")):
        boxes = group.get("box_data")
        for box in boxes if isinstance(boxes, list) else []:
            edges = _box(box, width, height)
            if edges is not None:
                _outline(out, *edges, COLORS[_class_id(box) % len(COLORS)])
    return encode_png(np.ascontiguousarray(np.clip(out.round(), 0, 255).astype(np.uint8)))


def _groups(v: Any) -> list[dict[str, Any]]:
    """The named groups of an image's ``masks`` or ``boxes`` (a dict of dicts; read
    defensively: any client may log any record)."""
    return [g for g in v.values() if isinstance(g, dict)] if isinstance(v, dict) else []


def _class_id(box: dict[str, Any]) -> int:
    try:
        return int(box.get("class_id") or 0)
    except (TypeError, ValueError):
        return 0


def _box(box: dict[str, Any], width: int, height: int) -> tuple[int, int, int, int] | None:
    """A box's left, top, right, bottom in pixels: its position in pixels when its
    ``domain`` is "pixel", else in fractions of the image (wandb's default)."""
    try:
        p = box["position"]
        if "middle" in p:
            (mx, my), w, h = p["middle"], float(p["width"]), float(p["height"])
            x0, x1, y0, y1 = float(mx) - w / 2, float(mx) + w / 2, float(my) - h / 2, float(my) + h / 2
        else:
            x0, x1, y0, y1 = (float(p[k]) for k in ("minX", "maxX", "minY", "maxY"))
    except (KeyError, TypeError, ValueError):
        return None
    if box.get("domain") != "pixel":
        x0, x1, y0, y1 = x0 * width, x1 * width, y0 * height, y1 * height
    if not all(np.isfinite((x0, x1, y0, y1))):
        return None
    return round(x0), round(y0), round(x1), round(y1)


def _outline(out: np.ndarray, x0: int, y0: int, x1: int, y1: int, color: np.ndarray) -> None:
    """A 2 px (1 px on small images) rectangle, clipped to the image."""
    height, width = out.shape[:2]
    t = 2 if min(width, height) >= 64 else 1
    left, right = max(0, min(x0, x1)), min(width, max(x0, x1))
    top, bottom = max(0, min(y0, y1)), min(height, max(y0, y1))
    if left >= right or top >= bottom:
        return
    out[top : min(bottom, top + t), left:right] = color
    out[max(top, bottom - t) : bottom, left:right] = color
    out[top:bottom, left : min(right, left + t)] = color
    out[top:bottom, max(left, right - t) : right] = color
