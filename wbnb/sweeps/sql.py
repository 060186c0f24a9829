"""``SqlSweepBook``: the ``SweepBook`` over SQL tables, one SQL text for SQLite (a local
store's ``sweeps/sweeps.sqlite``) and PostgreSQL (a server's database), through the
artifact catalog's dialects (``store/catalog/dialect.py``) given the schema ``SWEEPS``.

- ``sweeps``: a sweep's row, scoped by ``entity`` ("" in a local store): its config as
  given, state, seed (text: any integer numpy takes), name and the reason it stopped.
- ``sweep_trials``: one row per claim, ``seq`` numbering the sweep's claims. ``key``
  names the trial's point; a partial unique index holds a point once among the trials
  not released: the database checks the scheduler's rule too.
- ``sweep_rungs``: a trial's metric value at each Hyperband band it reached.
- Params, metric values and stop info are JSON in text columns: any JSON value, and NaN
  and infinities survive (SQLite reads a NaN ``real`` back as NULL).
- Every write is one transaction of the dialect, scoped to its sweep: the claims, ends
  and state changes of one sweep take turns across threads, processes and server
  processes, and ``claim`` reads the trials, schedules (``scheduler.next_point``) and
  inserts with nothing in between. A process killed inside one leaves nothing of it.
- Times (``claimed_at``, leases) are the clock of the process running the book: a local
  store's processes share one machine's, a server's book uses the server's.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import UsageError
from ..store.catalog.dialect import Dialect, Row, Schema, Sql, T
from ..store.errors import StoreError
from ..store.names import check_name
from ..store.runnames import new_run_id
from .config import SweepConfig, SweepConfigError, parse_sweep_config
from .records import (
    EARLY_FAILURES,
    FINAL_SWEEP_STATES,
    LEASE,
    LIVE,
    Claim,
    SweepBook,
    SweepNotFound,
    SweepRecord,
    SweepState,
    SweepStateError,
    TrialRecord,
    TrialState,
    new_sweep_id,
)
from .scheduler import Holding, exhausted, next_point, reached_target

SWEEPS = Schema(
    "sweep book",
    """
