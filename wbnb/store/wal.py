"""An append-only log of framed records, written through a shared memory map.

Why a memory map: a record copied into a ``MAP_SHARED`` mapping is in the kernel's
page cache as soon as the copy returns, so it survives the process being SIGKILLed,
and the copy costs about a microsecond where a ``write()`` syscall costs two.

Frame: ``<u32 payload length><u32 crc32(payload)><payload>``. ``decode_frames`` is the
one decoder every read path uses, so they all agree on what a log holds:

- it returns the intact records and never a torn one (one being copied right now, or
  cut short by the process dying): a reader sees it on its next poll;
- damage in the middle (a page zeroed by a power cut, a flipped byte, a checksum that
  holds over bytes that are no record) is skipped: it resynchronises at the next frame
  whose header and checksum hold, and the readers warn once naming the file, the byte
  offset and how many bytes were skipped (``report_damage``);
- after the last intact frame, zeros are preallocated padding, and other bytes are a
  record being written or the torn record of a killed writer: readers stop before
  them, unless the file ends right after them (``close`` and recovery cut the padding,
  so nothing more is coming there): then they are damage too.

Nothing here deletes a byte of a log: a writer reopening one appends after everything
in it but the zero padding (``append_point``).

The mapping is a window that slides along the file, so a long run does not grow the
process's memory. Each window's blocks are allocated with ``posix_fallocate`` before
it is mapped: a full disk then raises ``OSError`` here instead of a SIGBUS later.
Windows grow with the log (64 KiB to 4 MiB), so a short run preallocates little.
"""

from __future__ import annotations

import marshal
import mmap
import os
import struct
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zlib import crc32

HEADER = struct.Struct("<II")
_GRAIN = mmap.ALLOCATIONGRANULARITY
WINDOW = 4 << 20  # the largest window
MIN_WINDOW = 64 << 10  # the first window of a new log
MARSHAL_VERSION = 2  # pinned: every Python 3 reads it, and unlike 3+ it builds no reference table (0.5 µs a record)
# The first payload byte of every record this store writes: a tuple, a list or a dict
# (marshal 2 has no reference flag). Resynchronising only tries frames that start so.
_RECORD_STARTS = (b"(", b"[", b"{")
_CUT = 8  # at most this many zero bytes end a record (a float 0.0): more after the last record are padding
Reread = Callable[[int, int], bytes]
NOT_A_RECORD = (ValueError, EOFError, TypeError)  # what marshal.loads raises for bytes that are no record


class DamageWarning(RuntimeWarning):
    """A log holds bytes that are no intact record; readers skip them."""


def encode(record: Any) -> bytes:
    """Serialise one record (a tuple, list or dict of str, int, float, bool, None)."""
    return marshal.dumps(record, MARSHAL_VERSION)


@dataclass
class Frames:
    """What ``decode_frames`` found: the records, where each one's frame starts, where a
    reader goes on (past the last intact frame), and the ``(offset, length)`` of each
    stretch of bytes it skipped as damage."""

    records: list[Any]
    offsets: list[int]
    end: int
    damaged: list[tuple[int, int]]


def decode_frames(data: bytes, reread: Reread | None = None, loads: Callable[[bytes], Any] = marshal.loads) -> Frames:
    """Decode the frames of a stretch of log read up to the end of its file (see the
    module docstring for what is skipped and where it stops).

    ``reread(offset, length)`` reads bytes of ``data`` from the file again: a frame that
    looks damaged while a valid one follows may have been half copied when ``data`` was
    read, and complete now (the writer finishes a record before it starts the next), so
    it is read again before it counts as damage. ``loads=len`` walks the frames without
    decoding them."""
    records: list[Any] = []
    offsets: list[int] = []
    damaged: list[tuple[int, int]] = []
    pos, size = 0, len(data)
    while True:
        pos = _intact(data, pos, records, offsets, damaged, loads)
        if pos == size:
            break  # a closed log, a stretch of whole frames
        nxt = next_frame(data, pos)
        if nxt is None:
            if not _cut(data, pos):
                break  # zeros, or a record still being written: the next poll sees it
            nxt = size
        if reread is not None:
            again = decode_frames(reread(pos, nxt - pos), None, loads)
            if not again.damaged and again.end == nxt - pos:  # it was being written: it is whole now
                records += again.records
                offsets += [pos + o for o in again.offsets]
                pos = nxt
                continue
        damaged.append((pos, nxt - pos))
        if nxt == size:
            break  # a damaged end: a reader stays before it, where a resumed writer's records follow it
        pos = nxt
    return Frames(records, offsets, pos, damaged)


