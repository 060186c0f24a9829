"""The PostgreSQL home of ``wbnb server``: runs, metric rows, records and API keys in
one database that several server processes share. Media stay content-addressed files
below ``--root`` (``MediaStore``), as in the folder backend.

Schema (``postgres.sql``, shipped in the package; created on first connect, under an
advisory lock so that two servers starting at once do not race on ``CREATE TABLE IF NOT
EXISTS``)::

    wbnb_keys     key_id PK, entity, name, secret_hash, created_at, revoked
    wbnb_runs     id (surrogate), entity, project, run_id, meta,
                  n_history, n_system, n_events, n_console        PK (entity, project, run_id)
    wbnb_keysets  run, ki, keys (a JSON list of key names)        PK (run, ki), UNIQUE (run, md5(keys))
    wbnb_rows     run, stream, idx, step, ts, rt, ki, vals        PK (run, stream, idx)
    wbnb_records  run, stream, idx, data                          PK (run, stream, idx)

Why it looks like this:

- Metadata, row values and records are JSON *text*, written by Python's ``json``: jsonb
  refuses NaN and ±Infinity (a diverged loss, its summary), reorders keys, and costs a
  parse on every insert. The server only ever hands these back whole.
- A row names its key tuple by ``ki``, an index into the run's ``wbnb_keysets``, as the
  wire format does per chunk: the names are stored once per run, not once per row.
- ``stream`` is a small integer (``STREAMS.index``): it sits in every primary key.
- The counts live in the run's row and change in the same transaction as the data, so
  they are the data's own count: ``ingest`` locks that row (``FOR UPDATE``), so batches
  for one run serialize across server processes, and takes the counts from the locked
  row itself (in READ COMMITTED a row locked after a wait is re-read at its newest
  version: the counts the batch before it committed).
- Rows go in with ``COPY``, not ``INSERT ... ON CONFLICT DO NOTHING``: the lock and the
  counts already skip what is held, the primary key still makes a duplicate impossible
  (the transaction fails rather than storing it twice), and COPY ingests about twice as
  fast (``benchmarks/bench_postgres.py``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.pq import TransactionStatus

from ..store.base import RunBusy, RunNotFound, RunWriter, Store, StoreError
from ..store.columns import columns, numeric_arrays
from ..store.edits import apply_edit, check_edit
from ..store.media import MediaStore
from ..store.names import check_name
from ..store.rowread import Cursor
from ..store.rows import check_continues
from ..store.runmeta import RunMeta, State, resumed
from ..store.wire import FINAL_STATES, RECORD_STREAMS, ROW_STREAMS, STREAMS, decode_rows
from .backend import Backend, Counts, Gap, KeyRecord, Live, Unavailable
from .files import client_meta
from .meta import readable

T = TypeVar("T")

RESUME_MODES = (None, "never", "allow", "must")
_SCHEMA_LOCK = 0x77626E62  # "wbnb": the advisory lock the schema is created under
_CACHE_LIMIT = 10_000  # entries per in-process cache before it starts over

SCHEMA = resources.files("wbnb.server").joinpath("postgres.sql").read_text(encoding="utf-8")  # shipped in the wheel

_COUNTS = ", ".join(f"n_{s}" for s in STREAMS)
# Rows at a list of indices, one primary key lookup each. Not ``idx = ANY(%s)``: the
# planner takes a new run for a few rows (its statistics predate the run) and filters
# a scan of the whole run by the array; OFFSET 0 keeps the LATERAL from being
# flattened into a join it could plan the same way.
_AT = """SELECT {} FROM unnest(%s::bigint[]) AS p(i) CROSS JOIN LATERAL (
    SELECT * FROM wbnb_rows WHERE run = %s AND stream = %s AND idx = p.i OFFSET 0) AS r ORDER BY r.idx"""
# Compact JSON for row values and records; NaN and ±Infinity stay as Python writes them.
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _dump_meta(meta: Mapping[str, Any]) -> str:
    return json.dumps(meta, default=str)  # as local.py writes run.json


def _load_all(texts: Sequence[str]) -> list[Any]:
    """Decode many JSON texts in one C call (several times faster than one by one)."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


