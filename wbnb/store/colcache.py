"""The columnar cache of a row log: what ``colread.read_columns`` returns for the first
part of a log, kept next to it (``history.wal`` -> ``history.cols``), so that reading a
long history again costs a map of the columns instead of decoding every record.

A cache names the stretch of its log it covers: the byte length and the crc32 of those
bytes. Logs only ever grow after their records, so a cache stays true of its log however
much is appended later; the reader decodes only what comes after it. A cache that does
not match its log (cut short, replaced, damaged since: a zeroed page, a flipped byte),
or whose header or any column fails its checksum, is ignored: the log is the truth, the
cache only saves time, and any process may rewrite it. A process checks a file's
columns, and the stretch of log it covers, the first time it reads that file (same
inode, size and times) only (a crc32 pass: ~0.4 ms per MiB of log).

File: ``MAGIC``, ``<u32 header length, u32 crc32(header)>``, the header, then the
columns, each at an 8-byte boundary. The header is marshal ``{"covers": (bytes, crc32
of them), "rows": n, "schemas": {id: keys}, "damaged": [(offset, length)], "columns":
[(name, kind, offset, length, crc32)]}`` with offsets counted from the first 8-byte
boundary after the header; ``damaged``: what the stretch's decoding skipped (readers
report it as a decoding would); ``kind`` is ``"<i8"`` / ``"<f8"`` (raw array bytes) or
``"list"`` (the marshal of a list column). A new cache is written to a temporary file
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

MAGIC = b"WBNBCOL2"
_PREFIX = struct.Struct("<II")  # header length, crc32(header)


@dataclass
class Cached:
    """A cache read back and checked: ``cols`` for the first ``rows`` rows (steps), which
    the first ``covers`` bytes of the log hold (their crc32: ``crc``); ``schemas``
    declared there; ``damaged``: the ``(offset, length)`` of what was skipped there."""

    cols: dict[str, Any]
    rows: int
    covers: int
    crc: int
    schemas: dict[int, tuple[str, ...]]
    damaged: list[tuple[int, int]]


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
    return Cached(cols, rows, covers[0], covers[1], h["schemas"], h["damaged"])


def save(
    log: Path,
    cols: dict[str, Any],
    rows: int,
    covers: tuple[int, int],
    schemas: dict[int, tuple[str, ...]],
    damaged: list[tuple[int, int]],
) -> None:
    """Write the cache of ``log``: ``cols`` (``read_columns``' form, ``rows`` long) are
    what its first ``covers[0]`` bytes (whose crc32 is ``covers[1]``: the reader has
    them) hold, skipping ``damaged``. Raises ``OSError`` (read-only store, full disk)."""
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
        {
            "covers": covers,
            "rows": rows,
            "schemas": schemas,
            "damaged": damaged,
            "columns": table,
        },
        MARSHAL_VERSION,
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
        _remember(log, covers)
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


def fingerprint(log: Path, covers: int) -> tuple[int, int] | None:
    """``(covers, crc32 of the first covers bytes of log)``; None when the log is
    shorter (or gone). Every byte counts: damage since the cache was written (a page a
    power cut zeroed, a flipped byte) must not go unseen behind it."""
    try:
        with open(log, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_size < covers or covers <= 0:
                return None
            crc = _SUMS.get(_identity(st, covers))
            if crc is None:
                with mmap.mmap(f.fileno(), covers, access=mmap.ACCESS_READ) as mm:
                    crc = crc32(mm)
                _remember(log, (covers, crc))
    except (OSError, ValueError):
        return None
    return covers, crc


def _identity(st: os.stat_result, covers: int) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, covers)


def _remember(log: Path, covers: tuple[int, int]) -> None:
    """Note the crc32 of a stretch of ``log`` this process has just summed."""
    try:
        _SUMS[_identity(os.stat(log), covers[0])] = covers[1]
    except OSError:
        return
    while len(_SUMS) > 256:
        _SUMS.pop(next(iter(_SUMS)))


# crc32 of the covered stretches of logs this process has read, by the log's identity
# (any write changes its times): a finished log is summed once per process.
_SUMS: dict[tuple[int, ...], int] = {}


def _aligned(n: int) -> int:
    return -(-n // 8) * 8
