"""Sweeps through ``wbnb server`` on each backend (files, PostgreSQL): every ``SweepBook``
call through ``RemoteSweepBook``, agents sharing one sweep (no grid point twice,
``run_cap`` exact, a dead agent's claim released), the server's refusals as the book's
own errors, and what a hostile client sends refused with a 4xx naming what is wrong."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.waiting import wait_for
from wbnb.errors import CommError
from wbnb.store.base import StoreError
from wbnb.store.remote import AuthError, Connection, RemoteStore
from wbnb.sweeps.books import book_for
from wbnb.sweeps.config import SweepConfigError
from wbnb.sweeps.records import Claim, SweepNotFound, SweepStateError
from wbnb.sweeps.remote import RemoteSweepBook
from wbnb.sweeps.wire import MAX_BODY

from .artifactsrv import BACKENDS, ArtifactServer, serving
from .serverproc import ServerProcess, free_port, make_key

GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"values": [0.1, 0.01, 0.001]}, "opt": {"values": ["adam", "sgd"]}},
}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    with serving(request, tmp_path_factory.mktemp("sweeps")) as srv:
        yield srv


class Entity:
    """A new entity of the test's own, its key, a book of its sweeps and raw requests."""

    def __init__(self, server: ArtifactServer) -> None:
        self.server = server
        self.name = server.entity()
        self.key = server.key(self.name)
        self.headers = {"Authorization": f"Bearer {self.key}"}

    def book(self) -> RemoteSweepBook:
        """A client of its own (its own connection, as another machine's agent)."""
        return RemoteSweepBook(Connection(self.server.url, self.key), self.name)

    def url(self, project: str = "p", rest: str = "") -> str:
        return f"{self.server.url}/api/v1/entities/{self.name}/projects/{project}/sweeps{rest}"


@pytest.fixture
def alice(server: ArtifactServer) -> Entity:
    return Entity(server)


def _claim(book: RemoteSweepBook, sweep_id: str, agent: str) -> Claim:
    """The next claim that is not "wait" (others' trials still running), as an agent polls."""
    answers: list[Claim] = []

    def answered() -> bool:
        answers.append(book.claim("p", sweep_id, agent))
        return answers[-1].trial is not None or not answers[-1].wait

    wait_for(answered, 30, f"a trial or the end of sweep {sweep_id} for {agent}")
    return answers[-1]


def _run_all(book: RemoteSweepBook, sweep_id: str, agent: str, start: Any = None) -> list[int]:
    """An agent's loop: claim, start, end (finished, its key as the value) until the
    sweep gives no more; the keys it ran. ``start``: a barrier the agents pass together."""
    if start is not None:
        start.wait()
    keys = []
    while (trial := _claim(book, sweep_id, agent).trial) is not None:
        book.start("p", sweep_id, trial.seq, agent)
        keys.append(trial.key)
        book.end("p", sweep_id, trial.seq, "finished", float(trial.key))
    return keys


def test_a_sweep_is_created_read_and_listed(alice: Entity) -> None:
    book = alice.book()
    first = book.create("p", GRID, seed=7, name="first grid")
    assert (first.project, first.entity, first.state, first.seed, first.name) == (
        "p",
        alice.name,
        "RUNNING",
        7,
        "first grid",
    )
    assert first.config == GRID and len(first.id) == 8 and first.trial_count == 0
    second = book.create("p", {**GRID, "name": "from the config"})
    assert second.name == "from the config"
    assert book.sweep("p", first.id) == first
    assert [s.id for s in book.sweeps("p")] == [first.id, second.id]
    assert book.sweeps("other") == []
    with pytest.raises(SweepNotFound):
        book.sweep("other", first.id)  # a sweep belongs to its project
    assert book.create("q", GRID, seed=2**70).seed == 2**70  # any integer numpy takes


def test_a_remote_stores_book_is_the_servers(alice: Entity, tmp_path: Path) -> None:
    store = RemoteStore(Connection(alice.server.url, alice.key), alice.name, spool=tmp_path / "spool")
    book = book_for(store)
    assert isinstance(book, RemoteSweepBook) and book_for(store) is book
    sweep = book.create("p", GRID)
    assert alice.book().sweep("p", sweep.id) == sweep


