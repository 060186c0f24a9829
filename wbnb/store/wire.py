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

Bounded bodies
--------------
A client keeps a batch's body under ``BATCH_BYTES`` (a record larger than that goes
alone); a server refuses bodies over its ``--max-body`` (413), by default ``MAX_BODY``,
twice the client's cap. A server with a smaller limit makes the client halve its
batches. A refused batch (422) names the part it refuses first (``history.rows[3]:
...``, ``events.records[0] ...``, ``meta.config: ...``: ``refused_at``), so a client
can leave that one record out and send the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ROW_STREAMS = ("history", "system")
RECORD_STREAMS = ("events", "console")
STREAMS = ROW_STREAMS + RECORD_STREAMS
FINAL_STATES = ("finished", "failed", "crashed", "killed")
API = "/api/v1"
MiB = 1 << 20
BATCH_BYTES = 8 * MiB  # the most a client puts in one batch body
MAX_BODY = 2 * BATCH_BYTES  # a server's default limit on a request body: room above the client's cap

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


_ENCODER = json.JSONEncoder(default=str, separators=(",", ":"))  # one, not one per call (as json.dumps makes)


def dumps(value: Any) -> str:
    """JSON as the wire carries it: Python's ``json`` (NaN and ±Infinity), ASCII (so a
    text's length is its size in bytes), compact, anything else as its ``str``."""
    return _ENCODER.encode(value)


class BatchBody:
    """A batch's JSON body, built record by record so that its size is known as it
    grows: ``add`` refuses a record that would take it past a cap."""

    def __init__(self) -> None:
        self._chunks: dict[str, tuple[int, dict[tuple[str, ...], int], list[str], list[str]]] = {}
        self._fields: list[str] = []
        self.size = 2  # "{}"; each part is counted with a comma after it, so ``size`` is never short
        self.items = 0  # records held, and the metadata
        self.taken = dict.fromkeys(STREAMS, 0)  # records held per stream

    def set(self, name: str, value: Any, item: bool = False) -> None:
        """A top-level field (``meta``, ``state``...); ``item``: count it as one of the
        body's items (the metadata can be the one thing a server refuses)."""
        text = f"{dumps(name)}:{dumps(value)}"
        self._fields.append(text)
        self.size += len(text) + 1
        self.items += item

    def add(self, stream: str, start: int, record: Any, cap: int) -> bool:
        """Append ``record`` (a raw row of a rows stream, a dict otherwise) to the chunk of
        ``stream`` that starts at ``start``, unless the body would pass ``cap`` bytes
        (a body holding nothing takes one record whatever its size). Whether it did."""
        chunk = self._chunks.get(stream)
        grow = 0 if chunk else len(_chunk_text(stream, start, [], [])) + 1
        keys_text = None
        if stream in ROW_STREAMS:
            keys, step, ts, rt, values = record
            index = chunk[1] if chunk else {}
            ki = index.get(keys)
            if ki is None:
                ki = len(index)
                keys_text = dumps(list(keys))
                grow += len(keys_text) + 1
            text = dumps([step, ts, rt, ki, list(values)])
        else:
            text = dumps(record)
        grow += len(text) + 1
        if self.items and self.size + grow > cap:
            return False
        if chunk is None:
            chunk = self._chunks[stream] = (start, {}, [], [])
        if keys_text is not None:
            chunk[1][keys] = len(chunk[1])
            chunk[2].append(keys_text)
        chunk[3].append(text)
        self.size += grow
        self.items += 1
        self.taken[stream] += 1
        return True

    def encode(self) -> bytes:
        """The body, at most ``size`` bytes."""
        parts = [_chunk_text(stream, start, keys, items) for stream, (start, _, keys, items) in self._chunks.items()]
        return ("{" + ",".join(parts + self._fields) + "}").encode("ascii")


def _chunk_text(stream: str, start: int, keys: list[str], items: list[str]) -> str:
    """``"stream":chunk`` from the JSON texts of its key tuples and records."""
    if stream in ROW_STREAMS:
        return f'"{stream}":{{"start":{start},"keys":[{",".join(keys)}],"rows":[{",".join(items)}]}}'
    return f'"{stream}":{{"start":{start},"records":[{",".join(items)}]}}'


_REFUSED = re.compile(r"(meta)\b|(history|system|events|console)(?:\.(?:rows|records)\[(\d+)\])?")


def refused_at(detail: str) -> tuple[str, int | None] | None:
    """What a server's 422 ``detail`` names first: ``("meta", None)``, ``(stream, index
    of the record in the batch's chunk)``, ``(stream, None)`` for a part of a chunk that
    is no one record (its ``keys``), or None when it names no part of the batch."""
    match = _REFUSED.match(detail)
    if match is None:
        return None
    if match[1]:
        return "meta", None
    return match[2], None if match[3] is None else int(match[3])
