"""The columnar cache of a row log: what ``history.read_columns`` returns for the first
part of a log, kept next to it (``history.wal`` -> ``history.cols``), so that reading a
long history again costs a map of the columns instead of decoding every record.

A cache names the stretch of its log it covers: the byte length, and checksums of that
stretch's first and last 4 KiB. Logs only ever grow after their intact records, so a
cache stays true of its log however much is appended later; the reader decodes only
what comes after it. A cache that does not match its log (cut short, replaced), or whose
header or any column fails its checksum, is ignored: the log is the truth, the cache
only saves time, and any process may rewrite it. A process checks a file's columns the
first time it reads that file (same inode, size and times) only.

File: ``MAGIC``, ``<u32 header length, u32 crc32(header)>``, the header, then the
columns, each at an 8-byte boundary. The header is marshal ``{"covers": (bytes, crc of
the first 4 KiB, crc of the last 4 KiB), "rows": n, "schemas": {id: keys},
"columns": [(name, kind, offset, length, crc32)]}`` with offsets counted from the first
8-byte boundary after the header; ``kind`` is ``"<i8"`` / ``"<f8"`` (raw array bytes)
or ``"list"`` (the marshal of a list column). A new cache is written to a temporary file
and renamed over the old one, so a reader sees one whole file or the other.
"""

from __future__ import annotations

import marshal
import mmap
import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zlib import crc32

import numpy as np

from .wal import MARSHAL_VERSION

MAGIC = b"WBNBCOL1"
_PREFIX = struct.Struct("<II")  # header length, crc32(header)
_EDGE = 4096  # bytes of the log checksummed at each end of the covered stretch


@dataclass
class Cached:
    """A cache read back and checked: ``cols`` for the first ``rows`` rows (steps), which
    the first ``covers`` bytes of the log hold; ``schemas`` declared there."""

    cols: dict[str, Any]
    rows: int
    covers: int
    schemas: dict[int, tuple[str, ...]]


def cache_path(log: Path) -> Path:
    """Where the cache of the row log ``log`` lives."""
    return log.with_suffix(".cols")


def load(log: Path) -> Cached | None:
    """The cache of ``log`` if there is one that matches it and is intact, else None.

    Numeric columns are arrays over a private copy-on-write map of the file: no copy is
    made, and a caller that writes into one changes only its own pages."""
    try:
        with open(cache_path(log), "rb") as f:
            st = os.fstat(f.fileno())
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
    except (OSError, ValueError):  # missing, unreadable, or empty
        return None
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    try:
        got = _parse(log, mm, checked=identity in _CHECKED)
    except Exception:
        return None
    if got is not None:
        _CHECKED[identity] = None
        while len(_CHECKED) > 256:
            _CHECKED.pop(next(iter(_CHECKED)))
    return got


# Cache files whose columns this process has checksummed already, by identity (a cache is
# only ever replaced by a rename, so a new one is a new inode): reading the same file
# again skips the column checksums, ~40 ms for a 10 x 1M-step history.
_CHECKED: dict[tuple[int, ...], None] = {}


def _parse(log: Path, mm: mmap.mmap, checked: bool = False) -> Cached | None:
    if mm[: len(MAGIC)] != MAGIC:
        return None
    length, check = _PREFIX.unpack_from(mm, len(MAGIC))
    start = len(MAGIC) + _PREFIX.size
    header = mm[start : start + length]
    if len(header) != length or crc32(header) != check:
        return None
    h = marshal.loads(header)
    covers, rows = h["covers"], h["rows"]
    if fingerprint(log, covers[0]) != covers:
        return None
    base = _aligned(start + length)
    view = memoryview(mm)
    cols: dict[str, Any] = {}
    for name, kind, offset, size, check in h["columns"]:
        at = base + offset
        if at + size > len(mm) or (not checked and crc32(view[at : at + size]) != check):
            return None
        if kind == "list":
            col = marshal.loads(view[at : at + size])
        else:
            col = np.frombuffer(mm, dtype=kind, count=size // 8, offset=at)
        if len(col) != rows:
            return None
        cols[name] = col
    return Cached(cols, rows, covers[0], h["schemas"])


def save(log: Path, cols: dict[str, Any], rows: int, covers: int, schemas: dict[int, tuple[str, ...]]) -> None:
    """Write the cache of ``log``: ``cols`` (``read_columns``' form, ``rows`` long) are
    what its first ``covers`` bytes hold. Raises ``OSError`` (read-only store, full disk)."""
    blobs: list[tuple[str, str, Any]] = []
    for name, col in cols.items():
        if isinstance(col, np.ndarray):
            kind = "<i8" if col.dtype.kind in "iu" else "<f8"
            blobs.append((name, kind, np.ascontiguousarray(col, dtype=kind)))
        else:
            blobs.append((name, "list", marshal.dumps(list(col), MARSHAL_VERSION)))
    table, offset = [], 0
    for name, kind, blob in blobs:
        size = memoryview(blob).nbytes
        table.append((name, kind, offset, size, crc32(blob)))
        offset = _aligned(offset + size)
    header = marshal.dumps(
        {"covers": fingerprint(log, covers), "rows": rows, "schemas": schemas, "columns": table}, MARSHAL_VERSION
    )
    path = cache_path(log)
    _drop_orphans(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            lead = MAGIC + _PREFIX.pack(len(header), crc32(header)) + header
            f.write(lead + bytes(_aligned(len(lead)) - len(lead)))
            for _, _, blob in blobs:
                size = memoryview(blob).nbytes
                f.write(blob)
                f.write(bytes(_aligned(size) - size))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _drop_orphans(path: Path) -> None:
    """Remove temp files of this cache left by processes killed while writing them."""
    for tmp in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            pid = int(tmp.name[len(path.name) + 2 :].split(".")[0])
            os.kill(pid, 0)
        except ValueError:
            continue  # not one of ours
        except ProcessLookupError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        except OSError:
            continue  # alive, another user's process


def fingerprint(log: Path, covers: int) -> tuple[int, int, int] | None:
    """``(covers, crc32 of the first 4 KiB, crc32 of the last 4 KiB)`` of the first
    ``covers`` bytes of ``log``; None when the log is shorter (or gone)."""
    edge = min(covers, _EDGE)
    try:
        with open(log, "rb") as f:
            first = f.read(edge)
            f.seek(covers - edge)
            last = f.read(edge)
    except OSError:
        return None
    if len(last) < edge:
        return None
    return covers, crc32(first), crc32(last)


def _aligned(n: int) -> int:
    return -(-n // 8) * 8
