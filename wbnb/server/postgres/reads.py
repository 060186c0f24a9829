"""The read side: ``PostgresStore``, one entity's runs through the ``Store``
interface, and the queries it reads rows with (by index from a start, or at picked
indices, whole steps around them)."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg

from ...store.base import RunWriter, Store
from ...store.columns import columns, numeric_arrays
from ...store.media import MediaStore
from ...store.names import check_name
from ...store.rowread import Cursor
from ...store.runmeta import RunMeta
from ...store.wire import RECORD_STREAMS, ROW_STREAMS, STREAMS
from ..meta import readable
from . import runs
from .database import Database
from .known import Known, RunKey

# Rows at a list of indices, one primary key lookup each. Not ``idx = ANY(%s)``: the
# planner takes a new run for a few rows (its statistics predate the run) and filters
# a scan of the whole run by the array; OFFSET 0 keeps the LATERAL from being
# flattened into a join it could plan the same way.
_AT = """SELECT {} FROM unnest(%s::bigint[]) AS p(i) CROSS JOIN LATERAL (
    SELECT * FROM wbnb_rows WHERE run = %s AND stream = %s AND idx = p.i OFFSET 0) AS r ORDER BY r.idx"""


def _load_all(texts: Sequence[str]) -> list[Any]:
    """Decode many JSON texts in one C call (several times faster than one by one)."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


class PostgresStore(Store):
    """One entity's runs in PostgreSQL, read through the ``Store`` interface. A row
    cursor's ``offset`` is a row index, as the wire format counts them."""

    def __init__(self, db: Database, known: Known, media: MediaStore, entity: str) -> None:
        self._db, self._known, self._media = db, known, media
        self.entity = entity

    def __repr__(self) -> str:
        return f"PostgresStore(entity={self.entity!r})"

    def projects(self) -> list[str]:
        """Names of the entity's projects that have runs, sorted as Python sorts."""
        rows = self._db.run(
            lambda conn: conn.execute(
                'SELECT DISTINCT project COLLATE "C" FROM wbnb_runs WHERE entity = %s ORDER BY 1', (self.entity,)
            ).fetchall()
        )
        return [r[0] for r in rows]

    def runs(self, project: str) -> list[RunMeta]:
        """Metadata of every run of a project, oldest first (``created_at``); a bad
        stored value is left out and named (``meta.readable``)."""
        project = check_name("project", project)
        rows = self._db.run(
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
        row = self._db.run(lambda conn: runs.run_row(conn, "id, meta", (self.entity, project, run_id)))
        if row is None:
            raise runs.not_found(self.entity, project, run_id)
        # The app looks a run up before reading its records: a run deleted and made
        # again (maybe by another server process) is read under its new id from here on.
        self._known.remember_id((self.entity, project, run_id), row[0])
        return readable(json.loads(row[1]))

    def rows(
        self, project: str, run_id: str, stream: str = "history", cursor: Cursor | None = None
    ) -> tuple[list[tuple], Cursor]:
        """Raw rows from index ``cursor.offset`` on, and the cursor after them."""
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        start = cursor.offset if cursor else 0
        rows = self._fetch_rows(self._id(project, run_id), stream, start)
        return rows, Cursor(start + len(rows), {})

    def columns(self, project: str, run_id: str, stream: str = "history", samples: int | None = None) -> dict[str, Any]:
        """The stream as columns (numpy arrays where numeric); with ``samples``, the
        steps of that many evenly spaced rows, as ``colread.read_columns`` picks them."""
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        run = self._id(project, run_id)
        n = runs.counts(self._db, self.entity, project, run_id)[stream] if samples else 0
        if samples and n > samples:
            picks = sorted({round(j * (n - 1) / (samples - 1)) if samples > 1 else n - 1 for j in range(samples)})
            rows = self._fetch_rows(run, stream, indices=self._step_indices(run, stream, picks, n))
        else:
            rows = self._fetch_rows(run, stream)
        return numeric_arrays(columns(rows))

    def records(self, project: str, run_id: str, stream: str, offset: int = 0) -> tuple[list[dict], int]:
        """Records from index ``offset`` on, and the index after them."""
        if stream not in RECORD_STREAMS:
            raise ValueError(f"stream must be one of {RECORD_STREAMS}, got {stream!r}")
        run = self._id(project, run_id)
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT data FROM wbnb_records WHERE run = %s AND stream = %s AND idx >= %s ORDER BY idx",
                (run, STREAMS.index(stream), offset),
            ).fetchall()
        )
        return _load_all([r[0] for r in rows]), offset + len(rows)

    def media(self, path: str) -> bytes:
        """Bytes of a media file below the backend's root."""
        return self._media.get(path)

    def update_run(self, project: str, run_id: str, changes: Mapping[str, Any]) -> RunMeta:
        """``PostgresBackend.update_run``, refusing a run whose state is ``running``."""
        return runs.update_run(self._db, self.entity, project, run_id, changes, _running)

    def delete_run(self, project: str, run_id: str) -> None:
        """``PostgresBackend.delete_run``, refusing a run whose state is ``running``."""
        runs.delete_run(self._db, self._known, self.entity, project, run_id, _running)

    def open_run(self, project: str, run_id: str, meta: RunMeta, resume: str | None) -> RunWriter:
        """Not here: runs are written through ``PostgresBackend.ingest``."""
        raise NotImplementedError("write to a server's runs through PostgresBackend.open_run and ingest")

    def _id(self, project: str, run_id: str) -> int:
        """The surrogate id of a run (remembered: it never changes while the run exists;
        ``run`` refreshes it); ``RunNotFound``."""
        key: RunKey = (self.entity, check_name("project", project), check_name("run id", run_id))
        run = self._known.run_id(key)
        if run is None:
            row = self._db.run(lambda conn: runs.run_row(conn, "id", key))
            if row is None:
                raise runs.not_found(*key)
            run = row[0]
            self._known.remember_id(key, run)
        return run

    def _fetch_rows(self, run: int, stream: str, start: int = 0, indices: list[int] | None = None) -> list[tuple]:
        """Raw rows ``(keys, step, ts, rt, values)`` from index ``start`` on, or those at
        ``indices`` (sorted)."""
        code = STREAMS.index(stream)
        known = self._known.keysets(run)

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

        found, names = self._db.run(work)
        fetched = {tuple(json.loads(text)): ki for ki, text in names.items()}
        self._known.learn(run, fetched)
        # One tuple object per key set: history.columns() takes its fast path on identity.
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
            steps.update(self._db.run(functools.partial(_steps_at, indices=wanted, run=run, code=code)))
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


def _running(meta: RunMeta) -> bool:
    return meta.get("state") == "running"
