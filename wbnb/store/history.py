"""Metric rows on top of the append log: a compact codec and a cursor-based reader.

A row is ``{key: value}`` at a step. Writing the key names in every record would make
decoding four times slower, so each distinct key tuple is declared once as a schema
record, the marshal *list* ``["S", schema_id, keys]``, and rows are marshal *tuples*
``(schema_id, step, timestamp, runtime, *values)``. The first payload byte (``[`` or
``(``) tells them apart without decoding, which lets a sampler skip most rows.

Records that share a step (``log(..., commit=False)`` or repeated explicit steps) are
always consecutive, because steps never go backwards; readers merge them.
"""

from __future__ import annotations

import functools
import marshal
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from zlib import crc32

from .wal import HEADER, LogWriter, encode, read_records

RESERVED = ("_step", "_timestamp", "_runtime")


class RowWriter:
    """Encodes rows for one log file; owns that file's schema table.

    Storage errors go to ``on_error`` instead of raising: the training loop that calls
    ``append`` must keep running when the disk fills up.
    """

    def __init__(self, log: LogWriter, known: Mapping[tuple[str, ...], int] | None = None,
                 on_error: Callable[[OSError], None] | None = None) -> None:
        self.log = log
        self._schemas: dict[tuple[str, ...], int] = dict(known or {})
        self._on_error = on_error

    def append(self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...],
               values: Iterable[Any]) -> None:
        """Append one row durably; hot path of ``Run.log``, which already holds the key
        tuple (so it is not built twice) and passes ``row.values()``."""
        try:
            sid = self._schemas.get(keys)
            if sid is None:
                self.log.append(encode(["S", len(self._schemas), keys]))
                sid = self._schemas[keys] = len(self._schemas)
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
    records, offset = read_records(path, cursor.offset)
    schemas = dict(cursor.schemas)
    rows = []
    append = rows.append
    for rec in records:
        sid = rec[0]
        if sid == "S":
            schemas[rec[1]] = rec[2]
        else:
            append((schemas[sid], rec[1], rec[2], rec[3], rec[4:]))
    return rows, Cursor(offset, schemas)


def read_columns(path: str | os.PathLike[str], samples: int | None = None) -> dict[str, Any]:
    """A whole row log as columns (numpy arrays where numeric), or ``samples`` evenly
    spaced steps of it. The shape every history reader wants, built the fast way."""
    if samples:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return {}
        schemas, offsets = _frame_index(data)
        if len(offsets) > samples:
            return numeric_arrays(columns(_sampled_rows(data, schemas, offsets, samples)))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return {}
    fast = _fixed_layout_columns(data)
    if fast is not None:
        return fast
    records, _ = read_records(path)
    schemas: dict[int, tuple[str, ...]] = {}
    raw = []
    for rec in records:
        if rec[0] == "S":
            schemas[rec[1]] = rec[2]
        else:
            raw.append(rec)
    if len(schemas) == 1 and raw:
        fast = _numeric_block(raw, schemas[raw[0][0]])
        if fast is not None:
            return fast
    return numeric_arrays(columns([(schemas[r[0]], r[1], r[2], r[3], r[4:]) for r in raw]))


def _frame_index(data: bytes) -> tuple[dict[int, tuple[str, ...]], list[int]]:
    """Walk the frame headers only: decode the schema declarations, note where each row
    frame starts. ~10x cheaper per frame than decoding it. (The loop mirrors
    ``wal.read_records`` on purpose: a shared per-frame callback would cost more than
    the walk itself.)"""
    schemas: dict[int, tuple[str, ...]] = {}
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
            rec = marshal.loads(payload)
            schemas[rec[1]] = rec[2]
        else:
            note(pos)
        pos = end
    return schemas, offsets


def _sampled_rows(data: bytes, schemas: dict[int, tuple[str, ...]], offsets: list[int], samples: int) -> list[tuple]:
    """Raw rows of ``samples`` evenly spaced steps, each step whole (its neighbouring
    records of the same step are decoded too)."""

    def decode(i: int) -> tuple | None:
        pos = offsets[i]
        length, check = HEADER.unpack_from(data, pos)
        payload = data[pos + 8 : pos + 8 + length]
        if crc32(payload) != check:
            return None  # only the record being written right now can be torn
        rec = marshal.loads(payload)
        return (schemas[rec[0]], rec[1], rec[2], rec[3], rec[4:])

    n = len(offsets)
    rows: list[tuple] = []
    last = -1
    for j in range(samples):
        i = round(j * (n - 1) / (samples - 1)) if samples > 1 else n - 1
        if i <= last:
            continue
        row = decode(i)
        if row is None:
            continue
        lo = i
        while lo > last + 1 and (prev := decode(lo - 1)) is not None and prev[1] == row[1]:
            lo -= 1
        step_rows = [decode(k) for k in range(lo, i)] + [row]
        hi = i
        while hi + 1 < n and (nxt := decode(hi + 1)) is not None and nxt[1] == row[1]:
            step_rows.append(nxt)
            hi += 1
        rows.extend(r for r in step_rows if r is not None)
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


