"""A batch in the wire format applied exactly once, in one transaction.

- The counts live in the run's row and change in the same transaction as the data, so
  they are the data's own count: ``ingest`` locks that row (``FOR UPDATE``), so batches
  for one run serialize across server processes, and takes the counts from the locked
  row itself (in READ COMMITTED a row locked after a wait is re-read at its newest
  version: the counts the batch before it committed).
- Rows go in with ``COPY``, not ``INSERT ... ON CONFLICT DO NOTHING``: the lock and the
  counts already skip what is held, the primary key still makes a duplicate impossible
  (the transaction fails rather than storing it twice), and COPY ingests about twice as
  fast (``benchmarks/bench_postgres.py``).
- A row names its key tuple by ``ki``, numbered per run here while the run's row is
  locked (so numbering is race-free), remembered by the process once committed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from typing import Any

import psycopg

from ...store.rows import check_continues
from ...store.runmeta import RunMeta, State
from ...store.wire import FINAL_STATES, ROW_STREAMS, STREAMS, decode_rows
from ..backend import Counts, Gap
from ..files import client_meta
from .database import Database
from .known import Known
from .runs import COUNTS, dump_meta, not_found, run_row

# Compact JSON for row values and records; NaN and ±Infinity stay as Python writes them.
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def ingest(db: Database, known: Known, entity: str, project: str, run_id: str, batch: dict[str, Any]) -> Counts:
    """``PostgresBackend.ingest``: what the run already holds is skipped, ``Gap`` (and
    nothing applied) when a chunk starts past it; the run's counts after it."""
    rows, records = _parse_batch(batch)
    meta: RunMeta | None = batch.get("meta") or None  # an empty one changes nothing, as in FilesBackend
    if meta is not None and not isinstance(meta, dict):
        raise ValueError("meta must be an object")
    state = batch.get("state")
    if state is not None and state not in FINAL_STATES:
        raise ValueError(f"state must be one of {FINAL_STATES}, got {state!r}")
    exit_code = batch.get("exit_code")
    if exit_code is not None and (not isinstance(exit_code, int) or isinstance(exit_code, bool)):
        raise ValueError(f"exit_code must be an integer, got {exit_code!r}")
    learned: dict[tuple[str, ...], int] = {}  # key tuples this batch numbered or looked up

    def work(conn: psycopg.Connection) -> tuple[Counts, int]:
        learned.clear()
        with conn.transaction():
            columns = f"id, {COUNTS}{', meta' if meta is not None or state else ''}"
            row = run_row(conn, columns, (entity, project, run_id), lock=True)
            if row is None:
                raise not_found(entity, project, run_id)
            run = row[0]
            counts = dict(zip(STREAMS, row[1:5]))
            if any(start > counts[stream] for stream, (start, _) in [*rows.items(), *records.items()]):
                raise Gap(counts)
            held, (first, history) = counts["history"], rows.get("history", (0, []))
            if held and held - first < len(history):  # new rows must not go back before the last held step
                last = conn.execute(
                    "SELECT step FROM wbnb_rows WHERE run = %s AND stream = %s AND idx = %s",
                    (run, STREAMS.index("history"), held - 1),
                ).fetchone()
                check_continues(history, held - first, last[0] if last else -1, "history")
            new = dict(counts)
            with conn.cursor() as cur:
                for stream, (start, items) in rows.items():
                    fresh = items[counts[stream] - start :]
                    if fresh:
                        kis = _resolve_keysets(cur, run, {r[0] for r in fresh}, known.keysets(run), learned)
                        _copy_rows(cur, run, stream, counts[stream], fresh, kis)
                        new[stream] = start + len(items)
                for stream, (start, found) in records.items():
                    if fresh_records := found[counts[stream] - start :]:
                        _copy_records(cur, run, stream, counts[stream], fresh_records)
                        new[stream] = start + len(found)
                text = None
                if meta is not None or state:
                    client = None if meta is None else client_meta(meta, entity, project, run_id)
                    text = dump_meta(_updated(json.loads(row[5]), client, state, exit_code))
                if new != counts or text is not None:
                    cur.execute(
                        f"UPDATE wbnb_runs SET ({COUNTS}, meta) = (%s, %s, %s, %s, COALESCE(%s, meta)) WHERE id = %s",
                        (*(new[s] for s in STREAMS), text, run),
                    )
        return new, run

    counts, run = db.run(work)
    # Only now that it committed: a transaction that failed may have numbered key
    # tuples that do not exist.
    known.learn(run, learned)
    return counts


