"""A run's row in ``wbnb_runs``: opened (created or resumed), counted, edited,
deleted, each in one statement or transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import psycopg

from ...store.base import RunBusy, RunNotFound, StoreError
from ...store.edits import apply_edit, check_edit
from ...store.names import check_name
from ...store.runmeta import RunMeta, created, reopened, resumed
from ...store.wire import STREAMS
from ..backend import Counts, Live
from ..files import client_meta
from ..meta import readable
from .database import Database
from .known import Known, RunKey

RESUME_MODES = (None, "never", "allow", "must")
COUNTS = ", ".join(f"n_{s}" for s in STREAMS)  # the count columns, in STREAMS order


def dump_meta(meta: Mapping[str, Any]) -> str:
    """A run's metadata as stored."""
    return json.dumps(meta, default=str)  # as local.py writes run.json


def not_found(entity: str, project: str, run_id: str) -> RunNotFound:
    return RunNotFound(f"no run {project}/{run_id} for {entity}")


def run_row(conn: psycopg.Connection, columns: str, key: RunKey, *, lock: bool = False) -> tuple[Any, ...] | None:
    """``columns`` of the row of run ``key`` (None: there is none); with ``lock``, the row
    stays locked until the transaction ends (no other request changes the run meanwhile)."""
    return conn.execute(
        f"SELECT {columns} FROM wbnb_runs WHERE entity = %s AND project = %s AND run_id = %s"
        + (" FOR UPDATE" if lock else ""),
        key,
    ).fetchone()


def open_run(
    db: Database, entity: str, project: str, run_id: str, meta: RunMeta, resume: str | None
) -> tuple[RunMeta, Counts]:
    """``PostgresBackend.open_run``: create or reopen a run, its metadata and counts."""
    entity, project = check_name("entity", entity), check_name("project", project)
    run_id = check_name("run id", run_id)
    if resume not in RESUME_MODES:
        raise ValueError(f"resume must be one of {RESUME_MODES}, got {resume!r}")
    path = f"{project}/{run_id}"
    meta = client_meta(meta, entity, project, run_id)

    def work(conn: psycopg.Connection) -> tuple[RunMeta, Counts]:
        while True:  # twice at most: a run another server created meanwhile is found next time
            with conn.transaction():
                row = run_row(conn, f"id, meta, {COUNTS}", (entity, project, run_id), lock=True)
                if row is not None:
                    if resume in (None, "never"):
                        raise StoreError(
                            f"run {path} already exists; pass resume='allow' to continue it, or choose another id"
                        )
                    old: RunMeta = json.loads(row[1])
                    new = reopened(resumed(old, meta))
                    conn.execute("UPDATE wbnb_runs SET meta = %s WHERE id = %s", (dump_meta(new), row[0]))
                    return new, dict(zip(STREAMS, row[2:]))
                if resume == "must":
                    raise StoreError(f"resume='must' but there is no run {path}")
                (before,) = conn.execute(
                    "SELECT count(*) FROM wbnb_runs WHERE entity = %s AND project = %s", (entity, project)
                ).fetchone() or (0,)
                new = reopened(created(meta, before + 1))
                made = conn.execute(
                    "INSERT INTO wbnb_runs (entity, project, run_id, meta) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    (entity, project, run_id, dump_meta(new)),
                ).fetchone()
                if made is not None:
                    return new, dict.fromkeys(STREAMS, 0)

    return db.run(work)


def counts(db: Database, entity: str, project: str, run_id: str) -> Counts:
    """How many records of each stream the run holds; ``RunNotFound`` if none."""
    row = db.run(lambda conn: run_row(conn, COUNTS, (entity, project, run_id)))
    if row is None:
        raise not_found(entity, project, run_id)
    return dict(zip(STREAMS, row))


def update_run(db: Database, entity: str, project: str, run_id: str, changes: Mapping[str, Any], live: Live) -> RunMeta:
    """Apply an edit in one transaction, the run's row locked (as ``ingest`` locks it: a
    batch cannot come in between the check and the write); the metadata readers get."""
    edit = check_edit(changes)

    def work(conn: psycopg.Connection) -> RunMeta:
        with conn.transaction():
            run, meta = _lock_quiet_run(conn, entity, project, run_id, live, "edit")
            new = apply_edit(meta, edit)
            conn.execute("UPDATE wbnb_runs SET meta = %s WHERE id = %s", (dump_meta(new), run))
            return new

    return readable(db.run(work))


def delete_run(db: Database, known: Known, entity: str, project: str, run_id: str, live: Live) -> None:
    """Delete a run's rows, records, key sets and itself in one transaction."""

    def work(conn: psycopg.Connection) -> int:
        with conn.transaction():
            run, _ = _lock_quiet_run(conn, entity, project, run_id, live, "delete")
            for table in ("wbnb_rows", "wbnb_records", "wbnb_keysets"):
                conn.execute(f"DELETE FROM {table} WHERE run = %s", (run,))
            conn.execute("DELETE FROM wbnb_runs WHERE id = %s", (run,))
            return run

    known.forget((entity, project, run_id), db.run(work))


def _lock_quiet_run(
    conn: psycopg.Connection, entity: str, project: str, run_id: str, live: Live, what: str
) -> tuple[int, RunMeta]:
    """Lock a run's row and return its id and metadata; ``RunNotFound``, or ``RunBusy``
    when ``live`` says its client still writes it."""
    check_name("entity", entity)
    check_name("project", project)
    check_name("run id", run_id)
    row = run_row(conn, "id, meta", (entity, project, run_id), lock=True)
    if row is None:
        raise not_found(entity, project, run_id)
    meta: RunMeta = json.loads(row[1])
    if live(meta):
        raise RunBusy(
            f"cannot {what} run {project}/{run_id}: it is running (its client is still sending it); "
            f"{what} it once it has finished"
        )
    return row[0], meta
