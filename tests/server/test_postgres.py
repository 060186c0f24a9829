"""``PostgresBackend`` against a real PostgreSQL (``pg.py``, the ``postgres`` fixture):
open/resume, exactly-once ingest (retries, overlaps, gaps, two server processes at
once), values JSON cannot carry in jsonb, reads by index and by samples (the same
columns as a ``LocalStore`` of the same rows), keys, and a database restart."""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wbnb.server.backend import Gap, KeyRecord
from wbnb.server.postgres import PostgresBackend
from wbnb.store.base import RunNotFound, StoreError
from wbnb.store.local import LocalStore
from wbnb.store.rowread import Cursor
from wbnb.store.wire import STREAMS, encode_rows

from .pg import TempPostgres

KEYS = ("loss", "acc")


@pytest.fixture
def backend(postgres: TempPostgres, tmp_path: Path) -> Iterator[PostgresBackend]:
    """A backend on the session's database, media in the test's folder."""
    b = PostgresBackend(postgres.url, tmp_path / "root")
    yield b
    b.close()


@pytest.fixture
def entity() -> str:
    """An entity of the test's own: tests share the database."""
    return f"e{uuid.uuid4().hex[:12]}"


def _rows(start: int, stop: int, keys: tuple[str, ...] = KEYS) -> list[tuple]:
    """Raw rows of steps ``start``..``stop - 1`` (index == step)."""
    return [(keys, i, 1000.0 + i, float(i), (1.0 / (i + 1), i)) for i in range(start, stop)]


def _history(start: int, stop: int) -> dict[str, Any]:
    return {"history": encode_rows(start, _rows(start, stop))}


def _console(start: int, stop: int) -> dict[str, Any]:
    return {
        "start": start,
        "records": [{"stream": "stdout", "line": f"line {i}", "t": float(i)} for i in range(start, stop)],
    }


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON (NaN equals NaN, tuples equal lists)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _open(backend: PostgresBackend, entity: str, run_id: str = "r1", **meta: Any) -> None:
    backend.open_run(entity, "proj", run_id, {"created_at": time.time(), **meta}, None)


# -- open and resume -------------------------------------------------------------------


def test_open_creates_a_running_run_with_zero_counts(backend: PostgresBackend, entity: str) -> None:
    meta, counts = backend.open_run(
        entity, "proj", "r1", {"config": {"lr": 0.1}, "state": "finished", "id": "other", "created_at": 5.0}, None
    )
    assert counts == dict.fromkeys(STREAMS, 0)
    assert meta["state"] == "running" and meta["id"] == "r1" and meta["project"] == "proj"
    assert meta["entity"] == entity and meta["config"] == {"lr": 0.1}
    assert backend.store(entity).run("proj", "r1") == meta
    assert backend.counts(entity, "proj", "r1") == counts


def test_resume_semantics_as_in_the_local_store(backend: PostgresBackend, entity: str) -> None:
    backend.open_run(entity, "proj", "r1", {"config": {"lr": 0.1, "bs": 8}, "name": "first"}, None)
    backend.ingest(entity, "proj", "r1", {**_history(0, 5), "state": "finished", "exit_code": 0})
    for refusing in (None, "never"):
        with pytest.raises(StoreError, match="already exists; pass resume='allow'"):
            backend.open_run(entity, "proj", "r1", {}, refusing)
    with pytest.raises(StoreError, match="resume='must' but there is no run proj/r2"):
        backend.open_run(entity, "proj", "r2", {}, "must")
    with pytest.raises(RunNotFound):
        backend.counts(entity, "proj", "r2")  # "must" created nothing

    meta, counts = backend.open_run(entity, "proj", "r1", {"config": {"lr": 0.2}, "name": None}, "must")
    assert counts["history"] == 5
    assert meta["config"] == {"lr": 0.2, "bs": 8}  # merged
    assert meta["name"] == "first"  # None does not erase
    assert meta["resumed"] == 1 and meta["state"] == "running" and "ended_at" not in meta
    meta, _ = backend.open_run(entity, "proj", "r1", {}, "allow")
    assert meta["resumed"] == 2
    meta, counts = backend.open_run(entity, "proj", "r3", {}, "allow")  # "allow" creates too
    assert counts["history"] == 0 and "resumed" not in meta


def test_open_refuses_bad_names_and_modes(backend: PostgresBackend, entity: str) -> None:
    with pytest.raises(ValueError, match="project"):
        backend.open_run(entity, "../x", "r1", {}, None)
    with pytest.raises(ValueError, match="run id"):
        backend.open_run(entity, "proj", "a/b", {}, None)
    with pytest.raises(ValueError, match="entity"):
        backend.store("no/such")
    with pytest.raises(ValueError, match="resume"):
        backend.open_run(entity, "proj", "r1", {}, "sometimes")