def test_a_bad_config_is_refused_naming_the_field(alice: Entity) -> None:
    bad = {**GRID, "parameters": {"lr": {"min": 0.5, "max": 0.1}}}
    with pytest.raises(SweepConfigError, match=r"parameters\.lr"):
        alice.book().create("p", bad)  # checked before it is sent
    for config, field in (
        (bad, "parameters.lr"),
        ({"method": "anneal"}, "method"),
        ({**GRID, "run_cap": 0}, "run_cap"),
    ):
        r = requests.post(alice.url(), json={"config": config}, headers=alice.headers)
        assert r.status_code == 422 and r.json()["detail"].startswith(field), r.text
    assert alice.book().sweeps("p") == []


def test_the_server_refusing_a_config_is_a_sweep_config_error(alice: Entity, monkeypatch: pytest.MonkeyPatch) -> None:
    import wbnb.sweeps.remote as remote

    book = alice.book()
    monkeypatch.setattr(remote, "parse_sweep_config", lambda config: type("P", (), {"raw": dict(config)})())
    with pytest.raises(SweepConfigError, match="method"):  # an older client that let it through
        book.create("p", {"method": "anneal"})


def test_every_call_needs_a_key_of_the_entity(alice: Entity, server: ArtifactServer) -> None:
    sweep = alice.book().create("p", GRID)
    calls = [
        ("POST", "", {"config": GRID}),
        ("GET", "", None),
        ("GET", f"/{sweep.id}", None),
        ("PUT", f"/{sweep.id}/state", {"state": "PAUSED"}),
        ("POST", f"/{sweep.id}/claims", {"agent_id": "a"}),
        ("POST", f"/{sweep.id}/trials/0/start", {"agent_id": "a"}),
        ("POST", f"/{sweep.id}/heartbeat", {"agent_id": "a", "seqs": [0]}),
        ("POST", f"/{sweep.id}/trials/0/rungs", {"band": 1, "value": 0.5}),
        ("GET", f"/{sweep.id}/rungs", None),
        ("POST", f"/{sweep.id}/trials/0/end", {"state": "finished"}),
        ("GET", f"/{sweep.id}/trials", None),
    ]
    mallory = Entity(server)
    for method, rest, body in calls:
        r = requests.request(method, alice.url(rest=rest), json=body)
        assert r.status_code == 401, (method, rest, r.text)
        r = requests.request(method, alice.url(rest=rest), json=body, headers={"Authorization": "Bearer wbnb_nope"})
        assert r.status_code == 401, (method, rest, r.text)
        r = requests.request(method, alice.url(rest=rest), json=body, headers=mallory.headers)
        assert r.status_code == 403 and alice.name in r.json()["detail"], (method, rest, r.text)
    with pytest.raises(AuthError):
        RemoteSweepBook(Connection(server.url, mallory.key), alice.name).sweep("p", sweep.id)
    assert alice.book().sweep("p", sweep.id).state == "RUNNING"  # nothing of it changed
    assert alice.book().trials("p", sweep.id) == []


def test_another_entitys_sweep_is_not_found(alice: Entity, server: ArtifactServer) -> None:
    sweep = alice.book().create("p", GRID)
    bob = Entity(server)
    with pytest.raises(SweepNotFound):
        bob.book().sweep("p", sweep.id)  # bob's own entity has no such sweep
    with pytest.raises(SweepNotFound):
        bob.book().claim("p", sweep.id, "bob")
    assert bob.book().sweeps("p") == []
    assert alice.book().trials("p", sweep.id) == []


def test_agents_on_many_connections_share_a_grid_each_point_once(alice: Entity) -> None:
    sweep = alice.book().create("p", GRID)
    agents = 4
    barrier = threading.Barrier(agents)
    with ThreadPoolExecutor(agents) as pool:
        done = [pool.submit(_run_all, alice.book(), sweep.id, f"agent-{n}", barrier) for n in range(agents)]
        keys = [k for f in done for k in f.result()]
    assert sorted(keys) == list(range(6))  # 3 x 2 points, each once
    book = alice.book()
    after = book.sweep("p", sweep.id)
    assert after.state == "FINISHED" and after.reason and after.trial_count == 6
    trials = book.trials("p", sweep.id)
    assert [t.seq for t in trials] == list(range(6)) and {t.state for t in trials} == {"finished"}
    assert {(t.params["lr"], t.params["opt"]) for t in trials} == {
        (lr, opt) for lr in (0.1, 0.01, 0.001) for opt in ("adam", "sgd")
    }
    assert len({t.run_id for t in trials}) == 6
    assert all(t.value == float(t.key) for t in trials)