def _resolve_keysets(
    cur: psycopg.Cursor,
    run: int,
    wanted: set[tuple[str, ...]],
    known: dict[tuple[str, ...], int],
    learned: dict[tuple[str, ...], int],
) -> dict[tuple[str, ...], int]:
    """The run's ``ki`` of each key tuple: ``known`` to this process, ``learned`` by this
    batch, or looked up or numbered here (the run's row is locked, so numbering is
    race-free) and added to ``learned``."""
    kis = {**known, **learned}
    missing = {_encode(k): k for k in wanted if k not in kis}
    if not missing:
        return kis
    hashes = [hashlib.md5(text.encode()).hexdigest() for text in missing]
    for ki, text in cur.execute(
        "SELECT ki, keys FROM wbnb_keysets WHERE run = %s AND md5(keys) = ANY(%s)", (run, hashes)
    ):
        if text in missing:
            keys = missing.pop(text)
            kis[keys] = learned[keys] = ki
    if missing:
        row = cur.execute("SELECT COALESCE(max(ki) + 1, 0) FROM wbnb_keysets WHERE run = %s", (run,)).fetchone()
        next_ki = row[0] if row else 0  # (an aggregate always returns its row)
        for ki, (text, keys) in enumerate(missing.items(), next_ki):
            cur.execute("INSERT INTO wbnb_keysets (run, ki, keys) VALUES (%s, %s, %s)", (run, ki, text))
            kis[keys] = learned[keys] = ki
    return kis


def _copy_rows(
    cur: psycopg.Cursor, run: int, stream: str, first: int, items: list[tuple], kis: Mapping[tuple[str, ...], int]
) -> None:
    """COPY raw rows into ``wbnb_rows`` as indices ``first``, ``first + 1``, ..."""
    code = STREAMS.index(stream)
    with cur.copy("COPY wbnb_rows (run, stream, idx, step, ts, rt, ki, vals) FROM STDIN") as copy:
        write = copy.write_row
        for idx, (keys, step, ts, rt, values) in enumerate(items, first):
            write((run, code, idx, step, ts, rt, kis[keys], _encode(values)))


def _copy_records(cur: psycopg.Cursor, run: int, stream: str, first: int, items: list[dict]) -> None:
    """COPY records into ``wbnb_records`` as indices ``first``, ``first + 1``, ..."""
    code = STREAMS.index(stream)
    with cur.copy("COPY wbnb_records (run, stream, idx, data) FROM STDIN") as copy:
        write = copy.write_row
        for idx, record in enumerate(items, first):
            write((run, code, idx, _encode(record)))


def _updated(old: RunMeta, client: RunMeta | None, state: State | None, exit_code: int | None) -> RunMeta:
    """A run's metadata after a batch: the client's fields (``client_meta``: none of
    the server's) merged over the old, then closed when ``state`` is final."""
    new: RunMeta = {**old, **(client or {})}
    if state and not (old.get("state") == state and old.get("exit_code") == exit_code):  # not a retry
        new.update({"state": state, "exit_code": exit_code, "ended_at": time.time()})
    return new


def _parse_batch(
    batch: Mapping[str, Any],
) -> tuple[dict[str, tuple[int, list[tuple]]], dict[str, tuple[int, list[dict]]]]:
    """The batch's chunks as ``{stream: (start, items)}``, rows decoded; ValueError
    names what is malformed."""
    if not isinstance(batch, Mapping):
        raise ValueError("a batch must be an object")
    rows: dict[str, tuple[int, list[tuple]]] = {}
    records: dict[str, tuple[int, list[dict]]] = {}
    for stream in STREAMS:
        chunk = batch.get(stream)
        if chunk is None:
            continue
        if not isinstance(chunk, Mapping):
            raise ValueError(f"{stream} must be an object")
        start = chunk.get("start")
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise ValueError(f"{stream}.start must be a non-negative integer, got {start!r}")
        if stream in ROW_STREAMS:
            rows[stream] = (start, decode_rows(chunk))
        else:
            items = chunk.get("records", [])
            if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
                raise ValueError(f"{stream}.records must be a list of objects")
            records[stream] = (start, items)
    return rows, records
