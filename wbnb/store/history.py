"""Metric rows on top of the append log: a compact codec and a cursor-based reader.

A row is ``{key: value}`` at a step. Writing the key names in every record would make
decoding four times slower, so each distinct key tuple is declared once as a schema
record ``("S", schema_id, keys)`` and rows are tuples
``(schema_id, step, timestamp, runtime, *values)``.

Records that share a step (``log(..., commit=False)`` or repeated explicit steps) are
always consecutive, because steps never go backwards; readers merge them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .wal import LogWriter, encode, read_records

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
                self.log.append(encode(("S", len(self._schemas), keys)))
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
    for rec in records:
        if rec[0] == "S":
            schemas[rec[1]] = rec[2]
        else:
            rows.append((schemas[rec[0]], rec[1], rec[2], rec[3], rec[4:]))
    return rows, Cursor(offset, schemas)


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


def columns(rows: list[tuple]) -> dict[str, list[Any]]:
    """Turn raw rows into aligned columns (``None`` where a step lacks a key).

    Column-wise per schema when every step is distinct (the common case: 100k rows x
    10 keys in a few tens of milliseconds); through merged dicts otherwise.
    """
    steps = [r[1] for r in rows]
    if len(set(steps)) != len(steps):
        return _columns_of(list(merged(rows)))
    n = len(rows)
    cols: dict[str, list[Any]] = {"_step": steps}
    cols["_timestamp"] = [r[2] for r in rows]
    cols["_runtime"] = [r[3] for r in rows]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r[0], []).append(i)
    for keys, positions in groups.items():
        for j, values in enumerate(zip(*(rows[i][4] for i in positions))):
            if len(positions) == n and keys[j] not in cols:
                cols[keys[j]] = list(values)  # one schema covers every row: no scatter
                continue
            col = cols.get(keys[j])
            if col is None:
                col = cols[keys[j]] = [None] * n
            for i, v in zip(positions, values):
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