def _agent_process(url: str, key: str, entity: str, sweep_id: str, name: str, start: Any, out: Any) -> None:
    out.put(_run_all(RemoteSweepBook(Connection(url, key), entity), sweep_id, name, start))


def test_two_agent_processes_share_a_grid_with_an_exact_run_cap(alice: Entity) -> None:
    config = {**GRID, "parameters": {**GRID["parameters"], "seed": {"values": [1, 2]}}, "run_cap": 9}  # 12 points
    sweep = alice.book().create("p", config)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    agents = [
        ctx.Process(
            target=_agent_process, args=(alice.server.url, alice.key, alice.name, sweep.id, f"proc-{n}", start, out)
        )
        for n in range(2)
    ]
    for agent in agents:
        agent.start()
    keys = [k for _ in agents for k in out.get(timeout=120)]
    for agent in agents:
        agent.join(timeout=30)
        assert agent.exitcode == 0
    assert len(keys) == 9 and len(set(keys)) == 9  # no point twice, not one trial past the cap
    after = alice.book().sweep("p", sweep.id)
    assert after.state == "FINISHED" and after.trial_count == 9


def test_agents_on_two_servers_of_one_database_share_a_sweep(postgres: Any, tmp_path: Path) -> None:
    database = postgres.create_database(f"sw_{os.urandom(4).hex()}")
    root = tmp_path / "shared-root"
    servers = [ServerProcess(root, database=database), ServerProcess(root, database=database)]
    for server in servers:
        server.start()
    try:
        key = make_key(root, "team", database=database)
        books = [RemoteSweepBook(Connection(servers[n % 2].url, key), "team") for n in range(4)]
        config = {**GRID, "parameters": {**GRID["parameters"], "seed": {"values": [1, 2]}}, "run_cap": 10}
        sweep = books[0].create("p", config)
        barrier = threading.Barrier(len(books))
        with ThreadPoolExecutor(len(books)) as pool:
            done = [pool.submit(_run_all, book, sweep.id, f"agent-{n}", barrier) for n, book in enumerate(books)]
            keys = [k for f in done for k in f.result()]
        assert len(keys) == 10 and len(set(keys)) == 10  # claims atomic across the server processes
        assert books[1].sweep("p", sweep.id).trial_count == 10
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.log(), server.log()


def test_run_cap_is_exact_with_many_agents(alice: Entity) -> None:
    config = {
        "method": "random",
        "metric": {"name": "loss"},
        "parameters": {"x": {"min": 0.0, "max": 1.0}},
        "run_cap": 7,
    }
    sweep = alice.book().create("p", config, seed=3)
    agents = 4
    barrier = threading.Barrier(agents)
    with ThreadPoolExecutor(agents) as pool:
        done = [pool.submit(_run_all, alice.book(), sweep.id, f"agent-{n}", barrier) for n in range(agents)]
        keys = [k for f in done for k in f.result()]
    assert len(keys) == 7 and len(set(keys)) == 7
    after = alice.book().sweep("p", sweep.id)
    assert after.state == "FINISHED" and after.trial_count == 7 and "run_cap" in (after.reason or "")
    again = alice.book().create("p", config, seed=3)  # the same seed: the same suggestions
    _run_all(alice.book(), again.id, "replay")
    assert [t.params for t in alice.book().trials("p", again.id)] == [
        t.params for t in alice.book().trials("p", sweep.id)
    ]


def test_a_dead_agents_claim_is_released_to_another(alice: Entity) -> None:
    config = {"method": "grid", "parameters": {"x": {"values": [1]}}}
    sweep = alice.book().create("p", config)
    dead, alive = alice.book(), alice.book()
    held = dead.claim("p", sweep.id, "dead", lease=0.5).trial
    assert held is not None and held.key == 0
    waiting = alive.claim("p", sweep.id, "alive")
    assert waiting.trial is None and waiting.wait  # the only point is held, and may be released
    got: list[Any] = []
    wait_for(lambda: got.append(alive.claim("p", sweep.id, "alive").trial) or got[-1] is not None, 30, "the release")
    assert got[-1].key == 0 and got[-1].seq != held.seq
    assert dead.heartbeat("p", sweep.id, [held.seq], "dead") == {held.seq}  # it must stop
    with pytest.raises(StoreError):
        dead.start("p", sweep.id, held.seq, "dead")  # no longer its trial
    assert {t.seq: t.state for t in alive.trials("p", sweep.id)}[held.seq] == "released"


