"""Raw rows as columns, typed by the one rule every history reader shares.

One row per step (the records of a step merged): ``_step``, ``_timestamp``,
``_runtime``, then the keys in the order they first appear. A column is int64 where
every row has an int, float64 where its values are numbers and gaps (NaN), else a list
(``None`` for a gap). Because every path types columns so, columns of consecutive
stretches of a log join exactly (``concat_columns``).
"""

from __future__ import annotations

from typing import Any

from .rowcodec import RESERVED
from .rowread import merged

NUMBERS = {int, float, type(None)}  # the value types of a float64 column (None: a gap, NaN)


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
            elif types and types <= NUMBERS:  # numbers with gaps: NaN marks a gap
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
