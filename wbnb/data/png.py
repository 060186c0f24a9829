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
