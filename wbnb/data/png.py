"""A minimal PNG encoder (numpy + zlib) so logging arrays never needs Pillow."""

from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour types by channel count: grey, RGB, RGBA.
_COLOR_TYPE = {1: 0, 3: 2, 4: 6}
# Level 1 is several times faster than the default and only slightly larger for images.
_ZLIB_LEVEL = 1


def _chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(payload, zlib.crc32(kind))
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def encode_png(array: np.ndarray) -> bytes:
    """Encode a uint8 array of shape (H, W), (H, W, 3) or (H, W, 4) as PNG bytes."""
    if array.dtype != np.uint8:
        raise ValueError(f"encode_png expects a uint8 array, got dtype {array.dtype}")
    channels = 1 if array.ndim == 2 else array.shape[-1] if array.ndim == 3 else 0
    if channels not in _COLOR_TYPE or 0 in array.shape:
        raise ValueError(
            f"encode_png expects a non-empty (H, W), (H, W, 3) or (H, W, 4) array, got shape {array.shape}"
        )
    height, width = array.shape[:2]
    # Every scanline starts with its filter byte; 0 means "no filter".
    raw = np.zeros((height, 1 + width * channels), dtype=np.uint8)
    raw[:, 1:] = array.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return b"".join(
        [
            _SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(raw.tobytes(), _ZLIB_LEVEL)),
            _chunk(b"IEND", b""),
        ]
    )


def png_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) from a PNG header, or None if ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def decode_png(data: bytes) -> np.ndarray | None:
    """Pixels (uint8, (H, W), (H, W, 3) or (H, W, 4)) of an 8-bit, non-interlaced grey,
    RGB or RGBA PNG whose rows use filters None, Sub or Up (what ``encode_png`` writes:
    None), else None. The other filters (Average, Paeth) depend on the pixel just decoded
    and cannot be undone with whole-array numpy operations; callers fall back to Pillow."""
    if png_size(data) is None:
        return None
    pos, idat, header = 8, [], None
    try:
        while pos + 8 <= len(data):
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            payload = data[pos + 8 : pos + 8 + length]
            pos += 12 + length
            if kind == b"IHDR":
                header = struct.unpack(">IIBBBBB", payload)
            elif kind == b"IDAT":
                idat.append(payload)
            elif kind == b"IEND":
                break
        if header is None:
            return None
        width, height, depth, color, _comp, _filter, interlace = header
        channels = {v: k for k, v in _COLOR_TYPE.items()}.get(color)
        if depth != 8 or channels is None or interlace:
            return None
        stride = width * channels
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
        if raw.size != height * (stride + 1):
            return None
    except (struct.error, zlib.error, ValueError):
        return None
    rows = raw.reshape(height, stride + 1)
    filters, pixels = rows[:, 0], rows[:, 1:].copy()
    if np.any(filters > 2):
        return None
    for y in np.flatnonzero(filters):  # rows without a filter are already their pixels
        if filters[y] == 1:  # Sub: each byte adds the one a pixel to its left, mod 256
            row = pixels[y].reshape(width, channels).astype(np.int64)
            pixels[y] = (np.cumsum(row, axis=0) % 256).astype(np.uint8).ravel()
        else:  # Up: adds the byte above
            pixels[y] = pixels[y] + (pixels[y - 1] if y else 0)
    shape = (height, width) if channels == 1 else (height, width, channels)
    return pixels.reshape(shape)


def shrink(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """``pixels`` scaled down by a whole factor (averaging blocks) so that neither side
    exceeds ``max_side`` much; unchanged when already small enough."""
    height, width = pixels.shape[:2]
    factor = -(-max(height, width) // max(1, max_side))
    if factor <= 1:
        return pixels
    h, w = max(1, height // factor), max(1, width // factor)
    block = pixels[: h * factor, : w * factor].astype(np.float32)
    block = block.reshape(h, factor, w, factor, *pixels.shape[2:]).mean(axis=(1, 3))
    return np.round(block).astype(np.uint8)