def test_state_changes(alice: Entity) -> None:
    book = alice.book()
    sweep = book.create("p", GRID)
    assert book.set_state("p", sweep.id, "PAUSED").state == "PAUSED"
    paused = book.claim("p", sweep.id, "a")
    assert paused.trial is None and paused.wait
    assert book.set_state("p", sweep.id, "RUNNING").state == "RUNNING"
    trial = book.claim("p", sweep.id, "a").trial
    assert trial is not None
    book.start("p", sweep.id, trial.seq, "a")
    assert book.heartbeat("p", sweep.id, [trial.seq], "a") == set()
    canceled = book.set_state("p", sweep.id, "CANCELED", "enough")
    assert canceled.state == "CANCELED"
    assert book.heartbeat("p", sweep.id, [trial.seq], "a") == {trial.seq}  # running trials stop too
    over = book.claim("p", sweep.id, "a")
    assert over.trial is None and not over.wait
    with pytest.raises(SweepStateError):
        book.set_state("p", sweep.id, "RUNNING")  # a canceled sweep stays canceled
    with pytest.raises(SweepNotFound):
        book.set_state("p", "zzzzzzzz", "PAUSED")
    with pytest.raises(ValueError, match="lease"):
        book.claim("p", sweep.id, "a", lease=-1)  # the server's 422, as the book's own kind of error


