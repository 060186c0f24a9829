"""crc32 of many byte strings of one length at once, with numpy: the checksums of a run of
fixed-layout frames (``fastdecode``) without a Python call per frame."""

from __future__ import annotations

import functools
from typing import Any
from zlib import crc32


@functools.lru_cache(maxsize=8)
def _crc_tables(length: int) -> tuple[int, Any]:
    """crc32 of ``length`` zero bytes, and ``T[j, v]``: how byte ``v`` at position ``j``
    changes it. CRC32 is affine over GF(2) for a fixed length, so the crc32 of any
    ``length`` bytes ``m`` is ``zero ^ T[0, m[0]] ^ T[1, m[1]] ^ ...`` (and linear in each
    byte's bits, so 8 crc32 calls per position make its whole row)."""
    import numpy as np

    zero = crc32(bytes(length))
    buf = bytearray(length)
    bits = np.empty((length, 8), dtype=np.uint32)
    for j in range(length):
        for b in range(8):
            buf[j] = 1 << b
            bits[j, b] = crc32(buf) ^ zero
        buf[j] = 0
    table = np.zeros((256, length), dtype=np.uint32)
    for v in range(1, 256):
        low = v & -v
        table[v] = table[v ^ low] ^ bits[:, low.bit_length() - 1]
    return zero, np.ascontiguousarray(table.T)


def crc32_rows(payloads: Any) -> Any:
    """crc32 of each row of an (n, length) uint8 array, all rows at once: byte positions
    that never change fold into one constant, the others are table lookups per column
    (in chunks that stay in cache). ~2x faster than calling crc32 per row."""
    import numpy as np

    n, length = payloads.shape
    zero, table = _crc_tables(length)
    const = (payloads == payloads[0]).all(axis=0)
    base = zero
    for j in np.flatnonzero(const):
        base ^= int(table[j, payloads[0, j]])
    varying = np.flatnonzero(~const)
    out = np.full(n, base, dtype=np.uint32)
    chunk = 1 << 15
    for a in range(0, n, chunk):
        cols = np.ascontiguousarray(payloads[a : a + chunk, varying].T)
        acc = out[a : a + chunk]
        for row, j in zip(cols, varying):
            acc ^= table[j].take(row)
    return out