class _Pool:
    """A few connections shared by the threads of one server process (FastAPI calls
    the backend from its threadpool). A thread takes a connection for one operation
    and gives it back; broken ones are dropped and replaced on demand."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._size = size
        self._idle: list[psycopg.Connection] = []
        self._open = 0
        self._closed = False
        self._cond = threading.Condition()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """One connection for the duration of the block (autocommit; transactions
        through ``conn.transaction()``)."""
        conn = self._take()
        try:
            yield conn
        finally:
            self._give(conn)

    def _take(self) -> psycopg.Connection:
        with self._cond:
            while True:
                if self._closed:
                    raise StoreError("the PostgreSQL backend is closed")
                if self._idle:
                    return self._idle.pop()  # the most recently used: its caches are warm
                if self._open < self._size:
                    self._open += 1
                    break
                self._cond.wait()
        try:
            return psycopg.connect(self._url, autocommit=True)
        except BaseException:
            with self._cond:
                self._open -= 1
                self._cond.notify()
            raise

    def _give(self, conn: psycopg.Connection) -> None:
        keep = not conn.closed and not conn.broken and conn.info.transaction_status == TransactionStatus.IDLE
        with self._cond:
            keep = keep and not self._closed
            if keep:
                self._idle.append(conn)
            else:
                self._open -= 1
            self._cond.notify()
        if not keep:
            conn.close()

    def drop_idle(self) -> None:
        """Close the idle connections: after the server restarted, all are dead."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._cond.notify_all()
        for conn in idle:
            conn.close()

    def close(self) -> None:
        """Close the idle connections and refuse new work; busy ones close when given back."""
        with self._cond:
            self._closed = True
        self.drop_idle()