def test_rungs_and_how_a_trial_ended(alice: Entity) -> None:
    config = {**GRID, "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2}}
    book = alice.book()
    sweep = book.create("p", config)
    a = book.claim("p", sweep.id, "a").trial
    b = book.claim("p", sweep.id, "b").trial
    assert a is not None and b is not None
    book.start("p", sweep.id, a.seq, "a")
    book.start("p", sweep.id, b.seq, "b")
    assert book.record_rung("p", sweep.id, a.seq, 1, 0.5) == {a.seq: {1: 0.5}}
    book.record_rung("p", sweep.id, a.seq, 2, 0.25)
    assert book.record_rung("p", sweep.id, b.seq, 1, math.inf) == {a.seq: {1: 0.5, 2: 0.25}, b.seq: {1: math.inf}}
    assert book.rungs("p", sweep.id) == {a.seq: {1: 0.5, 2: 0.25}, b.seq: {1: math.inf}}
    stop = {"band": 1, "value": math.inf, "threshold": 0.5, "reached": 2}
    book.end("p", sweep.id, b.seq, "stopped", math.inf, stop=stop)
    book.end("p", sweep.id, a.seq, "failed", None, error="Traceback...\nZeroDivisionError")
    c = book.claim("p", sweep.id, "c").trial
    assert c is not None
    book.end("p", sweep.id, c.seq, "finished", math.nan)  # a diverged loss is a value too
    trials = {t.seq: t for t in book.trials("p", sweep.id)}
    assert trials[a.seq].state == "failed" and trials[a.seq].error == "Traceback...\nZeroDivisionError"
    assert trials[a.seq].rungs == {1: 0.5, 2: 0.25} and trials[a.seq].value is None
    assert trials[b.seq].state == "stopped" and trials[b.seq].stop == stop and trials[b.seq].value == math.inf
    assert trials[b.seq].ended_at is not None
    assert math.isnan(trials[c.seq].value or 0.0)


def test_an_unreachable_server_is_a_store_and_comm_error_naming_the_call() -> None:
    book = RemoteSweepBook(Connection(f"http://127.0.0.1:{free_port()}", "wbnb_key", timeout=(2.0, 2.0)), "e")
    with pytest.raises(StoreError) as caught:
        book.claim("p", "abcd1234", "agent")
    assert isinstance(caught.value, CommError) and "claim a trial of sweep abcd1234" in str(caught.value)


def test_a_malformed_sweep_id_is_not_found_without_a_request(alice: Entity) -> None:
    for bad in ("../x", "ABCDEFGH", "short", "abcd1234/trials", ""):
        with pytest.raises(SweepNotFound, match="sweep id"):
            alice.book().sweep("p", bad)


# -- hostile clients -------------------------------------------------------------------------


def test_a_huge_config_is_refused_before_it_is_read(alice: Entity) -> None:
    config = {**GRID, "parameters": {"x": {"values": list(range(MAX_BODY // 4))}}}
    data = json.dumps({"config": config}).encode()
    assert len(data) > MAX_BODY
    r = requests.post(alice.url(), data=data, headers={**alice.headers, "Content-Type": "application/json"})
    assert r.status_code == 413 and str(MAX_BODY) in r.json()["detail"], r.text
    with pytest.raises(SweepConfigError, match=str(MAX_BODY)):
        alice.book().create("p", config)  # the user's to fix, not a network trouble
    assert alice.book().sweeps("p") == []


def test_wrong_types_and_values_are_refused_naming_the_field(alice: Entity) -> None:
    sweep = alice.book().create("p", GRID)
    deep: Any = 1
    for _ in range(100):
        deep = [deep]
    cases = [
        ("POST", "", {"config": "method: grid"}, "config"),
        ("POST", "", {"config": GRID, "seed": -1}, "seed"),
        ("POST", "", {"config": GRID, "seed": "7"}, "seed"),
        ("POST", "", {"config": GRID, "name": "a\x00b"}, "name"),
        ("POST", "", {"config": GRID, "name": "n" * 5000}, "name"),
        ("POST", "", {"config": GRID, "owner": "mallory"}, "owner"),
        ("POST", "", {"config": {**GRID, "description": deep}}, "config"),
        ("PUT", f"/{sweep.id}/state", {"state": "DONE"}, "state"),
        ("POST", f"/{sweep.id}/claims", {"agent_id": 5}, "agent_id"),
        ("POST", f"/{sweep.id}/claims", {"agent_id": ""}, "agent_id"),
        ("POST", f"/{sweep.id}/claims", {"agent_id": "a", "lease": "soon"}, "lease"),
        ("POST", f"/{sweep.id}/claims", {"agent_id": "a", "lease": -1}, "lease"),
        ("POST", f"/{sweep.id}/claims", {"agent_id": "a", "lease": 1e300}, "lease"),
        ("POST", f"/{sweep.id}/trials/x/start", {"agent_id": "a"}, "seq"),
        ("POST", f"/{sweep.id}/trials/-1/start", {"agent_id": "a"}, "seq"),
        ("POST", f"/{sweep.id}/heartbeat", {"agent_id": "a", "seqs": "0"}, "seqs"),
        ("POST", f"/{sweep.id}/trials/0/rungs", {"band": 1.5, "value": 0.1}, "band"),
        ("POST", f"/{sweep.id}/trials/0/rungs", {"band": 1, "value": "low"}, "value"),
        ("POST", f"/{sweep.id}/trials/0/end", {"state": "released"}, "state"),
        ("POST", f"/{sweep.id}/trials/0/end", {"state": "finished", "stop": deep}, "stop"),
    ]
    for method, rest, body, field in cases:
        r = requests.request(method, alice.url(rest=rest), json=body, headers=alice.headers)
        assert r.status_code == 422 and field in r.json()["detail"], (
            method,
            rest,
            body if body != deep else "deep",
            r.text,
        )
    r = requests.post(alice.url(), data=b"{not json", headers={**alice.headers, "Content-Type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    assert [s.id for s in alice.book().sweeps("p")] == [sweep.id]
    assert alice.book().trials("p", sweep.id) == []


def test_unknown_sweeps_and_trials_are_not_found_or_refused(alice: Entity) -> None:
    sweep = alice.book().create("p", GRID)
    for rest, body in (("/nosuchid/claims", {"agent_id": "a"}), ("/%2E%2E/claims", {"agent_id": "a"})):
        r = requests.post(alice.url(rest=rest), json=body, headers=alice.headers)
        assert r.status_code == 404, r.text
    for rest, body in (
        (f"/{sweep.id}/trials/99/start", {"agent_id": "a"}),
        (f"/{sweep.id}/trials/99/end", {"state": "finished"}),
    ):
        r = requests.post(alice.url(rest=rest), json=body, headers=alice.headers)
        assert r.status_code in (404, 409), r.text
    trial = alice.book().claim("p", sweep.id, "a").trial
    assert trial is not None
    with pytest.raises(StoreError):
        alice.book().start("p", sweep.id, trial.seq, "someone else")  # not its agent's trial