def _intact(
    data: bytes,
    pos: int,
    records: list[Any],
    offsets: list[int],
    damaged: list[tuple[int, int]],
    loads: Callable[[bytes], Any],
) -> int:
    """Decode consecutive intact frames from ``pos``; return where they stop. The tight
    loop of every read (noting offsets costs ~2%)."""
    append, note, unpack = records.append, offsets.append, HEADER.unpack_from
    size = len(data)
    while pos + 8 <= size:
        length, check = unpack(data, pos)
        end = pos + 8 + length
        if length == 0 or end > size:
            break
        payload = data[pos + 8 : end]
        if crc32(payload) != check:
            break
        try:
            append(loads(payload))
        except NOT_A_RECORD:
            damaged.append((pos, end - pos))  # a checksum that holds over bytes that are no record
        else:
            note(pos)
        pos = end
    return pos


def next_frame(data: bytes, pos: int) -> int | None:
    """The first offset after ``pos`` where a frame's header and checksum hold and its
    payload starts as a record does, or None: where a reader resynchronises."""
    size = len(data)
    ahead = [data.find(c, pos + 9) for c in _RECORD_STARTS]
    while True:
        at = min((a for a in ahead if a >= 0), default=-1)
        if at < 0:
            return None
        start = at - 8
        length, check = HEADER.unpack_from(data, start)
        if 0 < length <= size - at and crc32(data[at : at + length]) == check:
            return start
        i = ahead.index(at)
        ahead[i] = data.find(_RECORD_STARTS[i], at + 1)


def _cut(data: bytes, pos: int) -> bool:
    """Whether bytes that are no frame end the file at ``pos``: not zero padding (a
    closed log ends at its last record), so nothing more is coming there."""
    return bool(data[max(pos, len(data) - _CUT - 1) :].strip(b"\0"))


def quiet_end(data: bytes, pos: int) -> bool:
    """Whether a walk over frames that stopped at ``pos`` reached the end of what a
    reader sees (``decode_frames`` stops there too, without skipping anything)."""
    return next_frame(data, pos) is None and not _cut(data, pos)


