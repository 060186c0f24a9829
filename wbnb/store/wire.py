"""The wire format between a client (``remote.py``) and ``wbnb server``: plain JSON
(Python's ``json``, which also carries NaN and ±Infinity), shared by both sides so
they cannot drift apart.

Exactly-once without server-side bookkeeping
---------------------------------------------
Every record of a run's four streams has an index: its position in that stream
(``history`` and ``system`` rows, ``events`` and ``console`` records), counted from 0
for the life of the run, across resumes. A batch says where each of its chunks
starts; the server keeps only the part past what it already holds and answers with
its new counts (``next``). A retried batch is therefore a no-op, a batch that would
leave a gap is refused with 409 and the counts to resend from, and a client that
restarts asks for the counts before sending. The counts are the data itself (rows on
disk, rows in PostgreSQL), so a server killed mid-write cannot be left believing it
applied a batch it did not.

Shapes::

    rows chunk     {"start": i, "keys": [[k, ...], ...], "rows": [[step, ts, rt, ki, [v, ...]], ...]}
                   (ki indexes "keys": a key tuple is sent once per chunk, not per row)
    records chunk  {"start": i, "records": [{...}, ...]}
    batch          {"history": rows chunk, "system": rows chunk, "events": records chunk,
                    "console": records chunk, "meta": {...}, "state": "finished", "exit_code": 0}
                   (every field optional; "meta" is the run's metadata as the client
                   holds it, each field replacing the server's but those the server
                   owns (state, ids); "state" closes the run after the chunks are applied)
    counts         {"history": n, "system": n, "events": n, "console": n}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ROW_STREAMS = ("history", "system")
RECORD_STREAMS = ("events", "console")
STREAMS = ROW_STREAMS + RECORD_STREAMS
FINAL_STATES = ("finished", "failed", "crashed")
API = "/api/v1"

Row = tuple  # (keys, step, timestamp, runtime, values): what Store.rows returns


def encode_rows(start: int, rows: Iterable[Row]) -> dict[str, Any]:
    """A rows chunk from raw rows, declaring each key tuple once."""
    index: dict[tuple[str, ...], int] = {}
    out = []
    for keys, step, ts, rt, values in rows:
        ki = index.get(keys)
        if ki is None:
            ki = index[keys] = len(index)
        out.append([step, ts, rt, ki, list(values)])
    return {"start": start, "keys": [list(k) for k in index], "rows": out}


def decode_rows(chunk: Mapping[str, Any]) -> list[Row]:
    """Raw rows back from a rows chunk; ValueError names what is malformed."""
    keys = [tuple(k) for k in chunk.get("keys", ())]
    for k in keys:
        if not all(isinstance(name, str) for name in k):
            raise ValueError(f"keys must be lists of strings, got {list(k)!r}")
    rows = []
    for n, row in enumerate(chunk.get("rows", ())):
        if not isinstance(row, Sequence) or len(row) != 5:
            raise ValueError(f"rows[{n}] must be [step, timestamp, runtime, keys_index, values]")
        step, ts, rt, ki, values = row
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            raise ValueError(f"rows[{n}]: step must be a non-negative integer, got {step!r}")
        if not isinstance(ki, int) or not 0 <= ki < len(keys):
            raise ValueError(f"rows[{n}]: keys_index {ki!r} is not an index into keys ({len(keys)} declared)")
        if not isinstance(values, Sequence) or len(values) != len(keys[ki]):
            raise ValueError(f"rows[{n}]: {len(keys[ki])} values expected for keys {list(keys[ki])}")
        rows.append((keys[ki], step, float(ts), float(rt), tuple(values)))
    return rows


def media_paths(value: Any) -> Iterable[str]:
    """Every store-relative media path a logged value points to (images in tables too)."""
    if isinstance(value, dict):
        path = value.get("path")
        if isinstance(path, str) and path.startswith("media/"):
            yield path
        for v in value.values():
            if isinstance(v, (dict, list)):
                yield from media_paths(v)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, (dict, list)):
                yield from media_paths(v)


def rename_media(value: Any, renamed: Mapping[str, str]) -> Any:
    """``value`` with each media path found in ``renamed`` replaced by its new name; the
    same object when nothing changed (so callers can tell cheaply)."""
    if isinstance(value, dict):
        out = None
        for k, v in value.items():
            if k == "path" and isinstance(v, str):
                new = renamed.get(v, v)
            elif isinstance(v, (dict, list)):
                new = rename_media(v, renamed)
            else:
                continue
            if new is not v:
                if out is None:
                    out = dict(value)
                out[k] = new
        return value if out is None else out
    if isinstance(value, list):
        items = [rename_media(v, renamed) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value
