"""A row log read as columns (``columns``), the fast way: through its columnar cache
(``colcache``), the records after it decoded by ``fastdecode`` where their layout allows,
record by record otherwise; or a sample of its steps (``sampling``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zlib import crc32

from .columns import columns, concat_columns, numeric_arrays
from .fastdecode import assemble, fixed_runs, numeric_block
from .rowcodec import parse_rows
from .rowread import Cursor
from .sampling import sample
from .wal import Reread, read_from, report_damage, rereader

COMPACT_MIN_BYTES = 1 << 20  # a smaller log decodes in ~10 ms: it gets no cache file


def read_columns(
    path: str | os.PathLike[str], samples: int | None = None, *, complete: bool = False, cache: bool = True
) -> dict[str, Any]:
    """A whole row log as columns, or ``samples`` evenly spaced steps of it: the shape
    every history reader wants (one row per step, typed as the ``columns`` module says),
    built the fast way.

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
        rows = sample(path, data, samples)
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
    decoding records one by one when their layout allows (``fixed_runs``); ``split``:
    its last step may be incomplete (see ``_Decoded.head``); ``reread``: as for
    ``wal.decode_frames``."""
    fixed = fixed_runs(data, dict(schemas), verify)
    if fixed is not None:
        runs, end, known = fixed
        cols, rows = assemble(runs), sum(r.n for r in runs)
        first: int | None = int(runs[0].cols[0][0])
        if not split:
            return _Decoded(cols, rows, known, first, end, lambda: (cols, rows))
        last = runs[-1]  # one record per step here: the last step is the last record
        head_runs = runs[:-1] + ([last.first(last.n - 1)] if last.n > 1 else [])
        return _Decoded(
            cols, rows, known, first, last.pos + (last.n - 1) * last.frame, lambda: (assemble(head_runs), rows - 1)
        )
    part = parse_rows(data, schemas, reread)
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
        fast = numeric_block(raw, sid, schemas[sid])
        if fast is not None:
            return fast
    return numeric_arrays(columns([(schemas[r[0]], r[1], r[2], r[3], r[4:]) for r in raw]))
