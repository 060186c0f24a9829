"""Metric rows on top of the append log: a compact codec and a cursor-based reader.

A row is ``{key: value}`` at a step. Writing the key names in every record would make
decoding four times slower, so each distinct key tuple is declared once as a schema
record, the marshal *list* ``["S", schema_id, keys]``, and rows are marshal *tuples*
``(schema_id, step, timestamp, runtime, *values)``. The first payload byte (``[`` or
``(``) tells them apart without decoding, which lets a sampler skip most rows.

Records that share a step (``log(..., commit=False)`` or repeated explicit steps) are
always consecutive, because steps never go backwards; readers merge them.

Every path (``read_rows``, ``read_columns`` whole, sampled or cached,
``read_columns_to_follow``) skips the same damage: what ``wal.decode_frames`` skips, and
records whose checksum holds but that are no row (``_is_row``) or schema
(``_declare``), such as a row of a schema never declared.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any
from zlib import crc32

from .wal import (
    HEADER,
    NOT_A_RECORD,
    LogWriter,
    Reread,
    decode_frames,
    encode,
    frame_size,
    quiet_end,
    read_from,
    report_damage,
    rereader,
)

RESERVED = ("_step", "_timestamp", "_runtime")


class RowWriter:
    """Encodes rows for one log file; owns that file's schema table.

    Storage errors go to ``on_error`` instead of raising: the training loop that calls
    ``append`` must keep running when the disk fills up.
    """

    def __init__(
        self,
        log: LogWriter,
        known: Mapping[tuple[str, ...], int] | None = None,
        on_error: Callable[[OSError], None] | None = None,
    ) -> None:
        self.log = log
        self._schemas: dict[tuple[str, ...], int] = dict(known or {})
        # Past every id known: a declaration lost to damage must not have its id reused.
        self._next_id = max(self._schemas.values(), default=-1) + 1
        self._on_error = on_error

    def append(self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]) -> None:
        """Append one row durably; hot path of ``Run.log``, which already holds the key
        tuple (so it is not built twice) and passes ``row.values()``."""
        try:
            sid = self._schemas.get(keys)
            if sid is None:
                self.log.append(encode(["S", self._next_id, keys]))
                sid = self._schemas[keys] = self._next_id
                self._next_id += 1
            self.log.append(encode((sid, step, timestamp, runtime, *values)))
        except (OSError, ValueError) as e:  # ValueError: the map is closed (run finished)
            if self._on_error is None:
                raise
            self._on_error(e if isinstance(e, OSError) else OSError(str(e)))


@dataclass
class Cursor:
    """Where a reader is in one row log: byte offset plus the schemas seen so far."""

    offset: int = 0
    schemas: dict[int, tuple[str, ...]] = field(default_factory=dict)


def read_rows(path: str | os.PathLike[str], cursor: Cursor | None = None) -> tuple[list[tuple], Cursor]:
    """Read raw rows ``(keys, step, timestamp, runtime, values)`` written after ``cursor``.

    Returns the rows and an advanced cursor; pass it back in to read only what is new.
    """
    cursor = cursor or Cursor()
    data = read_from(path, cursor.offset)
    if data is None:
        return [], cursor
    schemas = dict(cursor.schemas)
    part = _parse_rows(data, schemas, rereader(path, cursor.offset), resolve=True)
    report_damage(path, cursor.offset, part.damaged)
    return part.raw, Cursor(cursor.offset + part.end, schemas)


def _is_row(rec: Any, keys_of: Callable[[Any], tuple[str, ...] | None]) -> bool:
    """Whether ``rec`` is a row record ``(schema_id, step, timestamp, runtime, *values)``
    of a schema declared before it (``keys_of``: ``get`` of the schemas so far)."""
    try:
        return type(rec) is tuple and len(rec) == len(keys_of(rec[0])) + 4 and type(rec[1]) is int  # type: ignore[arg-type]
    except (TypeError, IndexError):  # no such schema (len(None)), an unhashable id, ()
        return False


def _declare(rec: Any, schemas: dict[int, tuple[str, ...]]) -> bool:
    """Note a schema record ``["S", schema_id, keys]``; False when ``rec`` is none, or
    declares a known id as other keys (a writer never does)."""
    return (
        type(rec) is list
        and len(rec) == 3
        and rec[0] == "S"
        and type(rec[1]) is int
        and type(rec[2]) is tuple
        and all(type(k) is str for k in rec[2])
        and schemas.setdefault(rec[1], rec[2]) == rec[2]
    )


@dataclass
class _Rows:
    """The row records of a stretch of log (``raw``: as written, or as ``read_rows``
    returns them), where each one's frame starts, where a reader goes on, and what was
    skipped as damage."""

    raw: list[tuple]
    at: list[int]
    end: int
    damaged: list[tuple[int, int]]


def _parse_rows(
    data: bytes, schemas: dict[int, tuple[str, ...]], reread: Reread | None, resolve: bool = False
) -> _Rows:
    """Decode a stretch of row log; ``schemas`` (those declared before it) gets its
    declarations. Records that are neither a row nor a schema are damage. ``resolve``:
    rows as ``(keys, step, timestamp, runtime, values)``, not as written."""
    frames = decode_frames(data, reread)
    raw: list[tuple] = []
    at: list[int] = []
    damaged = frames.damaged
    keep, note, keys_of = raw.append, at.append, schemas.get
    for rec, pos in zip(frames.records, frames.offsets):
        if _is_row(rec, keys_of):
            keep((keys_of(rec[0]), rec[1], rec[2], rec[3], rec[4:]) if resolve else rec)
            note(pos)
        elif not _declare(rec, schemas):
            damaged.append((pos, frame_size(data, pos)))
    return _Rows(raw, at, frames.end, sorted(damaged))


COMPACT_MIN_BYTES = 1 << 20  # a smaller log decodes in ~10 ms: it gets no cache file


def read_columns(
    path: str | os.PathLike[str], samples: int | None = None, *, complete: bool = False, cache: bool = True
) -> dict[str, Any]:
    """A whole row log as columns, or ``samples`` evenly spaced steps of it: the shape
    every history reader wants, built the fast way.

    One row per step (the records of a step merged): ``_step``, ``_timestamp``,
    ``_runtime``, then the keys in the order they first appear. A column is int64 where
    every row has an int, float64 where its values are numbers and gaps (NaN), else a
    list (``None`` for a gap).

    A whole read goes through the log's columnar cache (``colcache``): the columns of
    the part it covers, plus the records written after it, decoded. A read that decodes
    much more than the cache covers leaves a new one (best effort: a read-only store
    goes without). ``complete``: the run is over, so no record of its last step is still
    to come and a cache may cover the whole log. ``cache=False``: decode the whole log
    and leave any cache alone.
    """
    if samples:
        data = read_from(path)
        if data is None:
            return {}
        rows = _sample(path, data, samples)
        if rows is not None:
            return numeric_arrays(columns(rows))
    if not cache:
        return _read_after(Path(path), None, complete, write=False) or {}
    return _read_cached(Path(path), complete)


def compact(path: str | os.PathLike[str], verify: bool = True) -> None:
    """Bring the columnar cache of a log that gets no more records up to date, so that
    its first read costs what the next ones do. For the writer that has just closed it:
    ``verify=False`` when every frame in it is intact (its own, or checked when it
    reopened the log, which found no damage), so that the checksums are not computed
    again (half the cost). Best effort: never raises."""
    # The cache only saves time: finishing a run must not fail for it.
    with contextlib.suppress(Exception):
        if os.path.getsize(path) >= COMPACT_MIN_BYTES:
            _read_cached(Path(path), complete=True, verify=verify)


def _read_cached(path: Path, complete: bool, verify: bool = True) -> dict[str, Any]:
    """``read_columns`` through the cache, or the whole log when the cache is unusable."""
    from . import colcache

    cached = colcache.load(path)
    if cached is not None:
        cols = _read_after(path, cached, complete, True, verify)
        if cols is not None:
            return cols
    return _read_after(path, None, complete, True, verify) or {}


def _read_after(path: Path, cached: Any, complete: bool, write: bool, verify: bool = True) -> dict[str, Any] | None:
    """``read_columns`` from ``cached`` (a ``colcache.Cached``, or None: the whole log)
    and the records after it; None when the two cannot be joined exactly."""
    from . import colcache

    start = cached.covers if cached else 0
    data = read_from(path, start)
    if data is None:
        return {}
    part = _decode(data, dict(cached.schemas) if cached else {}, not complete, verify, rereader(path, start))
    damaged = _damage_since(path, cached, start, part)
    done = [(cached.cols, cached.rows)] if cached else []
    if _overlaps(cached, part):
        return None  # the cache ends inside a step, which no cache is written to do: decode it all
    # A complete log is cached whole, so that its reads copy nothing; a live one when it
    # has grown by a quarter, so that rewrites cost O(1) per byte logged.
    if (
        write
        and part.head_end
        and start + part.head_end >= COMPACT_MIN_BYTES
        and (complete or part.head_end >= start // 4)
    ):
        head, rows = part.head()
        covered = concat_columns([*done, (head, rows)])
        if covered is None:
            return None
        if rows:
            covers = start + part.head_end
            crc = crc32(
                memoryview(data)[: part.head_end], cached.crc if cached else 0
            )  # of the log's first covers bytes
            try:
                colcache.save(
                    path,
                    covered,
                    rows + (cached.rows if cached else 0),
                    (covers, crc),
                    part.schemas,
                    [d for d in damaged if d[0] < covers],
                )
            except OSError:
                pass  # a read-only store, a full disk: no cache this time
        if head is part.cols:  # nothing after the head
            return covered
    return concat_columns([*done, (part.cols, part.rows)])


def read_columns_to_follow(path: str | os.PathLike[str]) -> tuple[dict[str, Any], Cursor]:
    """For following a log that is still being written: ``read_columns`` of every step
    but the last (more records of it may come), through the columnar cache, and a
    ``Cursor`` at the first record of that last step, from which ``read_rows`` goes on.
    The fast start of a reader that would otherwise decode every row one by one."""
    from . import colcache

    found = colcache.load(Path(path))
    for cached in (found, None) if found is not None else (None,):  # the cache, else the whole log
        start = cached.covers if cached else 0
        data = read_from(path, start)
        if data is None:
            return {}, Cursor()
        part = _decode(data, dict(cached.schemas) if cached else {}, True, reread=rereader(path, start))
        if _overlaps(cached, part):
            continue
        _damage_since(Path(path), cached, start, part)
        head, rows = part.head()
        cols = concat_columns([*([(cached.cols, cached.rows)] if cached else []), (head, rows)])
        if cols is not None:
            return cols, Cursor(start + part.head_end, dict(part.schemas))
    raise AssertionError("a log read whole joins no cache")  # concat of one part never fails


def _damage_since(path: Path, cached: Any, start: int, part: _Decoded) -> list[tuple[int, int]]:
    """The damage a read through ``cached`` (or None) and ``part`` (decoded from
    ``start``) skipped, reported: a cache remembers what its stretch skipped."""
    damaged = [*(cached.damaged if cached else ()), *((start + o, n) for o, n in part.damaged)]
    report_damage(path, 0, damaged)
    return damaged


def _overlaps(cached: Any, part: _Decoded) -> bool:
    """Whether the records after a cache repeat its last step (it would end inside one)."""
    return bool(cached and part.rows and part.first_step <= cached.cols["_step"][-1])


def concat_columns(parts: list[tuple[dict[str, Any], int]]) -> dict[str, Any] | None:
    """``read_columns`` of consecutive stretches of a log that share no step (each given
    as ``read_columns`` gave it, with its row count) joined into what ``read_columns`` of
    the whole gives. None when that needs what a float64 column no longer says (a
    column that becomes a list: were its numbers ints or floats, its NaNs gaps?)."""
    import numpy as np

    parts = [(cols, n) for cols, n in parts if n]
    if len(parts) <= 1:
        return dict(parts[0][0]) if parts else {}
    names = dict.fromkeys(name for cols, _ in parts for name in cols)  # RESERVED lead every part
    out: dict[str, Any] = {}
    for name in names:
        got = [(cols.get(name), n) for cols, n in parts]
        kinds = {None if c is None else c.dtype.kind if isinstance(c, np.ndarray) else "list" for c, _ in got}
        if kinds == {"i"}:
            out[name] = np.concatenate([c for c, _ in got])
        elif kinds <= {"i", "f", None}:
            out[name] = np.concatenate([np.full(n, np.nan) if c is None else c for c, n in got], dtype=np.float64)
        elif "f" in kinds:
            return None
        else:
            joined: list[Any] = []
            for c, n in got:
                joined += [None] * n if c is None else c.tolist() if isinstance(c, np.ndarray) else c
            out[name] = joined
    return out


@dataclass
class _Decoded:
    """A stretch of a log decoded (``_decode``): its ``read_columns`` columns and row
    count, the schemas known after it, its first step. ``head()``: the columns and rows
    of the steps before the last one, which the records before ``head_end`` hold (all of
    them when the log is complete): what a cache may cover while records of the last
    step may still come."""

    cols: dict[str, Any]
    rows: int
    schemas: dict[int, tuple[str, ...]]
    first_step: int | None
    head_end: int
    head: Callable[[], tuple[dict[str, Any], int]]
    damaged: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) skipped


def _decode(
    data: bytes, schemas: dict[int, tuple[str, ...]], split: bool, verify: bool = True, reread: Reread | None = None
) -> _Decoded:
    """Decode a stretch of row log (``schemas``: those declared before it) without
    decoding records one by one when their layout allows (``_fixed_runs``); ``split``:
    its last step may be incomplete (see ``_Decoded.head``); ``reread``: as for
    ``wal.decode_frames``."""
    fixed = _fixed_runs(data, dict(schemas), verify)
    if fixed is not None:
        runs, end, known = fixed
        cols, rows = _assemble(runs), sum(r.n for r in runs)
        first: int | None = int(runs[0].cols[0][0])
        if not split:
            return _Decoded(cols, rows, known, first, end, lambda: (cols, rows))
        last = runs[-1]  # one record per step here: the last step is the last record
        head_runs = runs[:-1] + ([last.first(last.n - 1)] if last.n > 1 else [])
        return _Decoded(
            cols, rows, known, first, last.pos + (last.n - 1) * last.frame, lambda: (_assemble(head_runs), rows - 1)
        )
    part = _parse_rows(data, schemas, reread)
    raw, at, end, damaged = part.raw, part.at, part.end, part.damaged
    first = raw[0][1] if raw else None
    k = len(raw)
    if split and raw:
        k -= 1
        while k and raw[k - 1][1] == raw[-1][1]:
            k -= 1
    if k == len(raw):
        cols = _rows_columns(raw, schemas)
        rows = len(cols.get("_step", ()))
        return _Decoded(cols, rows, schemas, first, end, lambda: (cols, rows), damaged)
    head = _rows_columns(raw[:k], schemas)
    rows = len(head.get("_step", ()))
    cols = concat_columns([(head, rows), (_rows_columns(raw[k:], schemas), 1)]) or _rows_columns(raw, schemas)
    return _Decoded(cols, rows + 1, schemas, first, at[k], lambda: (head, rows), damaged)


def _rows_columns(raw: list[tuple], schemas: dict[int, tuple[str, ...]]) -> dict[str, Any]:
    """Row records ``(schema_id, step, timestamp, runtime, *values)`` as columns."""
    if not raw:
        return {}
    sid = raw[0][0]
    if raw[-1][0] == sid:
        fast = _numeric_block(raw, sid, schemas[sid])
        if fast is not None:
            return fast
    return numeric_arrays(columns([(schemas[r[0]], r[1], r[2], r[3], r[4:]) for r in raw]))


class _Damaged(Exception):
    """A frame that a walk over headers alone passed is damaged."""


def _sample(path: str | os.PathLike[str], data: bytes, samples: int) -> list[tuple] | None:
    """Raw rows of ``samples`` evenly spaced steps of a row log (``_sampled_rows``), or
    None when it has no more rows than that (read it whole). Decodes only the sampled
    frames (``_frame_index``), unless the log is damaged: then every frame."""
    index = _frame_index(data)
    if index is not None:
        schemas, declared_at, offsets = index
        if len(offsets) <= samples:
            return None

        def framed(i: int) -> tuple:
            pos = offsets[i]
            length, check = HEADER.unpack_from(data, pos)
            payload = data[pos + 8 : pos + 8 + length]
            if crc32(payload) != check:
                raise _Damaged
            try:
                rec = marshal.loads(payload)
            except NOT_A_RECORD:
                raise _Damaged from None
            if not _is_row(rec, schemas.get) or declared_at[rec[0]] > pos:
                raise _Damaged
            return (schemas[rec[0]], rec[1], rec[2], rec[3], rec[4:])

        with contextlib.suppress(_Damaged):
            return _sampled_rows(len(offsets), framed, samples)
    part = _parse_rows(data, {}, rereader(path, 0), resolve=True)
    report_damage(path, 0, part.damaged)
    if len(part.raw) <= samples:
        return None
    return _sampled_rows(len(part.raw), part.raw.__getitem__, samples)


def _frame_index(data: bytes) -> tuple[dict[int, tuple[str, ...]], dict[int, int], list[int]] | None:
    """Walk the frame headers only: decode the schema declarations (and note where each
    id was declared), note where each row frame starts. ~10x cheaper per frame than
    decoding it. None when the walk meets damage. (The loop mirrors
    ``wal.decode_frames`` on purpose: a shared per-frame callback would cost more than
    the walk itself.)"""
    schemas: dict[int, tuple[str, ...]] = {}
    declared_at: dict[int, int] = {}
    offsets: list[int] = []
    note, unpack = offsets.append, HEADER.unpack_from
    pos, size = 0, len(data)
    while pos + 8 <= size:
        length, check = unpack(data, pos)
        end = pos + 8 + length
        if length == 0 or end > size:
            break
        if data[pos + 8] == _LIST:
            payload = data[pos + 8 : end]
            if crc32(payload) != check:
                break
            try:
                rec = marshal.loads(payload)
            except NOT_A_RECORD:
                return None
            if not _declare(rec, schemas):
                return None
            declared_at.setdefault(rec[1], pos)
        else:
            note(pos)
        pos = end
    return (schemas, declared_at, offsets) if quiet_end(data, pos) else None


def _sampled_rows(n: int, row: Callable[[int], tuple], samples: int) -> list[tuple]:
    """Raw rows of ``samples`` evenly spaced steps of the ``n`` rows ``row(i)`` gives,
    each step whole (its neighbouring records of the same step are decoded too)."""
    rows: list[tuple] = []
    last = -1
    for j in range(samples):
        i = round(j * (n - 1) / (samples - 1)) if samples > 1 else n - 1
        if i <= last:
            continue
        found = row(i)
        lo = i
        while lo > last + 1 and row(lo - 1)[1] == found[1]:
            lo -= 1
        step_rows = [row(k) for k in range(lo, i)] + [found]
        hi = i
        while hi + 1 < n and (nxt := row(hi + 1))[1] == found[1]:
            step_rows.append(nxt)
            hi += 1
        rows.extend(step_rows)
        last = hi
    return rows


_LIST = ord("[")
_TUPLE = ord("(")
_FIXED = {ord("i"): ("<i4", 4), ord("g"): ("<f8", 8)}  # marshal int32 / binary float64
_INT = ord("i")


def _row_layout(payload: memoryview) -> list[tuple[int, int]] | None:
    """``(code, offset)`` of each item of a row record whose items all have a fixed size
    (int32 and float64); None for any other record."""
    if len(payload) < 5 or payload[0] != _TUPLE:
        return None
    n = int.from_bytes(payload[1:5], "little")
    pos, items = 5, []
    for _ in range(n):
        if pos >= len(payload) or payload[pos] not in _FIXED:
            return None
        items.append((payload[pos], pos + 1))
        pos += 1 + _FIXED[payload[pos]][1]
    if pos != len(payload) or n < 4 or items[0][0] != _INT or items[1][0] != _INT:
        return None
    return items


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


def _checksums(payloads: Any) -> Any:
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


@dataclass
class _Run:
    """Consecutive row records of one key set and one byte layout (``_fixed_runs``):
    ``cols`` holds the column of each item after the schema id (step, timestamp,
    runtime, values), ``codes`` their marshal type codes."""

    keys: tuple[str, ...]
    codes: list[int]
    cols: list[Any]
    pos: int  # offset of its first frame
    frame: int  # bytes per frame

    @property
    def n(self) -> int:
        return len(self.cols[0])

    def first(self, n: int) -> _Run:
        return _Run(self.keys, self.codes, [c[:n] for c in self.cols], self.pos, self.frame)


def _fixed_runs(
    data: bytes, schemas: dict[int, tuple[str, ...]], verify: bool = True
) -> tuple[list[_Run], int, dict] | None:
    """Read a stretch of log without decoding each record, for the common log: numbers
    only (marshal int32 / float64), one record per step. Consecutive records of one
    schema and one layout have the same length and their values at the same byte
    offsets, so a run of them is one 2-D byte array whose columns numpy reads directly;
    every frame's checksum is still verified (unless not ``verify``). Returns the runs,
    the offset past the last intact frame and the schemas (``schemas`` updated); None
    (decode record by record instead) for anything else: strings, None, bools, big ints,
    merged steps, a layout changing every few records, no rows, damage. ``_assemble`` makes the
    runs columns, the same as the general path's (``test_store`` compares them)."""
    import numpy as np

    size, view = len(data), memoryview(data)
    runs: list[_Run] = []
    pos, rows = 0, 0
    while pos + 8 <= size:
        length, check = HEADER.unpack_from(data, pos)
        end = pos + 8 + length
        if length == 0 or end > size:
            break
        if data[pos + 8] == _LIST:
            if crc32(view[pos + 8 : end]) != check:
                break
            try:
                rec = marshal.loads(view[pos + 8 : end])
            except NOT_A_RECORD:
                return None
            if not _declare(rec, schemas):
                return None  # the general path skips it as damage
            pos = end
            continue
        items = _row_layout(view[pos + 8 : end])
        if items is None:
            return None
        frame = 8 + length
        block = np.frombuffer(data, np.uint8, count=(size - pos) // frame * frame, offset=pos).reshape(-1, frame)
        # Bytes every frame of the run shares: length, tuple header, schema id, item codes.
        fixed = np.array([0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15, 16, 17] + [8 + off - 1 for _, off in items])
        first = block[0, fixed]
        n, window = 1, 256
        while n < len(block):  # galloping, so that a short run does not scan the rest of the file
            same = (block[n : n + window, fixed] == first).all(axis=1)
            if not same.all():
                n += int(np.argmin(same))
                break
            n += len(same)
            window *= 2
        torn: Any = ()
        if verify:
            sums = block[:n, 4:8].copy().view("<u4").ravel()
            if n < 4096:
                calc = np.fromiter(
                    (crc32(view[p : p + length]) for p in range(pos + 8, pos + 8 + n * frame, frame)),
                    dtype=np.uint32,
                    count=n,
                )
            else:
                calc = _checksums(block[:n, 8:])
            torn = np.flatnonzero(sums != calc)
            if len(torn):
                n = int(torn[0])
        if n:
            sid = int.from_bytes(block[0, 14:18].tobytes(), "little")
            keys = schemas.get(sid)
            if keys is None or len(keys) != len(items) - 4:
                return None
            cols = [
                np.array(np.ndarray((n,), _FIXED[code][0], data, pos + 8 + off, (frame,))) for code, off in items[1:]
            ]
            runs.append(_Run(keys, [code for code, _ in items[1:]], cols, pos, frame))
            rows += n
        pos += n * frame
        if len(torn):
            break
        if len(runs) > 64 and rows < 256 * len(runs):
            return None  # too fragmented to gain anything
    if not runs or not quiet_end(data, pos):
        return None  # nothing, or damage before the end: the general path skips it
    steps = np.concatenate([r.cols[0] for r in runs])
    if len(steps) > 1 and not (np.diff(steps) > 0).all():
        return None  # merged steps need the general path
    return runs, pos, schemas


def _assemble(runs: list[_Run]) -> dict[str, Any]:
    """Fixed-layout runs as ``read_columns`` columns: int64 where every row has an int."""
    import numpy as np

    if not runs:
        return {}
    total = sum(r.n for r in runs)
    parts: dict[str, list[tuple[int, Any, int]]] = {"_timestamp": [], "_runtime": []}  # name -> (row, column, code)
    at = 0
    for r in runs:
        for name, code, col in zip(("_timestamp", "_runtime", *r.keys), r.codes[1:], r.cols[1:]):
            parts.setdefault(name, []).append((at, col, code))
        at += r.n
    out: dict[str, Any] = {"_step": np.concatenate([r.cols[0] for r in runs], dtype=np.int64)}
    for name, got in parts.items():
        if sum(len(col) for _, col, _ in got) == total:  # in every row
            ints = all(code == _INT for _, _, code in got)
            out[name] = np.concatenate([col for _, col, _ in got], dtype=np.int64 if ints else np.float64)
        else:
            vals = out[name] = np.full(total, np.nan)
            for start, col, _ in got:
                vals[start : start + len(col)] = col
    return out


_NUMBERS = {int, float, type(None)}


def _numeric_block(raw: list[tuple], sid: int, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The common case when records are not fixed-layout: one key set and only numbers,
    converted to a 2-D array in one C-level call (4x faster than transposing lists).
    None when it doesn't apply. Each column's value types are still checked, so that the
    result is the general path's (ints stay ints only if all are)."""
    import numpy as np

    try:
        block = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return None  # a media record, a list, a string that is no number, an int too big for a float
    if block.ndim != 2 or not (block[:, 0] == sid).all() or (len(block) > 1 and not (np.diff(block[:, 1]) > 0).all()):
        return None  # several key sets, or merged steps: the general path
    cols: dict[str, Any] = {"_step": block[:, 1].astype(np.int64)}
    try:
        for j, key in enumerate(("_timestamp", "_runtime", *keys), start=2):
            types = set(map(type, map(itemgetter(j), raw)))
            if types == {int}:
                cols[key] = np.fromiter(map(itemgetter(j), raw), np.int64, len(raw))
            elif types <= _NUMBERS:
                cols[key] = block[:, j]
            else:
                return None  # bools, strings ("1.5" became a float above)
    except OverflowError:
        return None  # an int past int64
    return cols


def known_schemas(path: str | os.PathLike[str]) -> tuple[dict[tuple[str, ...], int], int, dict[str, Any]]:
    """Scan a whole row log: its schema table, next step, and the last value of each key.

    Used to resume a run and to rebuild the summary of a crashed one.
    """
    rows, cursor = read_rows(path)
    last: dict[str, Any] = {}
    step = -1
    for keys, step, ts, rt, values in rows:
        last.update(zip(keys, values))
        last["_step"], last["_timestamp"], last["_runtime"] = step, ts, rt
    return {keys: sid for sid, keys in cursor.schemas.items()}, step + 1, last


def merged(rows: list[tuple]) -> Iterator[dict[str, Any]]:
    """Yield one dict per step, merging consecutive records of the same step."""
    current: dict[str, Any] | None = None
    for keys, step, ts, rt, values in rows:
        if current is not None and current["_step"] != step:
            yield current
            current = None
        if current is None:
            current = {"_step": step}
        current.update(zip(keys, values))
        current["_timestamp"], current["_runtime"] = ts, rt
    if current is not None:
        yield current


Span = tuple[int, int]  # the raw rows [start, end) of one step


def step_spans(rows: list[tuple]) -> list[Span]:
    """Group raw rows into steps: records of one step are always consecutive."""
    starts = [i for i in range(len(rows)) if i == 0 or rows[i][1] != rows[i - 1][1]]
    return list(zip(starts, [*starts[1:], len(rows)]))


def spread(steps: list[Span], samples: int) -> list[Span]:
    """``samples`` evenly spaced steps, the first and last included."""
    n = len(steps)
    if n <= samples:
        return steps
    if samples == 1:
        return [steps[-1]]
    return [steps[round(j * (n - 1) / (samples - 1))] for j in range(samples)]


def numeric_arrays(cols: dict[str, list[Any]]) -> dict[str, Any]:
    """Columns of only ints, or only numbers and gaps, as numpy arrays (NaN for a gap):
    pandas builds a frame from arrays several times faster than from lists."""
    import numpy as np

    out: dict[str, Any] = {}
    for key, col in cols.items():
        types = set(map(type, col))
        out[key] = col
        try:
            if types == {int}:
                out[key] = np.array(col, dtype=np.int64)
            elif types and types <= _NUMBERS:  # numbers with gaps: NaN marks a gap
                out[key] = np.array(col, dtype=np.float64)
        except OverflowError:  # an int past int64 (or past a float) stays a Python int
            pass
    return out


def columns(rows: list[tuple]) -> dict[str, list[Any]]:
    """Turn raw rows into aligned columns (``None`` where a step lacks a key).

    Column-wise per schema when every step is distinct (the common case: 100k rows x
    10 keys in a few tens of milliseconds); through merged dicts otherwise.
    """
    if not rows:
        return {}
    keys0, steps, stamps, runtimes, values = zip(*rows)  # one C-level transpose
    if len(set(steps)) != len(steps):
        return _columns_of(list(merged(rows)))
    n = len(rows)
    cols: dict[str, list[Any]] = {"_step": list(steps), "_timestamp": list(stamps), "_runtime": list(runtimes)}
    if all(k is keys0[0] for k in keys0):  # one key set throughout: transpose the values too
        for key, transposed in zip(keys0[0], zip(*values)):
            cols[key] = list(transposed)
        return cols
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, keys in enumerate(keys0):
        groups.setdefault(keys, []).append(i)
    for keys, positions in groups.items():
        for key, col_values in zip(keys, zip(*(values[i] for i in positions))):
            col = cols.get(key)
            if col is None:
                col = cols[key] = [None] * n
            for i, v in zip(positions, col_values):
                col[i] = v
    return cols


def _columns_of(dicts: list[dict[str, Any]]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {k: [None] * len(dicts) for k in RESERVED}  # in every row; first, as in columns()
    for i, d in enumerate(dicts):
        for k, v in d.items():
            col = cols.get(k)
            if col is None:
                col = cols[k] = [None] * len(dicts)
            col[i] = v
    return cols