def test_two_servers_creating_one_run_at_once(postgres: TempPostgres, tmp_path: Path, entity: str) -> None:
    """Without resume one creation wins and the other is refused; with "allow" both
    open it, one of them as a resume."""
    backends = [PostgresBackend(postgres.url, tmp_path) for _ in range(2)]

    def open_it(b: PostgresBackend, resume: str | None, barrier: threading.Barrier, results: list[Any]) -> None:
        barrier.wait()
        try:
            results.append(b.open_run(entity, "proj", f"r-{resume}", {}, resume)[0])
        except StoreError as e:
            results.append(e)

    try:
        for resume in (None, "allow"):
            barrier, results = threading.Barrier(2), []
            threads = [threading.Thread(target=open_it, args=(b, resume, barrier, results)) for b in backends]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            if resume is None:
                assert sorted(type(r).__name__ for r in results) == ["StoreError", "dict"]
            else:
                assert sorted(r.get("resumed", 0) for r in results) == [0, 1]
    finally:
        for b in backends:
            b.close()


# -- exactly once ----------------------------------------------------------------------


def test_the_same_batch_twice_is_applied_once(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    batch = {**_history(0, 10), "console": _console(0, 3)}
    first = backend.ingest(entity, "proj", "r1", batch)
    again = backend.ingest(entity, "proj", "r1", batch)
    assert first == again == {"history": 10, "system": 0, "events": 0, "console": 3}
    rows, cursor = backend.store(entity).rows("proj", "r1")
    assert rows == _rows(0, 10) and cursor.offset == 10
    assert len(backend.store(entity).records("proj", "r1", "console")[0]) == 3


def test_overlapping_batches_keep_each_record_once(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    backend.ingest(entity, "proj", "r1", {**_history(0, 10), "console": _console(0, 4)})
    counts = backend.ingest(entity, "proj", "r1", {**_history(5, 20), "console": _console(2, 6)})
    assert counts["history"] == 20 and counts["console"] == 6
    counts = backend.ingest(entity, "proj", "r1", _history(3, 8))  # all of it held already
    assert counts["history"] == 20
    assert backend.store(entity).rows("proj", "r1")[0] == _rows(0, 20)
    lines = [r["line"] for r in backend.store(entity).records("proj", "r1", "console")[0]]
    assert lines == [f"line {i}" for i in range(6)]


def test_a_gap_is_refused_whole_with_the_counts(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    backend.ingest(entity, "proj", "r1", _history(0, 10))
    with pytest.raises(Gap) as gap:  # the history chunk alone would fit
        backend.ingest(entity, "proj", "r1", {**_history(10, 12), "console": _console(1, 3), "state": "finished"})
    assert gap.value.counts == {"history": 10, "system": 0, "events": 0, "console": 0}
    assert backend.counts(entity, "proj", "r1") == gap.value.counts  # nothing applied
    assert backend.store(entity).run("proj", "r1")["state"] == "running"
    with pytest.raises(Gap):
        backend.ingest(entity, "proj", "r1", {"history": {"start": 11, "keys": [], "rows": []}})


def test_unknown_runs_are_not_found(backend: PostgresBackend, entity: str) -> None:
    store = backend.store(entity)
    for call in (
        lambda: backend.ingest(entity, "proj", "nope", _history(0, 1)),
        lambda: backend.counts(entity, "proj", "nope"),
        lambda: store.run("proj", "nope"),
        lambda: store.rows("proj", "nope"),
        lambda: store.columns("proj", "nope"),
        lambda: store.records("proj", "nope", "events"),
    ):
        with pytest.raises(RunNotFound, match="no run proj/nope"):
            call()
    assert store.projects() == [] and store.runs("proj") == []
    with pytest.raises(NotImplementedError):
        store.open_run("proj", "r1", {}, None)


def test_malformed_batches_are_value_errors(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    for batch in (
        {"history": {"start": -1, "keys": [], "rows": []}},
        {"history": {"start": 0, "keys": [["a"]], "rows": [[0, 1.0, 1.0, 3, [1]]]}},
        {"events": {"start": 0, "records": ["not an object"]}},
        {"state": "running"},
        {"meta": [1]},
        {"state": "finished", "exit_code": "0"},
    ):
        with pytest.raises(ValueError):
            backend.ingest(entity, "proj", "r1", batch)
    assert backend.counts(entity, "proj", "r1") == dict.fromkeys(STREAMS, 0)


def test_two_servers_ingesting_one_run_keep_every_row_once_in_order(
    postgres: TempPostgres, tmp_path: Path, entity: str
) -> None:
    """Two backends (two server processes) and a client each, sending overlapping and
    sometimes gapped batches of one run at once: each thread resends from the counts it
    is told, and the run ends with every row and record exactly once, in order."""
    n = 3000
    servers = [PostgresBackend(postgres.url, tmp_path) for _ in range(2)]
    servers[0].open_run(entity, "proj", "r1", {}, None)
    rows = _rows(0, n) + [(("other",), n, 1.0, 1.0, ("end",))]  # a second key tuple at the end
    gaps, errors = [0, 0], []

    def client(k: int) -> None:
        rng = random.Random(k)
        pos = 0
        try:
            while pos < len(rows):
                start = max(0, pos + rng.randint(-40, 3))  # mostly overlapping, sometimes past the end
                stop = min(len(rows), start + rng.randint(1, 120))
                batch = {"history": encode_rows(start, rows[start:stop]), "console": _console(start, stop)}
                try:
                    pos = servers[k].ingest(entity, "proj", "r1", batch)["history"]
                except Gap as gap:
                    gaps[k] += 1
                    pos = gap.counts["history"]
        except Exception as e:
            errors.append(e)

    try:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        store = servers[1].store(entity)
        assert store.rows("proj", "r1")[0] == rows
        lines = [r["line"] for r in store.records("proj", "r1", "console")[0]]
        assert lines == [f"line {i}" for i in range(len(rows))]
        assert servers[0].counts(entity, "proj", "r1") == {"history": n + 1, "system": 0, "events": 0, "console": n + 1}
        assert sum(gaps) > 0  # the gap path ran
    finally:
        for s in servers:
            s.close()


# -- values ----------------------------------------------------------------------------


def test_values_jsonb_could_not_keep_round_trip(backend: PostgresBackend, entity: str) -> None:
    nan, inf = float("nan"), float("inf")
    image = {
        "_type": "image",
        "path": "media/ab/" + "a" * 64 + ".png",
        "width": 4,
        "height": 2,
        "caption": "tab\there, \\ back\nslash, \u00e9\u4e2d, \x00 nul",
    }
    raw = [
        (("a", "b", "c"), 0, 1.0, 0.5, (nan, inf, -inf)),
        (("a", "s"), 1, nan, inf, (None, 'text with \\N and "quotes"')),
        (("img", "flag", "big", "list"), 2, 3.0, 1.5, (image, True, 2**62, [1, [2.5, None]])),
    ]
    events = [
        {"kind": "summary", "set": {"best": nan, "top": inf, "nested": {"x": [-inf]}}, "deleted": []},
        {"kind": "alert", "title": "\u26a0", "text": "\\"},
    ]
    _open(backend, entity, config={"lr": nan, "unicode": "\u00e9"})
    backend.ingest(
        entity,
        "proj",
        "r1",
        {
            "history": encode_rows(0, raw),
            "system": encode_rows(0, raw[:1]),
            "events": {"start": 0, "records": events},
            "meta": {"summary": {"loss": nan, "best": -inf}, "config": {"lr": nan}},
        },
    )
    store = backend.store(entity)
    assert _same(store.rows("proj", "r1")[0], raw)
    assert _same(store.rows("proj", "r1", "system")[0], raw[:1])
    assert _same(store.records("proj", "r1", "events")[0], events)
    meta = store.run("proj", "r1")
    assert _same(meta["summary"], {"loss": nan, "best": -inf}) and np.isnan(meta["config"]["lr"])


def test_meta_fields_are_replaced_but_the_server_keeps_its_own(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity, config={"lr": 0.1}, tags=["a"])
    backend.ingest(
        entity,
        "proj",
        "r1",
        {"meta": {"config": {"lr": 0.2}, "summary": {"loss": 1.0}, "state": "crashed", "resumed": 7, "id": "x"}},
    )
    meta = backend.store(entity).run("proj", "r1")
    assert meta["config"] == {"lr": 0.2} and meta["summary"] == {"loss": 1.0}
    assert meta["tags"] == ["a"]  # fields the batch does not name stay (as in FilesBackend)
    assert meta["state"] == "running" and "resumed" not in meta and meta["id"] == "r1"

    backend.ingest(entity, "proj", "r1", {"state": "failed", "exit_code": 3})
    meta = backend.store(entity).run("proj", "r1")
    assert meta["state"] == "failed" and meta["exit_code"] == 3 and meta["summary"] == {"loss": 1.0}
    ended = meta["ended_at"]
    assert abs(ended - time.time()) < 60
    backend.ingest(entity, "proj", "r1", {"state": "failed", "exit_code": 3})  # a retried final batch
    assert backend.store(entity).run("proj", "r1")["ended_at"] == ended


# -- reading ---------------------------------------------------------------------------


def test_projects_and_runs_in_order(backend: PostgresBackend, entity: str) -> None:
    for project, run_id, created in (("b", "late", 30.0), ("b", "early", 10.0), ("a", "mid", 20.0), ("B", "x", 1.0)):
        backend.open_run(entity, project, run_id, {"created_at": created}, None)
    store = backend.store(entity)
    assert store.projects() == sorted(["a", "b", "B"])  # Python's order, whatever the collation
    assert [m["id"] for m in store.runs("b")] == ["early", "late"]
    assert backend.store(f"{entity}x").projects() == []  # another entity sees none


def test_rows_and_records_read_from_an_index(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    backend.ingest(
        entity,
        "proj",
        "r1",
        {**_history(0, 50), "events": {"start": 0, "records": [{"kind": "alert", "n": i} for i in range(7)]}},
    )
    store = backend.store(entity)
    rows, cursor = store.rows("proj", "r1", cursor=Cursor(42, {}))
    assert rows == _rows(42, 50) and cursor.offset == 50
    rows, cursor = store.rows("proj", "r1", cursor=cursor)
    assert rows == [] and cursor.offset == 50
    backend.ingest(entity, "proj", "r1", _history(50, 53))
    assert store.rows("proj", "r1", cursor=cursor) == (_rows(50, 53), Cursor(53, {}))
    records, offset = store.records("proj", "r1", "events", 5)
    assert [r["n"] for r in records] == [5, 6] and offset == 7
    assert store.records("proj", "r1", "events", offset) == ([], 7)
    with pytest.raises(ValueError, match="stream"):
        store.rows("proj", "r1", "events")
    with pytest.raises(ValueError, match="stream"):
        store.records("proj", "r1", "history")


def _mixed_rows(n_steps: int, seed: int) -> list[tuple]:
    """Rows as ``log`` writes them: key sets that change, several rows for some steps
    (``commit=False``), a string column, gaps in the step numbers."""
    rng = random.Random(seed)
    rows, step, t = [], 0, 1000.0
    for _ in range(n_steps):
        for _ in range(rng.choice((1, 1, 1, 2, 3, 7))):
            t += 0.5
            if rng.random() < 0.2:
                rows.append((("val/loss", "val/acc"), step, t, t - 1000, (rng.random(), rng.random())))
            elif rng.random() < 0.05:
                rows.append((("note",), step, t, t - 1000, (f"s{step}",)))
            else:
                rows.append((("loss", "lr"), step, t, t - 1000, (rng.random(), 0.1)))
        step += rng.choice((1, 1, 2, 5))
    return rows


def _assert_same_columns(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert list(got) == list(want)
    for key in want:
        if isinstance(want[key], np.ndarray):
            assert isinstance(got[key], np.ndarray) and got[key].dtype == want[key].dtype, key
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        else:
            assert got[key] == want[key], key


def test_columns_and_samples_match_a_local_store(backend: PostgresBackend, entity: str, tmp_path: Path) -> None:
    """The same rows in a LocalStore and in PostgreSQL give the same columns, whole and
    sampled (whole steps, as ``colread.read_columns`` picks them)."""
    rows = _mixed_rows(400, seed=1)
    local = LocalStore(tmp_path / "local")
    writer = local.open_run("proj", "r1", {"project": "proj", "id": "r1"}, None)
    for keys, step, ts, rt, values in rows:
        writer.log_row(step, ts, rt, keys, values)
    writer.close("finished")
    _open(backend, entity)
    for start in range(0, len(rows), 97):  # several batches: key tuples numbered across them
        backend.ingest(entity, "proj", "r1", {"history": encode_rows(start, rows[start : start + 97])})
    store = backend.store(entity)
    assert store.rows("proj", "r1")[0] == rows
    _assert_same_columns(store.columns("proj", "r1"), local.columns("proj", "r1"))
    for samples in (1, 2, 3, 10, 99, 400, len(rows) - 1, len(rows), 10_000):
        _assert_same_columns(store.columns("proj", "r1", samples=samples), local.columns("proj", "r1", samples=samples))


def test_columns_of_a_run_without_rows(backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    assert backend.store(entity).columns("proj", "r1") == {}
    assert backend.store(entity).columns("proj", "r1", samples=5) == {}


# -- keys, media -----------------------------------------------------------------------


def test_keys_add_find_list_revoke(backend: PostgresBackend, entity: str) -> None:
    ids = [f"k{uuid.uuid4().hex[:10]}" for _ in range(2)]
    first = KeyRecord(ids[0], entity, "laptop", "a" * 64, time.time() - 10)
    second = KeyRecord(ids[1], entity, "ci", "b" * 64, time.time())
    backend.add_key(second)
    backend.add_key(first)
    assert backend.key(ids[0]) == first
    assert backend.key("k-missing") is None
    assert [k for k in backend.keys() if k.key_id in ids] == [first, second]  # oldest first
    with pytest.raises(ValueError, match="already"):
        backend.add_key(first)
    assert backend.revoke_key(ids[0]) is True
    assert backend.key(ids[0]).revoked is True and backend.key(ids[1]).revoked is False
    assert backend.revoke_key("k-missing") is False


def test_media_are_files_below_the_root(backend: PostgresBackend, tmp_path: Path) -> None:
    path = backend.put_media(b"\x89PNG...", "png")
    assert path.startswith("media/") and (tmp_path / "root" / path).is_file()
    assert backend.media(path) == b"\x89PNG..."
    with pytest.raises(ValueError):
        backend.media("../etc/passwd")
    with pytest.raises(FileNotFoundError):
        backend.media("media/00/" + "0" * 64 + ".png")


# -- the database ----------------------------------------------------------------------


def test_schema_made_by_several_servers_starting_at_once(postgres: TempPostgres, tmp_path: Path) -> None:
    url = postgres.create_database(f"fresh_{uuid.uuid4().hex[:8]}")
    barrier, errors, made = threading.Barrier(4), [], []

    def start() -> None:
        barrier.wait()
        try:
            made.append(PostgresBackend(url, tmp_path))
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == [] and len(made) == 4
        made[0].open_run("alice", "proj", "r1", {}, None)
        assert made[3].counts("alice", "proj", "r1")["history"] == 0
    finally:
        for b in made:
            b.close()


def test_reconnects_after_the_database_restarts(postgres: TempPostgres, backend: PostgresBackend, entity: str) -> None:
    _open(backend, entity)
    backend.ingest(entity, "proj", "r1", _history(0, 10))
    # Several connections in the pool, all of which the restart will cut.
    threads = [threading.Thread(target=backend.store(entity).rows, args=("proj", "r1")) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    postgres.restart()
    assert backend.ingest(entity, "proj", "r1", _history(5, 20))["history"] == 20
    assert backend.store(entity).rows("proj", "r1")[0] == _rows(0, 20)
    assert backend.counts(entity, "proj", "r1")["history"] == 20


def test_a_closed_backend_refuses_work(postgres: TempPostgres, tmp_path: Path, entity: str) -> None:
    b = PostgresBackend(postgres.url, tmp_path)
    b.close()
    with pytest.raises(StoreError, match="closed"):
        b.counts(entity, "proj", "r1")


def test_an_unreachable_database_says_so(tmp_path: Path) -> None:
    from wbnb.server.backend import Unavailable

    from .pg import free_port

    with pytest.raises(Unavailable, match="database cannot be reached"):
        PostgresBackend(f"postgresql://postgres@127.0.0.1:{free_port()}/wbnb", tmp_path)


def test_calls_in_an_outage_are_unavailable_and_the_first_call_after_it_is_served(tmp_path: Path) -> None:
    from wbnb.server.backend import Unavailable

    with TempPostgres() as pg:  # a cluster of its own: the session's must not stop under other tests
        backend = PostgresBackend(pg.url, tmp_path)
        try:
            _open(backend, "alice")
            backend.ingest("alice", "proj", "r1", _history(0, 10))
            pg.pause()
            calls = [
                lambda: backend.counts("alice", "proj", "r1"),
                lambda: backend.key("nobody"),
                lambda: backend.store("alice").rows("proj", "r1"),
                lambda: backend.ingest("alice", "proj", "r1", _history(10, 20)),
            ]
            for call in calls:  # each long enough for the pool to back off from reconnecting
                with pytest.raises(Unavailable, match="database cannot be reached"):
                    call()
            pg.resume()
            assert backend.ingest("alice", "proj", "r1", _history(10, 20))["history"] == 20
            assert backend.store("alice").rows("proj", "r1")[0] == _rows(0, 20)
        finally:
            backend.close()