class PostgresBackend(Backend):
    """Runs and keys in PostgreSQL at ``url`` (a libpq URL or conninfo string), media
    below ``root``. ``pool_size`` connections at most per process."""

    def __init__(self, url: str, root: str | Path, pool_size: int = 8) -> None:
        if "connect_timeout" not in psycopg.conninfo.conninfo_to_dict(url):
            # A request thread must not hang forever on an unreachable database.
            url = psycopg.conninfo.make_conninfo(url, connect_timeout=10)
        self._pool = _Pool(url, pool_size)
        self._media = MediaStore(Path(root).expanduser().absolute())
        # Caches of what never changes once committed, shared by the request threads:
        # (entity, project, run_id) -> run surrogate id, and run id -> {key tuple: ki}.
        self._ids: dict[tuple[str, str, str], int] = {}
        self._keysets: dict[int, dict[tuple[str, ...], int]] = {}
        self._cache_lock = threading.Lock()
        self._run(self._create_schema)

    def __repr__(self) -> str:
        return f"PostgresBackend(root={str(self._media.root)!r})"

    @staticmethod
    def _create_schema(conn: psycopg.Connection) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            conn.execute(SCHEMA)

    def _run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """Do ``work`` on a pooled connection, once more on a fresh one if the first
        turned out dead (the database restarted since it was last used). Repeating is
        safe: ``ingest`` is exactly-once by its counts, the rest are single statements
        or transactions that failed as a whole."""
        for attempt in (0, 1):
            try:
                with self._pool.connection() as conn:
                    try:
                        return work(conn)
                    except psycopg.OperationalError:
                        if attempt or not conn.broken:
                            raise
            except psycopg.OperationalError as e:  # down, or died twice: the client retries later
                raise Unavailable(f"the database cannot be reached: {e}".strip()) from None
            self._pool.drop_idle()
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the database connections."""
        self._pool.close()

    # -- keys --------------------------------------------------------------------------

    def add_key(self, record: KeyRecord) -> None:
        """Store a new key record; ValueError if its id is taken."""

        def work(conn: psycopg.Connection) -> None:
            conn.execute(
                "INSERT INTO wbnb_keys (key_id, entity, name, secret_hash, created_at, revoked) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (record.key_id, record.entity, record.name, record.secret_hash, record.created_at, record.revoked),
            )

        try:
            self._run(work)
        except psycopg.errors.UniqueViolation:
            raise ValueError(f"there is already a key {record.key_id!r}") from None

    def key(self, key_id: str) -> KeyRecord | None:
        """The record of one key id (revoked ones included), or None."""
        row = self._run(
            lambda conn: conn.execute(
                "SELECT key_id, entity, name, secret_hash, created_at, revoked FROM wbnb_keys WHERE key_id = %s",
                (key_id,),
            ).fetchone()
        )
        return KeyRecord(*row) if row else None

    def keys(self) -> list[KeyRecord]:
        """Every key record, oldest first."""
        rows = self._run(
            lambda conn: conn.execute(
                "SELECT key_id, entity, name, secret_hash, created_at, revoked FROM wbnb_keys "
                "ORDER BY created_at, key_id"
            ).fetchall()
        )
        return [KeyRecord(*row) for row in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""
        row = self._run(
            lambda conn: conn.execute(
                "UPDATE wbnb_keys SET revoked = true WHERE key_id = %s RETURNING key_id", (key_id,)
            ).fetchone()
        )
        return row is not None

    # -- runs ----------------------------------------------------------------------------

    def store(self, entity: str) -> Store:
        """The read side of one entity's runs; ValueError for a bad entity name."""
        return PostgresStore(self, check_name("entity", entity))

    def open_run(
        self, entity: str, project: str, run_id: str, meta: RunMeta, resume: str | None
    ) -> tuple[RunMeta, Counts]:
        """Create or reopen a run (``resume`` as in ``LocalStore.open_run``); its state
        becomes "running". The client's ``meta`` loses the server's fields and takes
        the run's identity from the arguments (``client_meta``, as in ``FilesBackend``).
        A resumed run keeps its old metadata under the new, merges its config and
        counts one more ``resumed``."""
        entity, project = check_name("entity", entity), check_name("project", project)
        run_id = check_name("run id", run_id)
        if resume not in RESUME_MODES:
            raise ValueError(f"resume must be one of {RESUME_MODES}, got {resume!r}")
        path = f"{project}/{run_id}"
        meta = client_meta(meta, entity, project, run_id)

        def work(conn: psycopg.Connection) -> tuple[RunMeta, Counts]:
            while True:  # twice at most: a run another server created meanwhile is found next time
                with conn.transaction():
                    row = conn.execute(
                        f"SELECT meta, {_COUNTS} FROM wbnb_runs "
                        "WHERE entity = %s AND project = %s AND run_id = %s FOR UPDATE",
                        (entity, project, run_id),
                    ).fetchone()
                    if row is not None:
                        if resume in (None, "never"):
                            raise StoreError(
                                f"run {path} already exists; pass resume='allow' to continue it, or choose another id"
                            )
                        old: RunMeta = json.loads(row[0])
                        new = _opened(resumed(old, meta))
                        conn.execute(
                            "UPDATE wbnb_runs SET meta = %s WHERE entity = %s AND project = %s AND run_id = %s",
                            (_dump_meta(new), entity, project, run_id),
                        )
                        return new, dict(zip(STREAMS, row[1:]))
                    if resume == "must":
                        raise StoreError(f"resume='must' but there is no run {path}")
                    new = _opened(meta)
                    made = conn.execute(
                        "INSERT INTO wbnb_runs (entity, project, run_id, meta) VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING RETURNING id",
                        (entity, project, run_id, _dump_meta(new)),
                    ).fetchone()
                    if made is not None:
                        return new, dict.fromkeys(STREAMS, 0)

        return self._run(work)

    def counts(self, entity: str, project: str, run_id: str) -> Counts:
        """How many records of each stream the run holds; ``RunNotFound`` if none."""
        row = self._run(
            lambda conn: conn.execute(
                f"SELECT {_COUNTS} FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s",
                (entity, project, run_id),
            ).fetchone()
        )
        if row is None:
            raise _not_found(entity, project, run_id)
        return dict(zip(STREAMS, row))

    def ingest(self, entity: str, project: str, run_id: str, batch: dict[str, Any]) -> Counts:
        """Apply a batch in the wire format exactly once, in one transaction: what the
        run already holds is skipped, ``Gap`` (and nothing applied) when a chunk starts
        past it. ``meta`` replaces the metadata but for the server's fields
        (``client_meta``); a final ``state`` closes the run (again: a no-op). ValueError
        for a malformed batch."""
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
                row = conn.execute(
                    f"SELECT id, {_COUNTS}{', meta' if meta is not None or state else ''} "
                    "FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s FOR UPDATE",
                    (entity, project, run_id),
                ).fetchone()
                if row is None:
                    raise _not_found(entity, project, run_id)
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
                            self._copy_rows(cur, run, stream, counts[stream], fresh, learned)
                            new[stream] = start + len(items)
                    for stream, (start, found) in records.items():
                        if fresh_records := found[counts[stream] - start :]:
                            _copy_records(cur, run, stream, counts[stream], fresh_records)
                            new[stream] = start + len(found)
                    text = None
                    if meta is not None or state:
                        client = None if meta is None else client_meta(meta, entity, project, run_id)
                        text = _dump_meta(_updated(json.loads(row[5]), client, state, exit_code))
                    if new != counts or text is not None:
                        cur.execute(
                            f"UPDATE wbnb_runs SET ({_COUNTS}, meta) = (%s, %s, %s, %s, COALESCE(%s, meta)) "
                            "WHERE id = %s",
                            (*(new[s] for s in STREAMS), text, run),
                        )
            return new, run

        counts, run = self._run(work)
        # Only now that it committed: a transaction that failed may have numbered key
        # tuples that do not exist.
        self._learn(run, learned)
        return counts

    def update_run(self, entity: str, project: str, run_id: str, changes: Mapping[str, Any], live: Live) -> RunMeta:
        """Apply an edit in one transaction, the run's row locked (as ``ingest`` locks
        it: a batch cannot come in between the check and the write)."""
        edit = check_edit(changes)

        def work(conn: psycopg.Connection) -> RunMeta:
            with conn.transaction():
                run, meta = self._lock_quiet_run(conn, entity, project, run_id, live, "edit")
                new = apply_edit(meta, edit)
                conn.execute("UPDATE wbnb_runs SET meta = %s WHERE id = %s", (_dump_meta(new), run))
                return new

        return readable(self._run(work))

    def delete_run(self, entity: str, project: str, run_id: str, live: Live) -> None:
        """Delete a run's rows, records, key sets and itself in one transaction."""

        def work(conn: psycopg.Connection) -> int:
            with conn.transaction():
                run, _ = self._lock_quiet_run(conn, entity, project, run_id, live, "delete")
                for table in ("wbnb_rows", "wbnb_records", "wbnb_keysets"):
                    conn.execute(f"DELETE FROM {table} WHERE run = %s", (run,))
                conn.execute("DELETE FROM wbnb_runs WHERE id = %s", (run,))
                return run

        run = self._run(work)
        with self._cache_lock:
            self._ids.pop((entity, project, run_id), None)
            self._keysets.pop(run, None)

    @staticmethod
    def _lock_quiet_run(
        conn: psycopg.Connection, entity: str, project: str, run_id: str, live: Live, what: str
    ) -> tuple[int, RunMeta]:
        """Lock a run's row and return its id and metadata; ``RunNotFound``, or
        ``RunBusy`` when ``live`` says its client still writes it."""
        check_name("entity", entity)
        check_name("project", project)
        check_name("run id", run_id)
        row = conn.execute(
            "SELECT id, meta FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s FOR UPDATE",
            (entity, project, run_id),
        ).fetchone()
        if row is None:
            raise _not_found(entity, project, run_id)
        meta: RunMeta = json.loads(row[1])
        if live(meta):
            raise RunBusy(
                f"cannot {what} run {project}/{run_id}: it is running (its client is still sending it); "
                f"{what} it once it has finished"
            )
        return row[0], meta

    def _copy_rows(
        self,
        cur: psycopg.Cursor,
        run: int,
        stream: str,
        first: int,
        items: list[tuple],
        learned: dict[tuple[str, ...], int],
    ) -> None:
        """COPY raw rows into ``wbnb_rows`` as indices ``first``, ``first + 1``, ..."""
        kis = self._resolve_keysets(cur, run, {r[0] for r in items}, learned)
        code = STREAMS.index(stream)
        with cur.copy("COPY wbnb_rows (run, stream, idx, step, ts, rt, ki, vals) FROM STDIN") as copy:
            write = copy.write_row
            for idx, (keys, step, ts, rt, values) in enumerate(items, first):
                write((run, code, idx, step, ts, rt, kis[keys], _encode(values)))

    def _resolve_keysets(
        self, cur: psycopg.Cursor, run: int, wanted: set[tuple[str, ...]], learned: dict[tuple[str, ...], int]
    ) -> dict[tuple[str, ...], int]:
        """The run's ``ki`` of each key tuple, adding the tuples it has not seen (the run
        row is locked, so numbering them is race-free)."""
        kis = {**self._known_keysets(run), **learned}
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

    def _known_keysets(self, run: int) -> dict[tuple[str, ...], int]:
        """A copy of what this process knows of a run's key tuples."""
        with self._cache_lock:
            return dict(self._keysets.get(run, {}))

    def _learn(self, run: int, keysets: Mapping[tuple[str, ...], int]) -> None:
        """Remember committed key tuples of a run (the cache starts over when big)."""
        if not keysets:
            return
        with self._cache_lock:
            known = self._keysets.get(run)
            if known is None:
                if len(self._keysets) >= _CACHE_LIMIT:
                    self._keysets.clear()
                known = self._keysets[run] = {}
            elif len(known) >= _CACHE_LIMIT:
                known.clear()
            known.update(keysets)

    def _run_key(self, run_key: tuple[str, str, str]) -> int:
        """The surrogate id of a run (cached: it never changes while the run exists;
        ``PostgresStore.run`` refreshes it); ``RunNotFound``."""
        run = self._ids.get(run_key)
        if run is None:
            row = self._run(
                lambda conn: conn.execute(
                    "SELECT id FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s", run_key
                ).fetchone()
            )
            if row is None:
                raise _not_found(*run_key)
            run = row[0]
            self._remember_id(run_key, run)
        return run

    def _remember_id(self, run_key: tuple[str, str, str], run: int) -> None:
        with self._cache_lock:
            if len(self._ids) >= _CACHE_LIMIT:
                self._ids.clear()
            self._ids[run_key] = run

    # -- media ---------------------------------------------------------------------------

    def put_media(self, data: bytes, ext: str) -> str:
        """Store a file by content below ``root``; returns its ``media/...`` path."""
        return self._media.put(data, ext)

    def media(self, path: str) -> bytes:
        """Bytes of a ``media/...`` path; ValueError for anything else, FileNotFoundError."""
        return self._media.get(path)

    # -- reading, for PostgresStore --------------------------------------------------------

    def _fetch_rows(self, run: int, stream: str, start: int = 0, indices: list[int] | None = None) -> list[tuple]:
        """Raw rows ``(keys, step, ts, rt, values)`` from index ``start`` on, or those at
        ``indices`` (sorted)."""
        code = STREAMS.index(stream)
        known = self._known_keysets(run)

        def work(conn: psycopg.Connection) -> tuple[list[tuple], dict[int, str]]:
            if indices is None:
                found = conn.execute(
                    "SELECT step, ts, rt, ki, vals FROM wbnb_rows WHERE run = %s AND stream = %s "
                    "AND idx >= %s ORDER BY idx",
                    (run, code, start),
                ).fetchall()
            else:
                found = conn.execute(_AT.format("step, ts, rt, ki, vals"), (indices, run, code)).fetchall()
            kis = sorted({r[3] for r in found} - set(known.values()))
            names: dict[int, str] = (
                dict(
                    conn.execute(
                        "SELECT ki, keys FROM wbnb_keysets WHERE run = %s AND ki = ANY(%s)", (run, kis)
                    ).fetchall()
                )
                if kis
                else {}
            )
            return found, names

        found, names = self._run(work)
        fetched = {tuple(json.loads(text)): ki for ki, text in names.items()}
        self._learn(run, fetched)
        # One tuple object per key set: columns() takes its fast path on identity.
        keys_of = {ki: keys for keys, ki in {**known, **fetched}.items()}
        values = _load_all([r[4] for r in found])
        return [(keys_of[ki], step, ts, rt, tuple(v)) for (step, ts, rt, ki, _), v in zip(found, values)]

    def _step_indices(self, run: int, stream: str, picks: list[int], n: int) -> list[int]:
        """The indices of the whole steps that the rows at ``picks`` belong to (of ``n``
        rows). Steps never go backwards, so a step's rows are consecutive: look at the
        steps in a window around each pick, widened until the pick's step ends inside
        it. Only primary key lookups (``_AT``): a ``max(idx) ... WHERE step < s`` search
        for a step's ends was planned as a scan of the whole run, once per pick."""
        code = STREAMS.index(stream)
        steps: dict[int, int] = {}
        looked: set[int] = set()  # indices asked for (a missing row ends a span too)
        spans: list[tuple[int, int]] = []
        pending, width = picks, 2
        while pending:
            wanted = sorted({j for i in pending for j in range(max(0, i - width), min(n, i + width + 1))} - looked)
            looked.update(wanted)
            steps.update(self._run(functools.partial(_steps_at, indices=wanted, run=run, code=code)))
            unfinished = []
            for i in pending:
                step, lo, hi = steps.get(i), i, i
                if step is None:
                    continue
                while steps.get(lo - 1, -1) == step:
                    lo -= 1
                while steps.get(hi + 1, -1) == step:
                    hi += 1
                if (lo > 0 and lo - 1 not in looked) or (hi < n - 1 and hi + 1 not in looked):
                    unfinished.append(i)
                else:
                    spans.append((lo, hi))
            pending, width = unfinished, width * 4
        return sorted({j for lo, hi in spans for j in range(lo, hi + 1)})


