"""The sweep book (``wbnb/sweeps/sql.py``), each test over a local store's SQLite and
over PostgreSQL (``conftest.py``): sweeps and their states, claims in grid and random
order, the exact ``run_cap``, leases, early failures and Hyperband rungs."""

from __future__ import annotations

import concurrent.futures
import math
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_for
from wbnb.store.errors import StoreError
from wbnb.store.local import LocalStore
from wbnb.sweeps import SweepConfigError
from wbnb.sweeps.books import book_for
from wbnb.sweeps.config import parse_sweep_config
from wbnb.sweeps.records import EARLY_FAILURES, SweepNotFound, SweepStateError
from wbnb.sweeps.search import Grid, random_point
from wbnb.sweeps.sql import SqlSweepBook

GRID: dict[str, Any] = {
    "method": "grid",
    "metric": {"name": "loss"},
    "parameters": {
        "lr": {"values": [0.1, 0.01, 0.001]},
        "opt": {"values": ["adam", "sgd"]},
        "layers": {"values": [1, 2]},
    },
}
RANDOM: dict[str, Any] = {
    "method": "random",
    "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1}, "bs": {"values": [16, 32]}},
}


def run_all(book: SqlSweepBook, sweep_id: str, agent: str = "a") -> list[dict[str, Any]]:
    """Claim and finish trials until the book gives none; their params in claim order."""
    params = []
    while (claim := book.claim("p", sweep_id, agent)).trial is not None:
        params.append(claim.trial.params)
        book.end("p", sweep_id, claim.trial.seq, "finished", value=1.0)
    return params


# -- sweeps ------------------------------------------------------------------------------


def test_create_keeps_the_config_seed_and_name(book: SqlSweepBook) -> None:
    sweep = book.create("p", {**RANDOM, "name": "from config", "seed": 7})
    assert (sweep.state, sweep.seed, sweep.name, sweep.config, sweep.trial_count) == (
        "RUNNING",
        7,
        "from config",
        {**RANDOM, "name": "from config", "seed": 7},
        0,
    )
    assert len(sweep.id) == 8
    other = book.create("p", RANDOM, seed=3, name="given")
    assert (other.seed, other.name) == (3, "given")
    drawn = book.create("p", RANDOM)
    assert isinstance(drawn.seed, int) and drawn.seed >= 0  # drawn at creation, then kept
    assert book.sweep("p", drawn.id).seed == drawn.seed
    assert [s.id for s in book.sweeps("p")] == [sweep.id, other.id, drawn.id]
    assert book.sweeps("q") == []


def test_a_bad_config_or_seed_is_refused_naming_the_field(book: SqlSweepBook) -> None:
    with pytest.raises(SweepConfigError, match=r"parameters\.lr\.max"):
        book.create("p", {"method": "random", "parameters": {"lr": {"min": 0.5, "max": 0.1}}})
    with pytest.raises(SweepConfigError, match="seed"):
        book.create("p", RANDOM, seed=-1)
    with pytest.raises(SweepConfigError, match=r"parameters\.day\.values\.1: .*datetime\.date"):
        book.create("p", parse_sweep_config("method: grid\nparameters: {day: {values: [1, 2024-01-01]}}").raw)
    assert book.sweeps("p") == []


def test_an_unknown_sweep_is_not_found(book: SqlSweepBook) -> None:
    with pytest.raises(SweepNotFound, match="nosweep"):
        book.sweep("p", "nosweep")
    with pytest.raises(SweepNotFound):
        book.claim("p", "nosweep", "a")
    sweep = book.create("p", RANDOM)
    with pytest.raises(SweepNotFound):
        book.trials("other", sweep.id)


# -- claims --------------------------------------------------------------------------------


def test_grid_claims_walk_the_grid_once_then_the_sweep_finishes_saying_why(book: SqlSweepBook) -> None:

    sweep = book.create("p", GRID)
    grid = Grid(parse_sweep_config(GRID))
    assert run_all(book, sweep.id) == [grid.point(i) for i in range(12)]
    assert [t.key for t in book.trials("p", sweep.id)] == list(range(12))
    done = book.sweep("p", sweep.id)
    assert (done.state, done.reason, done.trial_count) == ("FINISHED", "grid exhausted: all 12 points ran", 12)
    claim = book.claim("p", sweep.id, "a")
    assert claim.trial is None and not claim.wait and "grid exhausted" in claim.reason