CREATE TABLE IF NOT EXISTS sweeps (
    entity     text NOT NULL,
    project    text NOT NULL,
    id         text NOT NULL,
    config     text NOT NULL,
    state      text NOT NULL,
    seed       text NOT NULL,
    created_at double precision NOT NULL,
    name       text,
    reason     text,
    PRIMARY KEY (entity, project, id)
);
CREATE TABLE IF NOT EXISTS sweep_trials (
    entity      text NOT NULL,
    project     text NOT NULL,
    sweep       text NOT NULL,
    seq         bigint NOT NULL,
    key         bigint NOT NULL,
    params      text NOT NULL,
    state       text NOT NULL,
    run_id      text NOT NULL,
    agent_id    text NOT NULL,
    claimed_at  double precision NOT NULL,
    lease_until double precision NOT NULL,
    ended_at    double precision,
    value       text,
    stop        text,
    error       text,
    PRIMARY KEY (entity, project, sweep, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS sweep_trials_held ON sweep_trials (entity, project, sweep, key)
    WHERE state <> 'released';
CREATE INDEX IF NOT EXISTS sweep_trials_live ON sweep_trials (entity, project, sweep, lease_until)
    WHERE state IN ('claimed', 'running');
CREATE TABLE IF NOT EXISTS sweep_rungs (
    entity  text NOT NULL,
    project text NOT NULL,
    sweep   text NOT NULL,
    seq     bigint NOT NULL,
    band    bigint NOT NULL,
    value   text NOT NULL,
    PRIMARY KEY (entity, project, sweep, seq, band)
);
""",
    1,
)

_SWEEP = "SELECT s.id, s.project, s.entity, s.config, s.state, s.seed, s.created_at, s.name, s.reason"
_COUNTED = (  # with trial_count: how many trials hold points
    f"{_SWEEP}, (SELECT COUNT(*) FROM sweep_trials t"
    " WHERE t.entity = s.entity AND t.project = s.project AND t.sweep = s.id AND t.state <> 'released')"
    " FROM sweeps s"
)
_TRIAL = (
    "SELECT seq, key, params, state, run_id, agent_id, claimed_at, lease_until, ended_at, value, stop, error"
    " FROM sweep_trials WHERE entity = ? AND project = ? AND sweep = ?"
)
_IN_SWEEP = "entity = ? AND project = ? AND sweep = ?"
_VERBS = {"RUNNING": "resumed", "PAUSED": "paused", "FINISHED": "stopped", "CANCELED": "canceled", "FAILED": "failed"}
_TRIAL_ENDS = ("finished", "failed", "stopped")


class SqlSweepBook(SweepBook):
    """The sweeps of ``entity`` ("" for a local store) in the tables of ``dialect``
    (made with ``SWEEPS``)."""

    def __init__(self, dialect: Dialect, entity: str = "") -> None:
        self.dialect = dialect
        self.entity = entity

    def __repr__(self) -> str:
        return f"SqlSweepBook({self.dialect!r}, entity={self.entity!r})"

    def close(self) -> None:
        """Release the database connections."""
        self.dialect.close()

    # -- sweeps --------------------------------------------------------------------------

    def create(
        self, project: str, config: Mapping[str, Any], *, seed: int | None = None, name: str | None = None
    ) -> SweepRecord:
        project = check_name("project", project)
        parsed = parse_sweep_config(config)
        if parsed.method == "bayes":
            from .bayes import require_extra

            try:
                require_extra()
            except UsageError as e:  # where this book runs: this process, or the server's
                raise SweepConfigError("method", f"bayes cannot run here: {e}") from e
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
            raise SweepConfigError("seed", f"must be an integer >= 0 (got {seed!r})")
        seed = seed if seed is not None else parsed.seed if parsed.seed is not None else secrets.randbits(32)
        name = name if name is not None else parsed.name
        text = _config_text(parsed.raw)

        def work(q: Sql) -> str:
            sweep_id = new_sweep_id()
            while q.one(
                "SELECT 1 FROM sweeps WHERE entity = ? AND project = ? AND id = ?", *self._at(project, sweep_id)
            ):
                sweep_id = new_sweep_id()
            q.run(
                "INSERT INTO sweeps (entity, project, id, config, state, seed, created_at, name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                *self._at(project, sweep_id),
                *(text, "RUNNING", str(seed), time.time(), name),
            )
            return sweep_id

        # Scoped to the project: the id is drawn inside, so one scope covers any it draws.
        sweep_id = self.dialect.write(work, f"sweeps/{self.entity}/{project}")
        return self.sweep(project, sweep_id)

    def sweep(self, project: str, sweep_id: str) -> SweepRecord:
        project = check_name("project", project)
        return self.dialect.read(lambda q: self._sweep(q, project, sweep_id))

    def sweeps(self, project: str) -> list[SweepRecord]:
        project = check_name("project", project)
        rows = self.dialect.read(
            lambda q: q.all(
                f"{_COUNTED} WHERE s.entity = ? AND s.project = ? ORDER BY s.created_at, s.id", self.entity, project
            )
        )
        return [_sweep_record(row[:-1], row[-1]) for row in rows]

    def set_state(self, project: str, sweep_id: str, state: SweepState, reason: str | None = None) -> SweepRecord:
        if state not in _VERBS:
            raise SweepStateError(f"a sweep's state is set to one of {', '.join(_VERBS)}, not {state!r}")

        def work(q: Sql) -> SweepRecord:
            row = self._sweep_row(q, project, sweep_id)
            held = self._holding(q, project, sweep_id)
            sweep = _sweep_record(row, held.held)
            if sweep.state == state:
                return sweep
            if sweep.state in FINAL_SWEEP_STATES:
                if not (sweep.state == "FINISHED" and state == "RUNNING"):
                    raise SweepStateError(f"sweep {sweep_id} is {sweep.state.lower()}: it cannot be {_VERBS[state]}")
                done = exhausted(_parsed(row[3]), held.held)
                if done is not None:
                    raise SweepStateError(f"sweep {sweep_id} cannot be resumed: {done}, nothing more to run")
            return self._set(q, sweep, state, reason)

        return self._write(project, sweep_id, work)

    # -- trials --------------------------------------------------------------------------

    def claim(self, project: str, sweep_id: str, agent_id: str, lease: float = LEASE) -> Claim:
        _check_lease(lease)

        def work(q: Sql) -> Claim:
            row = self._sweep_row(q, project, sweep_id)
            now = time.time()
            q.run(
                f"UPDATE sweep_trials SET state = 'released', ended_at = ? WHERE {_IN_SWEEP}"
                " AND state IN ('claimed', 'running') AND lease_until < ?",
                now,
                *self._at(project, sweep_id),
                now,
            )
            state, reason = row[4], row[8]
            if state in FINAL_SWEEP_STATES:
                why = f": {reason}" if reason else ""
                return Claim(None, f"sweep {sweep_id} is {state.lower()}{why}")
            if state != "RUNNING":
                return Claim(None, f"sweep {sweep_id} is {state.lower()}", wait=True)
            held = self._holding(q, project, sweep_id)
            point = next_point(_parsed(row[3]), int(row[5]), held, lambda: self._trials(q, project, sweep_id))
            if point.key is None or point.params is None:
                if not point.wait:
                    self._set(q, _sweep_record(row, held.held), "FINISHED", point.reason)
                return Claim(None, point.reason, point.wait)
            last = q.one(  # DESC LIMIT 1, not MAX: PostgreSQL would read every seq of the sweep
                f"SELECT seq FROM sweep_trials WHERE {_IN_SWEEP} ORDER BY seq DESC LIMIT 1",
                *self._at(project, sweep_id),
            )
            seq = 0 if last is None else int(last[0]) + 1
            params = _dump(point.params)
            trial = TrialRecord(  # its params as stored: the agent runs what trials() will show
                sweep_id, seq, point.key, json.loads(params), "claimed", new_run_id(), agent_id, now, now + lease
            )
            q.run(
                "INSERT INTO sweep_trials (entity, project, sweep, seq, key, params, state, run_id, agent_id,"
                " claimed_at, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                *self._at(project, sweep_id),
                *(seq, trial.key, params, trial.state, trial.run_id, agent_id, now, now + lease),
            )
            return Claim(trial)

        return self._write(project, sweep_id, work)

    def start(self, project: str, sweep_id: str, seq: int, agent_id: str) -> TrialRecord:
        def work(q: Sql) -> TrialRecord:
            trial = self._trial(q, project, sweep_id, seq)
            if trial.state not in LIVE or trial.agent_id != agent_id:
                held = f"agent {trial.agent_id}'s" if trial.agent_id != agent_id else trial.state
                raise StoreError(f"trial {seq} of sweep {sweep_id} is {held}, not agent {agent_id}'s to start")
            q.run(
                f"UPDATE sweep_trials SET state = 'running' WHERE {_IN_SWEEP} AND seq = ?",
                *self._at(project, sweep_id),
                seq,
            )
            return self._trial(q, project, sweep_id, seq)

        return self._write(project, sweep_id, work)

    def heartbeat(self, project: str, sweep_id: str, seqs: list[int], agent_id: str, lease: float = LEASE) -> set[int]:
        _check_lease(lease)

        def work(q: Sql) -> set[int]:
            canceled = self._sweep_row(q, project, sweep_id)[4] == "CANCELED"
            until = time.time() + lease
            stop = set()
            for seq in seqs:
                renewed = q.run(
                    f"UPDATE sweep_trials SET lease_until = ? WHERE {_IN_SWEEP} AND seq = ? AND agent_id = ?"
                    " AND state IN ('claimed', 'running')",
                    until,
                    *self._at(project, sweep_id),
                    *(seq, agent_id),
                )
                if not renewed or canceled:
                    stop.add(seq)
            return stop

        return self._write(project, sweep_id, work)

    def record_rung(
        self, project: str, sweep_id: str, seq: int, band: int, value: float
    ) -> dict[int, dict[int, float]]:
        def work(q: Sql) -> dict[int, dict[int, float]]:
            self._trial(q, project, sweep_id, seq)
            q.run(
                "INSERT INTO sweep_rungs (entity, project, sweep, seq, band, value) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (entity, project, sweep, seq, band) DO UPDATE SET value = excluded.value",
                *self._at(project, sweep_id),
                *(seq, int(band), _dump(float(value))),
            )
            return self._rungs(q, project, sweep_id)

        return self._write(project, sweep_id, work)

    def rungs(self, project: str, sweep_id: str) -> dict[int, dict[int, float]]:
        project = check_name("project", project)

        def work(q: Sql) -> dict[int, dict[int, float]]:
            self._sweep_row(q, project, sweep_id)
            return self._rungs(q, project, sweep_id)

        return self.dialect.read(work)

    def end(
        self,
        project: str,
        sweep_id: str,
        seq: int,
        state: TrialState,
        value: float | None = None,
        stop: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> SweepRecord:
        if state not in _TRIAL_ENDS:
            raise ValueError(f"a trial ends {', '.join(_TRIAL_ENDS)}, not {state!r}")

        def work(q: Sql) -> SweepRecord:
            trial = self._trial(q, project, sweep_id, seq)
            if trial.state not in LIVE:  # ended already, or released: its point may be another's now
                return _sweep_record(self._sweep_row(q, project, sweep_id), self._holding(q, project, sweep_id).held)
            q.run(
                f"UPDATE sweep_trials SET state = ?, ended_at = ?, value = ?, stop = ?, error = ?"
                f" WHERE {_IN_SWEEP} AND seq = ?",
                *(state, time.time(), None if value is None else _dump(float(value))),
                *(None if stop is None else _dump(dict(stop)), error),
                *self._at(project, sweep_id),
                seq,
            )
            row = self._sweep_row(q, project, sweep_id)
            held = self._holding(q, project, sweep_id)
            sweep = _sweep_record(row, held.held)
            if sweep.state not in ("RUNNING", "PAUSED"):
                return sweep
            first = q.all(
                f"SELECT seq, state FROM sweep_trials WHERE {_IN_SWEEP} AND state <> 'released' ORDER BY seq LIMIT ?",
                *self._at(project, sweep_id),
                EARLY_FAILURES,
            )
            if len(first) == EARLY_FAILURES and all(s == "failed" for _, s in first) and seq in {n for n, _ in first}:
                return self._set(q, sweep, "FAILED", _early_failure(error))
            target = reached_target(_parsed(row[3]), seq, None if state == "failed" else value)
            if target is not None:
                return self._set(q, sweep, "FINISHED", target)
            if sweep.state == "RUNNING" and not held.live:
                done = exhausted(_parsed(row[3]), held.held)
                if done is not None:
                    return self._set(q, sweep, "FINISHED", done)
            return sweep

        return self._write(project, sweep_id, work)

    def trials(self, project: str, sweep_id: str) -> list[TrialRecord]:
        project = check_name("project", project)

        def work(q: Sql) -> list[TrialRecord]:
            self._sweep_row(q, project, sweep_id)
            return self._trials(q, project, sweep_id, rungs=True)

        return self.dialect.read(work)

    # -- inside a transaction ------------------------------------------------------------

    def _write(self, project: str, sweep_id: str, work: Callable[[Sql], T]) -> T:
        project = check_name("project", project)
        return self.dialect.write(work, f"sweep/{self.entity}/{project}/{sweep_id}")

    def _at(self, project: str, sweep_id: str) -> tuple[str, str, str]:
        return self.entity, project, sweep_id

    def _sweep_row(self, q: Sql, project: str, sweep_id: str, counted: bool = False) -> Row:
        """The sweep's columns (``_SWEEP``, then with ``counted`` its trial_count), or ``SweepNotFound``."""
        select = _COUNTED if counted else f"{_SWEEP} FROM sweeps s"
        row = q.one(f"{select} WHERE s.entity = ? AND s.project = ? AND s.id = ?", *self._at(project, sweep_id))
        if row is None:
            raise SweepNotFound(f"no sweep {sweep_id!r} in project {project!r}")
        return row

    def _sweep(self, q: Sql, project: str, sweep_id: str) -> SweepRecord:
        row = self._sweep_row(q, project, sweep_id, counted=True)
        return _sweep_record(row[:-1], row[-1])

    def _set(self, q: Sql, sweep: SweepRecord, state: SweepState, reason: str | None) -> SweepRecord:
        q.run(
            "UPDATE sweeps SET state = ?, reason = ? WHERE entity = ? AND project = ? AND id = ?",
            *(state, reason),
            *self._at(sweep.project, sweep.id),
        )
        return dataclasses.replace(sweep, state=state, reason=reason)

    def _holding(self, q: Sql, project: str, sweep_id: str) -> Holding:
        """Counted on the partial indexes: claiming reads no trial's row in a big sweep."""
        at = self._at(project, sweep_id)
        row = q.one(f"SELECT COUNT(*), MAX(key) FROM sweep_trials WHERE {_IN_SWEEP} AND state <> 'released'", *at)
        held, top = (int(row[0]), row[1]) if row else (0, None)
        live = q.one(f"SELECT COUNT(*) FROM sweep_trials WHERE {_IN_SWEEP} AND state IN ('claimed', 'running')", *at)
        free = held  # distinct keys 0..top, held of them: none missing when top + 1 == held
        if top is not None and int(top) + 1 != held:
            keys = {
                int(k) for (k,) in q.all(f"SELECT key FROM sweep_trials WHERE {_IN_SWEEP} AND state <> 'released'", *at)
            }
            free = next(n for n in range(held + 1) if n not in keys)
        return Holding(held, int(live[0]) if live else 0, free)

    def _trials(self, q: Sql, project: str, sweep_id: str, rungs: bool = False) -> list[TrialRecord]:
        found = self._rungs(q, project, sweep_id, released=True) if rungs else {}
        rows = q.all(f"{_TRIAL} ORDER BY seq", *self._at(project, sweep_id))
        return [_trial_record(sweep_id, row, found.get(row[0], {})) for row in rows]

    def _trial(self, q: Sql, project: str, sweep_id: str, seq: int) -> TrialRecord:
        row = q.one(f"{_TRIAL} AND seq = ?", *self._at(project, sweep_id), seq)
        if row is None:
            self._sweep_row(q, project, sweep_id)  # SweepNotFound first
            raise StoreError(f"sweep {sweep_id} has no trial {seq}")
        return _trial_record(sweep_id, row, {})

    def _rungs(self, q: Sql, project: str, sweep_id: str, released: bool = False) -> dict[int, dict[int, float]]:
        """seq -> band -> value; a released trial's only with ``released`` (its point runs
        again: Hyperband judges the trials that count)."""
        rows = q.all(
            "SELECT r.seq, r.band, r.value FROM sweep_rungs r JOIN sweep_trials t ON t.entity = r.entity"
            " AND t.project = r.project AND t.sweep = r.sweep AND t.seq = r.seq"
            " WHERE r.entity = ? AND r.project = ? AND r.sweep = ?"
            + ("" if released else " AND t.state <> 'released'")
            + " ORDER BY r.seq, r.band",
            *self._at(project, sweep_id),
        )
        out: dict[int, dict[int, float]] = {}
        for seq, band, value in rows:
            out.setdefault(int(seq), {})[int(band)] = json.loads(value)
        return out


def _sweep_record(row: Row, held: int) -> SweepRecord:
    sweep_id, project, entity, config, state, seed, created_at, name, reason = row
    return SweepRecord(
        sweep_id, project, entity, json.loads(config), state, int(seed), created_at, name, reason, int(held)
    )


def _trial_record(sweep_id: str, row: Row, rungs: dict[int, float]) -> TrialRecord:
    seq, key, params, state, run_id, agent_id, claimed_at, lease_until, ended_at, value, stop, error = row
    return TrialRecord(
        sweep_id,
        int(seq),
        int(key),
        json.loads(params),
        state,
        run_id,
        agent_id,
        claimed_at,
        lease_until,
        ended_at,
        None if value is None else json.loads(value),
        rungs,
        None if stop is None else json.loads(stop),
        error,
    )


@functools.lru_cache(maxsize=64)
def _parsed(config: str) -> SweepConfig:
    """A stored config, parsed (once per text: a claim needs it every time)."""
    return parse_sweep_config(json.loads(config))


def _config_text(raw: Any, path: str = "") -> str:
    """The config as JSON text, or ``SweepConfigError`` naming the first field JSON
    cannot hold (YAML reads ``2024-01-01`` as a date)."""
    try:
        return json.dumps(raw)
    except TypeError:
        pass
    items = raw.items() if isinstance(raw, Mapping) else enumerate(raw) if isinstance(raw, (list, tuple)) else None
    if items is None:
        raise SweepConfigError(path, f"must be a string, number, boolean, null, list or mapping (got {raw!r})")
    for key, value in items:
        _config_text(value, f"{path}.{key}" if path else str(key))
    raise SweepConfigError(path, "must have string keys")


def _dump(value: Any) -> str:
    """JSON text; numpy scalars as Python's (a suggestion may hold them)."""
    return json.dumps(value, default=_plain)


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)  # numpy scalars, without importing numpy here
    if callable(item):
        return item()
    raise TypeError(f"{type(value).__name__} is not JSON: {value!r}")


def _check_lease(lease: float) -> None:
    if not (isinstance(lease, (int, float)) and math.isfinite(lease) and lease > 0):
        raise ValueError(f"lease must be a number of seconds > 0, not {lease!r}")


def _early_failure(error: str | None) -> str:
    """The reason a sweep failed early, naming the last error and what to do."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    last = lines[-1][:300] if lines else "no error recorded"
    return (
        f"the first {EARLY_FAILURES} trials all failed, the last with: {last}; fix the program"
        " (run it once by hand to see why) and start a new sweep"
    )