def _fixed_layout_columns(data: bytes) -> dict[str, Any] | None:
    """``read_columns`` of a whole log without decoding each record, for the common log:
    numbers only (marshal int32 / float64), one record per step. Consecutive records of
    one schema and one layout have the same length and their values at the same byte
    offsets, so a run of them is one 2-D byte array whose columns numpy reads directly;
    every frame's checksum is still verified. None (decode record by record instead)
    for anything else: strings, None, bools, big ints, merged steps, a layout changing
    every few records. Same result as the general path (``test_store`` compares them)."""
    import numpy as np

    size, view = len(data), memoryview(data)
    schemas: dict[int, tuple[str, ...]] = {}
    runs: list[tuple[tuple[str, ...], list[int], list[np.ndarray]]] = []  # keys, item codes, item columns
    pos, rows = 0, 0
    while pos + 8 <= size:
        length, check = HEADER.unpack_from(data, pos)
        end = pos + 8 + length
        if length == 0 or end > size:
            break
        if data[pos + 8] == _LIST:
            if crc32(view[pos + 8 : end]) != check:
                break
            rec = marshal.loads(view[pos + 8 : end])
            schemas[rec[1]] = rec[2]
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
        sums = block[:n, 4:8].copy().view("<u4").ravel()
        if n < 4096:
            calc = np.fromiter((crc32(view[p : p + length]) for p in range(pos + 8, pos + 8 + n * frame, frame)),
                               dtype=np.uint32, count=n)
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
            cols = [np.array(np.ndarray((n,), _FIXED[code][0], data, pos + 8 + off, (frame,)))
                    for code, off in items[1:]]
            runs.append((keys, [code for code, _ in items[1:]], cols))
            rows += n
        if len(torn):
            break
        pos += n * frame
        if len(runs) > 64 and rows < 256 * len(runs):
            return None  # too fragmented to gain anything
    if not runs:
        return None
    steps = np.concatenate([r[2][0] for r in runs]).astype(np.int64)
    if len(steps) > 1 and not (np.diff(steps) > 0).all():
        return None  # merged steps need the general path
    if len(schemas) == 1:  # as _numeric_block: ints stay ints when the first row's is one
        keys, codes, _ = runs[0]
        cat = [np.concatenate([r[2][j] for r in runs]).astype(np.float64) for j in range(len(codes))]
        out: dict[str, Any] = {"_step": steps, "_timestamp": cat[1], "_runtime": cat[2]}
        for key, code, col in zip(keys, codes[3:], cat[3:]):
            out[key] = col.astype(np.int64) if code == _INT and np.array_equal(col, np.round(col)) else col
        return out
    # As numeric_arrays(columns(...)): a key's column is int only if every row has an int.
    total = len(steps)
    names = ["_timestamp", "_runtime"]
    for keys, _, _ in runs:
        names += [k for k in keys if k not in names]
    out = {"_step": steps}
    filled: dict[str, tuple[np.ndarray, np.ndarray, list[bool]]] = {}
    for name in names:
        filled[name] = (np.full(total, np.nan), np.zeros(total, dtype=bool), [])
    at = 0
    for keys, codes, cols in runs:
        n = len(cols[0])
        for name, code, col in zip(("_timestamp", "_runtime", *keys), codes[1:], cols[1:]):
            vals, present, ints = filled[name]
            vals[at : at + n] = col
            present[at : at + n] = True
            ints.append(code == _INT)
        at += n
    for name in names:
        vals, present, ints = filled[name]
        out[name] = vals.astype(np.int64) if present.all() and all(ints) else vals
    return out


def _numeric_block(raw: list[tuple], keys: tuple[str, ...]) -> dict[str, Any] | None:
    """The common case, one key set and only numbers: one C-level conversion of all
    records to a 2-D array (4x faster than transposing lists). None when it doesn't apply."""
    import numpy as np

    first = raw[0]
    if any(type(v) not in (int, float) for v in first):
        return None
    try:
        block = np.array(raw, dtype=np.float64)
    except (TypeError, ValueError):
        return None  # a string, a media record or a list further down
    if block.ndim != 2 or (len(block) > 1 and not (np.diff(block[:, 1]) > 0).all()):
        return None  # merged steps need the general path
    cols: dict[str, Any] = {"_step": block[:, 1].astype(np.int64), "_timestamp": block[:, 2], "_runtime": block[:, 3]}
    for j, key in enumerate(keys):
        col = block[:, 4 + j]
        # Keep int columns int, as pandas would from the logged values.
        cols[key] = col.astype(np.int64) if type(first[4 + j]) is int and np.array_equal(col, np.round(col)) else col
    return cols


def known_schemas(path: str | os.PathLike[str]) -> tuple[dict[tuple[str, ...], int], int, Mapping[str, Any]]:
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
        if types == {int}:
            out[key] = np.array(col, dtype=np.int64)
        elif types and types <= {float, int, type(None)}:  # numbers with gaps: NaN marks a gap
            out[key] = np.array(col, dtype=np.float64)
        else:
            out[key] = col
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
        for key, col in zip(keys0[0], zip(*values)):
            cols[key] = list(col)
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
    cols: dict[str, list[Any]] = {}
    for i, d in enumerate(dicts):
        for k, v in d.items():
            col = cols.get(k)
            if col is None:
                col = cols[k] = [None] * len(dicts)
            col[i] = v
    return cols