def test_a_grid_whose_points_are_all_held_waits_for_its_live_trials(book: SqlSweepBook) -> None:
    sweep = book.create("p", {"method": "grid", "parameters": {"x": {"values": [1, 2]}}})
    first, second = (book.claim("p", sweep.id, "a").trial for _ in range(2))
    assert first is not None and second is not None
    book.end("p", sweep.id, first.seq, "finished", value=0.5)
    claim = book.claim("p", sweep.id, "b")
    assert claim.trial is None and claim.wait and "waiting for 1 trial" in claim.reason
    assert book.sweep("p", sweep.id).state == "RUNNING"
    book.end("p", sweep.id, second.seq, "failed", error="boom")
    assert book.sweep("p", sweep.id).state == "FINISHED"  # the last live trial ended


def test_random_claims_follow_the_seed(book: SqlSweepBook) -> None:
    config = {**RANDOM, "run_cap": 5}
    one, two = book.create("p", config, seed=11), book.create("p", config, seed=11)
    first = run_all(book, one.id)
    assert first == run_all(book, two.id) == [random_point(parse_sweep_config(config), 11, n) for n in range(5)]
    assert run_all(book, book.create("p", config, seed=12).id) != first


def test_run_cap_is_exact_and_counts_every_trial_but_released_ones(book: SqlSweepBook) -> None:
    sweep = book.create("p", {**RANDOM, "run_cap": 3})
    trials = [book.claim("p", sweep.id, "a").trial for _ in range(3)]
    assert all(trials)
    book.end("p", sweep.id, 0, "failed", error="x")
    book.end("p", sweep.id, 1, "stopped", value=2.0)
    claim = book.claim("p", sweep.id, "b")
    assert claim.trial is None and claim.wait and claim.reason.startswith("run_cap 3 reached")
    book.end("p", sweep.id, 2, "finished", value=1.0)
    done = book.sweep("p", sweep.id)
    assert (done.state, done.reason, done.trial_count) == ("FINISHED", "run_cap 3 reached", 3)
    assert len(book.trials("p", sweep.id)) == 3


def test_params_and_values_keep_any_json_and_nan(book: SqlSweepBook) -> None:
    sweep = book.create(
        "p", {"method": "grid", "parameters": {"arch": {"values": [{"depth": 2, "act": None}, [1, "two"]]}}}
    )
    first = book.claim("p", sweep.id, "a").trial
    assert first is not None and first.params == {"arch": {"depth": 2, "act": None}}
    book.end("p", sweep.id, first.seq, "finished", value=math.nan, stop={"band": 3, "value": math.inf})
    (stored, *_) = book.trials("p", sweep.id)
    assert math.isnan(stored.value) and stored.stop == {"band": 3, "value": math.inf}
    second = book.claim("p", sweep.id, "a").trial
    assert second is not None and second.params == {"arch": [1, "two"]}
    assert [t.params for t in book.trials("p", sweep.id)] == [first.params, second.params]


