"""What a stored metric row may hold: one set of rules for the tracker and the server.

``log()`` checks them when it makes a row (``sdk/values.py``; ``Run.log`` checks a key
tuple once and remembers it) and the server when a batch brings rows (``server/app.py``
answers 422 naming the row and the key), so a server never holds a row the SDK would
refuse, and the SDK never makes one that a server or its own log cannot store.

A row is ``(keys, step, timestamp, runtime, values)``:

- **keys**: non-empty ``str``, each once, none of ``RESERVED``: the row's own step,
  timestamp and runtime fields carry those, and readers name their columns so.
- **values**: ``None``, ``bool``, ``int`` within 64 bits, ``float`` (NaN and ±inf too),
  ``str``, and lists and str-keyed dicts of these nested at most ``MAX_DEPTH`` deep: what
  both ``marshal`` (the local logs) and JSON (the wire, PostgreSQL) store and give back
  unchanged. Exact types: a subclass (``numpy.float64``, an ``IntEnum``) is converted
  to its builtin first, by ``sdk/values.py``.
- **step**: an ``int`` >= 0, never before the previous row's; **timestamp** and
  **runtime**: finite floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from .rowcodec import RESERVED

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
MAX_DEPTH = 64  # lists and dicts inside a value: deeper would overflow a JSON writer's or reader's stack
STORED = "None, bool, int (64-bit), float, str, and lists or str-keyed dicts of these"
_SCALARS = frozenset({float, str, bool, type(None)})


class RowError(ValueError):
    """A row that breaks a rule; the message names the row and the key."""


def key_problem(key: Any) -> str | None:
    """Why ``key`` cannot name a stored value, or None when it can."""
    if type(key) is not str:
        return f"is a {type(key).__name__}; keys must be str"
    if not key:
        return "is empty; keys must be non-empty str"
    if key in RESERVED:
        return f"is reserved ({', '.join(RESERVED)} are the row's own fields); pick another name"
    return None


def value_problem(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` cannot be stored, or None when it can (``depth``: containers above it)."""
    kind = type(value)
    if kind in _SCALARS:
        return None
    if kind is int:
        return None if INT64_MIN <= value <= INT64_MAX else f"{value} does not fit in 64 bits; log it as a float"
    if kind is list or kind is dict:
        if depth >= MAX_DEPTH:
            return f"nests lists or dicts deeper than {MAX_DEPTH} levels"
        if kind is dict:
            for k in value:
                if type(k) is not str:
                    return f"has a dict key {k!r} of type {type(k).__name__}; dict keys must be str"
        for item in value.values() if kind is dict else value:
            if type(item) not in _SCALARS and (problem := value_problem(item, depth + 1)):
                return problem
        return None
    return f"is a {kind.__name__}; stored values are {STORED}"


def check_rows(rows: Iterable[Sequence[Any]], stream: str) -> None:
    """Check decoded rows ``(keys, step, timestamp, runtime, values)`` of one batch chunk:
    keys, values, finite times, and steps that never go back within the chunk. Raises
    ``RowError`` naming ``stream``, the row's index and the key."""
    seen: set[tuple[str, ...]] = set()  # key tuples already checked: a chunk repeats a few
    previous = -1
    for n, (keys, step, timestamp, runtime, values) in enumerate(rows):
        where = f"{stream}.rows[{n}]"
        if keys not in seen:
            for key in keys:
                if problem := key_problem(key):
                    raise RowError(f"{where}: key {key!r} {problem}")
            if len(set(keys)) != len(keys):
                twice = next(k for k in keys if keys.count(k) > 1)
                raise RowError(f"{where}: key {twice!r} appears twice; a row holds each key once")
            seen.add(keys)
        if type(step) is not int or step < 0:
            raise RowError(f"{where}: step must be an int >= 0, got {step!r}")
        if step < previous:
            raise RowError(f"{where}: step {step} is before the previous row's step {previous}; steps never go back")
        previous = step
        for name, t in (("timestamp", timestamp), ("runtime", runtime)):
            if type(t) is not float or not math.isfinite(t):
                raise RowError(f"{where}: {name} must be a finite float, got {t!r}")
        for key, value in zip(keys, values, strict=True):
            if type(value) not in _SCALARS and (problem := value_problem(value)):
                raise RowError(f"{where}: key {key!r}: value {problem}")


def check_continues(rows: Sequence[Sequence[Any]], first: int, last_step: int, stream: str) -> None:
    """The first row a store is about to keep of a chunk (``rows[first]``; those before
    it it holds already) must not go back before ``last_step``, the last step it holds
    (-1 for none). ``RowError`` otherwise, naming the row."""
    if first < len(rows) and rows[first][1] < last_step:
        raise RowError(
            f"{stream}.rows[{first}]: step {rows[first][1]} is before step {last_step}, the last one the "
            "run holds; steps never go back"
        )
