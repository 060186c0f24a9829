"""Raw rows of a row log, ``(keys, step, timestamp, runtime, values)``: read after a
cursor, and grouped by step.

Records that share a step (``log(..., commit=False)`` or repeated explicit steps) are
always consecutive, because steps never go backwards; readers merge them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .rowcodec import parse_rows
from .wal import read_from, report_damage, rereader


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
    part = parse_rows(data, schemas, rereader(path, cursor.offset), resolve=True)
    report_damage(path, cursor.offset, part.damaged)
    return part.raw, Cursor(cursor.offset + part.end, schemas)


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
