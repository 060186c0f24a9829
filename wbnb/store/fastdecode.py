"""Row records as columns with numpy instead of one by one, for the common log: numbers
only, one record per step. ``fixed_runs`` + ``assemble`` read frames without decoding
them; ``numeric_block`` turns decoded records into columns in one C-level call. Each
gives what the record-by-record path gives (``test_store`` compares them), or None
where it does not apply.
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from zlib import crc32

from .batchcrc import crc32_rows
from .columns import NUMBERS
from .rowcodec import ROW_MARK, SCHEMA_MARK, declare
from .wal import HEADER, NOT_A_RECORD, quiet_end

_FIXED = {ord("i"): ("<i4", 4), ord("g"): ("<f8", 8)}  # marshal int32 / binary float64
_INT = ord("i")


def _row_layout(payload: memoryview) -> list[tuple[int, int]] | None:
    """``(code, offset)`` of each item of a row record whose items all have a fixed size
    (int32 and float64); None for any other record."""
    if len(payload) < 5 or payload[0] != ROW_MARK:
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


@dataclass
class FixedRun:
    """Consecutive row records of one key set and one byte layout (``fixed_runs``):
    ``cols`` holds the column of each item after the schema id (step, timestamp,
    runtime, values), ``codes`` their marshal type codes."""

    keys: tuple[str, ...]
    codes: list[int]
    cols: list[Any]
    pos: int  # offset of its first frame
    frame: int  # bytes per frame

    @property
    def n(self) -> int:
        """How many records (rows) the run holds."""
        return len(self.cols[0])

    def first(self, n: int) -> FixedRun:
        """The run of its first ``n`` records."""
        return FixedRun(self.keys, self.codes, [c[:n] for c in self.cols], self.pos, self.frame)


def fixed_runs(
    data: bytes, schemas: dict[int, tuple[str, ...]], verify: bool = True
) -> tuple[list[FixedRun], int, dict] | None:
    """Read a stretch of log without decoding each record, for the common log: numbers
    only (marshal int32 / float64), one record per step. Consecutive records of one
    schema and one layout have the same length and their values at the same byte
    offsets, so a run of them is one 2-D byte array whose columns numpy reads directly;
    every frame's checksum is still verified (unless not ``verify``). Returns the runs,
    the offset past the last intact frame and the schemas (``schemas`` updated); None
    (decode record by record instead) for anything else: strings, None, bools, big ints,
    merged steps, a layout changing every few records, no rows, damage. ``assemble`` makes the
    runs columns, the same as the general path's (``test_store`` compares them)."""
    import numpy as np

    size, view = len(data), memoryview(data)
    runs: list[FixedRun] = []
    pos, rows = 0, 0
    while pos + 8 <= size:
        length, check = HEADER.unpack_from(data, pos)
        end = pos + 8 + length
        if length == 0 or end > size:
            break
        if data[pos + 8] == SCHEMA_MARK:
            if crc32(view[pos + 8 : end]) != check:
                break
            try:
                rec = marshal.loads(view[pos + 8 : end])
            except NOT_A_RECORD:
                return None
            if not declare(rec, schemas):
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
                calc = crc32_rows(block[:n, 8:])
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
            runs.append(FixedRun(keys, [code for code, _ in items[1:]], cols, pos, frame))
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


def assemble(runs: list[FixedRun]) -> dict[str, Any]:
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


def numeric_block(raw: list[tuple], sid: int, keys: tuple[str, ...]) -> dict[str, Any] | None:
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
            elif types <= NUMBERS:
                cols[key] = block[:, j]
            else:
                return None  # bools, strings ("1.5" became a float above)
    except OverflowError:
        return None  # an int past int64
    return cols