def test_a_trial_has_a_fresh_run_id_and_is_started_by_its_agent_only(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    one, two = book.claim("p", sweep.id, "a").trial, book.claim("p", sweep.id, "a").trial
    assert one is not None and two is not None and one.run_id != two.run_id and len(one.run_id) == 8
    with pytest.raises(StoreError, match="not agent b's"):
        book.start("p", sweep.id, one.seq, "b")
    assert book.start("p", sweep.id, one.seq, "a").state == "running"
    with pytest.raises(StoreError, match="no trial 9"):
        book.start("p", sweep.id, 9, "a")


# -- states --------------------------------------------------------------------------------


def test_pause_resume_stop_and_cancel(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    running = book.claim("p", sweep.id, "a").trial
    assert running is not None
    assert book.set_state("p", sweep.id, "PAUSED").state == "PAUSED"
    paused = book.claim("p", sweep.id, "a")
    assert paused.trial is None and paused.wait and "paused" in paused.reason
    book.set_state("p", sweep.id, "RUNNING")
    assert book.claim("p", sweep.id, "a").trial is not None
    stopped = book.set_state("p", sweep.id, "FINISHED")
    assert (stopped.state, stopped.reason) == ("FINISHED", None)
    claim = book.claim("p", sweep.id, "a")
    assert claim.trial is None and not claim.wait
    assert book.heartbeat("p", sweep.id, [running.seq], "a") == set()  # --stop: running trials go on
    assert book.set_state("p", sweep.id, "RUNNING").state == "RUNNING"  # --resume, more to run
    assert book.set_state("p", sweep.id, "CANCELED").state == "CANCELED"
    assert book.heartbeat("p", sweep.id, [running.seq], "a") == {running.seq}  # --cancel: they stop
    with pytest.raises(SweepStateError, match="canceled: it cannot be resumed"):
        book.set_state("p", sweep.id, "RUNNING")
    assert book.set_state("p", sweep.id, "CANCELED").state == "CANCELED"  # again: no change


def test_an_exhausted_sweep_cannot_be_resumed(book: SqlSweepBook) -> None:
    sweep = book.create("p", {"method": "grid", "parameters": {"x": {"values": [1]}}})
    run_all(book, sweep.id)
    with pytest.raises(SweepStateError, match="grid exhausted"):
        book.set_state("p", sweep.id, "RUNNING")
    with pytest.raises(SweepStateError, match="PENDING"):
        book.set_state("p", sweep.id, "PENDING")


def test_early_failures_fail_the_sweep_naming_the_last_error(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    for n in range(EARLY_FAILURES):
        trial = book.claim("p", sweep.id, "a").trial
        assert trial is not None
        state = book.end("p", sweep.id, trial.seq, "failed", error=f"Traceback...\nValueError: bad input {n}\n").state
    failed = book.sweep("p", sweep.id)
    assert state == failed.state == "FAILED"
    assert failed.reason is not None and f"first {EARLY_FAILURES} trials" in failed.reason
    assert f"ValueError: bad input {EARLY_FAILURES - 1}" in failed.reason and "fix the program" in failed.reason
    claim = book.claim("p", sweep.id, "a")
    assert claim.trial is None and not claim.wait and "ValueError" in claim.reason


def test_a_success_among_the_first_trials_keeps_the_sweep_running(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    for n in range(EARLY_FAILURES + 2):
        trial = book.claim("p", sweep.id, "a").trial
        assert trial is not None
        book.end("p", sweep.id, trial.seq, "finished" if n == 1 else "failed", error=None if n == 1 else "x")
    assert book.sweep("p", sweep.id).state == "RUNNING"


# -- leases --------------------------------------------------------------------------------


def test_an_expired_claim_is_released_and_its_point_offered_again(book: SqlSweepBook) -> None:
    sweep = book.create("p", GRID)
    lost = book.claim("p", sweep.id, "dead", lease=0.2).trial
    assert lost is not None
    wait_for(lambda: time.time() > lost.lease_until, 10, "the lease to run out")
    again = book.claim("p", sweep.id, "alive").trial
    assert again is not None
    assert (again.key, again.params, again.seq) == (lost.key, lost.params, 1)
    assert again.run_id != lost.run_id
    states = {t.seq: t.state for t in book.trials("p", sweep.id)}
    assert states == {0: "released", 1: "claimed"}
    assert book.sweep("p", sweep.id).trial_count == 1  # a released trial does not count
    assert book.heartbeat("p", sweep.id, [lost.seq], "dead") == {lost.seq}  # its agent learns to stop
    with pytest.raises(StoreError, match="released"):
        book.start("p", sweep.id, lost.seq, "dead")
    before = book.sweep("p", sweep.id)
    assert book.end("p", sweep.id, lost.seq, "finished", value=1.0) == before  # too late: changes nothing
    assert book.trials("p", sweep.id)[0].state == "released"


def test_a_heartbeat_keeps_a_claim(book: SqlSweepBook) -> None:
    sweep = book.create("p", GRID)
    held = book.claim("p", sweep.id, "a", lease=0.2).trial
    assert held is not None
    assert book.heartbeat("p", sweep.id, [held.seq], "a", lease=60) == set()
    wait_for(lambda: time.time() > held.lease_until, 10, "the first lease to run out")
    other = book.claim("p", sweep.id, "b").trial
    assert other is not None and other.key != held.key
    assert book.trials("p", sweep.id)[0].state == "claimed"
    assert book.heartbeat("p", sweep.id, [held.seq], "b") == {held.seq}  # not b's to renew


def test_a_released_random_claim_is_offered_again(book: SqlSweepBook) -> None:
    sweep = book.create("p", {**RANDOM, "run_cap": 2})
    lost = book.claim("p", sweep.id, "dead", lease=0.2).trial
    assert lost is not None
    wait_for(lambda: time.time() > lost.lease_until, 10, "the lease to run out")
    params = run_all(book, sweep.id)
    assert params[0] == lost.params and len(params) == 2


# -- rungs ---------------------------------------------------------------------------------


def test_rungs_are_kept_per_trial_and_band(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    one, two = book.claim("p", sweep.id, "a").trial, book.claim("p", sweep.id, "a").trial
    assert one is not None and two is not None
    assert book.record_rung("p", sweep.id, one.seq, 1, 0.5) == {one.seq: {1: 0.5}}
    book.record_rung("p", sweep.id, two.seq, 1, 0.7)
    assert book.record_rung("p", sweep.id, one.seq, 3, -math.inf) == {
        one.seq: {1: 0.5, 3: -math.inf},
        two.seq: {1: 0.7},
    }
    assert book.rungs("p", sweep.id) == {one.seq: {1: 0.5, 3: -math.inf}, two.seq: {1: 0.7}}
    assert book.trials("p", sweep.id)[0].rungs == {1: 0.5, 3: -math.inf}
    with pytest.raises(StoreError, match="no trial 5"):
        book.record_rung("p", sweep.id, 5, 1, 0.1)


def test_a_released_trials_rungs_are_left_out_of_the_judgement(book: SqlSweepBook) -> None:
    sweep = book.create("p", RANDOM)
    lost = book.claim("p", sweep.id, "dead", lease=0.2).trial
    assert lost is not None
    book.record_rung("p", sweep.id, lost.seq, 1, 0.5)
    wait_for(lambda: time.time() > lost.lease_until, 10, "the lease to run out")
    again = book.claim("p", sweep.id, "alive").trial
    assert again is not None
    assert book.record_rung("p", sweep.id, again.seq, 1, 0.9) == {again.seq: {1: 0.9}}
    assert book.rungs("p", sweep.id) == {again.seq: {1: 0.9}}
    assert book.trials("p", sweep.id)[lost.seq].rungs == {1: 0.5}  # kept for reading


# -- bayes -------------------------------------------------------------------------------


def test_bayes_claims_pass_ended_values_and_live_points_to_suggest(
    book: SqlSweepBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the scheduler hands ``bayes.suggest`` (a stand-in here: the search is bayes.py's)."""
    calls: list[tuple[int, int, list[tuple[dict[str, Any], float]], list[dict[str, Any]]]] = []

    def suggest(config: Any, seed: int, index: int, observed: Any, pending: Any) -> dict[str, Any]:
        calls.append((seed, index, observed, pending))
        return {"x": float(index)}

    monkeypatch.setitem(
        sys.modules, "wbnb.sweeps.bayes", types.SimpleNamespace(suggest=suggest, require_extra=lambda: None)
    )
    config = {"method": "bayes", "metric": {"name": "loss"}, "parameters": {"x": {"min": 0.0, "max": 9.0}}}
    sweep = book.create("p", config, seed=4)
    first, second, third = (book.claim("p", sweep.id, "a").trial for _ in range(3))
    assert first is not None and second is not None and third is not None
    book.end("p", sweep.id, first.seq, "finished", value=0.25)
    book.end("p", sweep.id, second.seq, "failed", error="x")  # no value: nothing observed
    fourth = book.claim("p", sweep.id, "a").trial
    assert fourth is not None and (fourth.key, fourth.params) == (3, {"x": 3.0})
    assert calls[:3] == [(4, 0, [], []), (4, 1, [], [{"x": 0.0}]), (4, 2, [], [{"x": 0.0}, {"x": 1.0}])]
    assert calls[3] == (4, 3, [({"x": 0.0}, 0.25)], [{"x": 2.0}])


# -- homes ---------------------------------------------------------------------------------


def test_one_book_per_store_object_and_nothing_written_by_reading(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    assert book_for(store) is book_for(store)
    assert book_for(store).sweeps("p") == []
    assert not (tmp_path / "store" / "sweeps").exists()
    book_for(store).create("p", RANDOM)
    assert (tmp_path / "store" / "sweeps" / "sweeps.sqlite").is_file()
    assert len(book_for(LocalStore(tmp_path / "store")).sweeps("p")) == 1  # another store object, same file


def test_a_damaged_book_file_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "store" / "sweeps" / "sweeps.sqlite"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match=r"sweep book .*sweeps\.sqlite.*check the disk"):
        book_for(LocalStore(tmp_path / "store")).create("p", RANDOM)


def test_threads_sharing_one_book_claim_each_grid_point_once(book: SqlSweepBook) -> None:
    """An agent's heartbeat thread and its trials share a book: each thread its own connection."""
    sweep = book.create("p", {"method": "grid", "parameters": {"x": {"values": list(range(40))}}})
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ran = [p for params in pool.map(lambda i: run_all(book, sweep.id, f"t{i}"), range(4)) for p in params]
    assert sorted(p["x"] for p in ran) == list(range(40))
    assert book.sweep("p", sweep.id).state == "FINISHED"