def append_point(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """Where a writer reopening a log (whose writer is gone) appends, and the damage it
    found on the way: past the last intact frame and past any bytes after it that are
    not zero padding (the torn record of a killed writer, a damaged end): they are
    kept, and a reader will skip them."""
    frames = decode_frames(data, loads=len)
    end, size = frames.end, len(data)
    damaged = [d for d in frames.damaged if d[0] < end]
    stop = data_end(data, end)
    if stop > end:
        length = HEADER.unpack_from(data, end)[0] if end + 8 <= size else 0
        if 0 < length <= size - end - 8:
            stop = max(stop, end + 8 + length)  # keep the whole of a torn record's claimed frame
        damaged.append((end, stop - end))
    return stop, damaged


def data_end(data: bytes, start: int = 0) -> int:
    """Past the last byte at or after ``start`` that is not zero, or ``start``."""
    end = len(data)
    while end > start:
        lo = max(start, end - (1 << 16))
        kept = data[lo:end].rstrip(b"\0")
        if kept:
            return lo + len(kept)
        end = lo
    return start


_REPORTED: set[tuple[str, int, int]] = set()


def report_damage(path: str | os.PathLike[str], base: int, damaged: list[tuple[int, int]]) -> None:
    """Warn once per process about damage a reader skipped in ``path`` (offsets counted
    from ``base``): one warning per read, naming where the first new stretch starts."""
    where = os.fspath(path)
    new = sorted((base + o, n) for o, n in damaged if (where, base + o, n) not in _REPORTED)
    if not new:
        return
    _REPORTED.update((where, o, n) for o, n in new)
    (at, n), more = new[0], new[1:]
    also = f", and {sum(m for _, m in more)} bytes in {len(more)} more places" if more else ""
    warnings.warn(
        f"wbnb: {where} is damaged: skipped {n} bytes at byte {at}{also}. The records before and "
        "after the damage are read; the file is left as it is.",
        DamageWarning,
        stacklevel=3,
    )


def read_from(path: str | os.PathLike[str], start: int = 0) -> bytes | None:
    """The bytes of a log from ``start`` to its end; None when there is no such file."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            return f.read()
    except FileNotFoundError:
        return None


def rereader(path: str | os.PathLike[str], base: int) -> Reread:
    """``decode_frames``' ``reread`` for bytes read from ``path`` at ``base``."""

    def reread(offset: int, length: int) -> bytes:
        try:
            with open(path, "rb") as f:
                f.seek(base + offset)
                return f.read(length)
        except OSError:
            return b""

    return reread


def frame_size(data: bytes, pos: int) -> int:
    """Bytes of the frame at ``pos``: header and payload."""
    return 8 + HEADER.unpack_from(data, pos)[0]


def read_records(path: str | os.PathLike[str], cursor: int = 0) -> tuple[list[Any], int]:
    """Read the records of an ``events`` / ``console`` log (dicts) after byte offset
    ``cursor``; return them and the new cursor. Anything else is skipped as damage.

    A reader that polls passes the returned cursor back in to get only what is new.
    A missing file reads as empty.
    """
    data = read_from(path, cursor)
    if data is None:
        return [], cursor
    frames = decode_frames(data, rereader(path, cursor))
    records: list[Any] = []
    damaged = frames.damaged
    for rec, pos in zip(frames.records, frames.offsets):
        if type(rec) is dict:
            records.append(rec)
        else:
            damaged.append((pos, frame_size(data, pos)))
    report_damage(path, cursor, damaged)
    return records, cursor + frames.end


class LogWriter:
    """Appends framed records to one file; one writer per file at a time."""

    def __init__(self, path: str | os.PathLike[str], window: int = WINDOW) -> None:
        self.path = os.fspath(path)
        self._window = max(_GRAIN, window - window % _GRAIN)  # the largest window
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._map: mmap.mmap | None = None
        self._base = 0  # file offset of the mapped window
        self._pos = 0  # write position inside the window
        self._limit = 0  # window length
        self._retry_at = 0.0  # after a failed allocation (a full disk): when to try again
        self._pause = 0.0
        self._full = OSError()
        try:
            # Reopening (a resumed run): append after everything but the zero padding.
            with open(self.path, "rb") as f:
                start, damaged = append_point(f.read())
            report_damage(self.path, 0, damaged)
            self.intact = not damaged  # every frame before ``start`` verified: compaction need not check them
            self._open_window(start, 0)
        except BaseException:
            os.close(self._fd)
            raise

    @property
    def size(self) -> int:
        """Where the next record goes: the end of the log's data."""
        return self._base + self._pos

    def append(self, payload: bytes) -> None:
        """Make one encoded record durable against the process dying; hot path."""
        n = len(payload)
        pos = self._pos
        if pos + 8 + n > self._limit:
            self._open_window(self._base + pos, 8 + n)
            pos = self._pos
        # One copy of header + payload: if the process dies mid-copy, the checksum
        # fails and readers never return this record (log() had not returned).
        self._map[pos : pos + 8 + n] = HEADER.pack(n, crc32(payload)) + payload  # type: ignore[index]
        self._pos = pos + 8 + n

    def _open_window(self, offset: int, need: int) -> None:
        if self._fd < 0:
            raise ValueError(f"{self.path} is closed")
        if self._retry_at and time.monotonic() < self._retry_at:
            raise OSError(self._full.errno, self._full.strerror)  # the disk was full a moment ago
        base = offset - offset % _GRAIN
        # Preallocate as much as the log holds already (64 KiB up to the largest window):
        # the file at most doubles, so a short run does not hold 4 x 4 MiB.
        length = max(min(max(offset, MIN_WINDOW), self._window), (offset - base) + need + _GRAIN)
        length -= length % _GRAIN
        try:
            os.posix_fallocate(self._fd, base, length)
        except OSError as e:
            # A full disk: retrying on every record would cost each log() the failed
            # allocation (~2 ms); try again after a pause doubling from 1 ms to 1 s.
            self._full = e
            self._pause = min(max(2 * self._pause, 0.001), 1.0)
            self._retry_at = time.monotonic() + self._pause
            raise
        self._retry_at = self._pause = 0.0
        new = mmap.mmap(self._fd, length, offset=base)
        if self._map is not None:
            self._map.close()
        self._map, self._base, self._pos, self._limit = new, base, offset - base, length

    def flush(self, sync: bool = False) -> None:
        """Write dirty pages back (and ``fsync`` when ``sync``): power-loss safety."""
        if self._map is not None:
            self._map.flush()
            if sync:
                os.fsync(self._fd)

    def close(self, sync: bool = True) -> None:
        """Trim the padding after the last record and close; idempotent."""
        if self._map is None:
            return
        end = self.size
        fd, self._fd, self._limit = self._fd, -1, -1  # an append after this raises ValueError
        try:
            self._map.flush()
        finally:
            self._map.close()
            self._map = None
            try:
                os.ftruncate(fd, end)  # the zero padding after the last record
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