def _steps_at(conn: psycopg.Connection, indices: list[int], run: int, code: int) -> list[tuple[int, int]]:
    """``(index, step)`` of the rows of a run's stream at ``indices``."""
    return conn.execute(_AT.format("idx, step"), (indices, run, code)).fetchall()


def _opened(meta: RunMeta) -> RunMeta:
    """Metadata of a run just (re)opened for writing."""
    meta["state"] = "running"
    meta.pop("ended_at", None)
    return meta


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


def _copy_records(cur: psycopg.Cursor, run: int, stream: str, first: int, items: list[dict]) -> None:
    """COPY records into ``wbnb_records`` as indices ``first``, ``first + 1``, ..."""
    code = STREAMS.index(stream)
    with cur.copy("COPY wbnb_records (run, stream, idx, data) FROM STDIN") as copy:
        write = copy.write_row
        for idx, record in enumerate(items, first):
            write((run, code, idx, _encode(record)))


def _not_found(entity: str, project: str, run_id: str) -> RunNotFound:
    return RunNotFound(f"no run {project}/{run_id} for {entity}")


class PostgresStore(Store):
    """One entity's runs in PostgreSQL, read through the ``Store`` interface. A row
    cursor's ``offset`` is a row index, as the wire format counts them."""

    def __init__(self, backend: PostgresBackend, entity: str) -> None:
        self._backend = backend
        self.entity = entity

    def __repr__(self) -> str:
        return f"PostgresStore(entity={self.entity!r})"

    def _id(self, project: str, run_id: str) -> int:
        return self._backend._run_key((self.entity, check_name("project", project), check_name("run id", run_id)))

    def projects(self) -> list[str]:
        """Names of the entity's projects that have runs, sorted as Python sorts."""
        rows = self._backend._run(
            lambda conn: conn.execute(
                'SELECT DISTINCT project COLLATE "C" FROM wbnb_runs WHERE entity = %s ORDER BY 1', (self.entity,)
            ).fetchall()
        )
        return [r[0] for r in rows]

    def runs(self, project: str) -> list[RunMeta]:
        """Metadata of every run of a project, oldest first (``created_at``); a bad
        stored value is left out and named (``meta.readable``)."""
        project = check_name("project", project)
        rows = self._backend._run(
            lambda conn: conn.execute(
                "SELECT meta FROM wbnb_runs WHERE entity = %s AND project = %s", (self.entity, project)
            ).fetchall()
        )
        out = [readable(meta) for meta in _load_all([r[0] for r in rows])]
        out.sort(key=lambda m: m.get("created_at", 0))
        return out

    def run(self, project: str, run_id: str) -> RunMeta:
        """Metadata of one run; ``RunNotFound``."""
        project, run_id = check_name("project", project), check_name("run id", run_id)
        row = self._backend._run(
            lambda conn: conn.execute(
                "SELECT id, meta FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s",
                (self.entity, project, run_id),
            ).fetchone()
        )
        if row is None:
            raise _not_found(self.entity, project, run_id)
        # The app looks a run up before reading its records: a run deleted and made
        # again (maybe by another server process) is read under its new id from here on.
        self._backend._remember_id((self.entity, project, run_id), row[0])
        return readable(json.loads(row[1]))

    def rows(
        self, project: str, run_id: str, stream: str = "history", cursor: Cursor | None = None
    ) -> tuple[list[tuple], Cursor]:
        """Raw rows from index ``cursor.offset`` on, and the cursor after them."""
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        start = cursor.offset if cursor else 0
        rows = self._backend._fetch_rows(self._id(project, run_id), stream, start)
        return rows, Cursor(start + len(rows), {})

    def columns(self, project: str, run_id: str, stream: str = "history", samples: int | None = None) -> dict[str, Any]:
        """The stream as columns (numpy arrays where numeric); with ``samples``, the
        steps of that many evenly spaced rows, as ``colread.read_columns`` picks them."""
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        run = self._id(project, run_id)
        n = self._backend.counts(self.entity, project, run_id)[stream] if samples else 0
        if samples and n > samples:
            picks = sorted({round(j * (n - 1) / (samples - 1)) if samples > 1 else n - 1 for j in range(samples)})
            rows = self._backend._fetch_rows(run, stream, indices=self._backend._step_indices(run, stream, picks, n))
        else:
            rows = self._backend._fetch_rows(run, stream)
        return numeric_arrays(columns(rows))

    def records(self, project: str, run_id: str, stream: str, offset: int = 0) -> tuple[list[dict], int]:
        """Records from index ``offset`` on, and the index after them."""
        if stream not in RECORD_STREAMS:
            raise ValueError(f"stream must be one of {RECORD_STREAMS}, got {stream!r}")
        run = self._id(project, run_id)
        rows = self._backend._run(
            lambda conn: conn.execute(
                "SELECT data FROM wbnb_records WHERE run = %s AND stream = %s AND idx >= %s ORDER BY idx",
                (run, STREAMS.index(stream), offset),
            ).fetchall()
        )
        return _load_all([r[0] for r in rows]), offset + len(rows)

    def media(self, path: str) -> bytes:
        """Bytes of a media file below the backend's root."""
        return self._backend.media(path)

    def update_run(self, project: str, run_id: str, changes: Mapping[str, Any]) -> RunMeta:
        """``PostgresBackend.update_run``, refusing a run whose state is ``running``."""
        return self._backend.update_run(self.entity, project, run_id, changes, _running)

    def delete_run(self, project: str, run_id: str) -> None:
        """``PostgresBackend.delete_run``, refusing a run whose state is ``running``."""
        self._backend.delete_run(self.entity, project, run_id, _running)

    def open_run(self, project: str, run_id: str, meta: RunMeta, resume: str | None) -> RunWriter:
        """Not here: runs are written through ``PostgresBackend.ingest``."""
        raise NotImplementedError("write to a server's runs through PostgresBackend.open_run and ingest")


def _running(meta: RunMeta) -> bool:
    return meta.get("state") == "running"
