"""Agents in several processes claiming from one sweep of one book (a local store's
SQLite, and PostgreSQL): a grid point runs once, ``run_cap`` is exact, and a killed
agent's claim is released after its lease and run by another agent."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.synchronize import Barrier
from typing import Any

from tests.waiting import wait_for
from wbnb.sweeps.config import parse_sweep_config
from wbnb.sweeps.search import random_point

from .homes import BookHome

SPAWN = multiprocessing.get_context("spawn")  # fresh interpreters: no lock or connection inherited
JOIN = 120  # seconds an agent process may take, on a busy machine


def agent(home: BookHome, sweep_id: str, name: str, start: Barrier | None = None, pace: float = 0.0) -> None:
    """Claim and finish trials until the sweep gives no more (run in a child process).
    ``pace``: seconds each trial "trains", so that a kill can land while one is held."""
    with home.open() as book:
        if start is not None:
            start.wait()
        while True:
            claim = book.claim("p", sweep_id, name, lease=1.0 if pace else 60.0)
            if claim.trial is not None:
                time.sleep(pace)
                book.end("p", sweep_id, claim.trial.seq, "finished", value=float(claim.trial.key))
            elif not claim.wait:
                return
            else:
                time.sleep(0.02)  # every point left is another agent's live trial: ask again soon


def holder(home: BookHome, sweep_id: str, lease: float, claimed: Any) -> None:
    """Claim one trial, say which, and hold it until killed (run in a child process)."""
    with home.open() as book:
        claim = book.claim("p", sweep_id, "doomed", lease=lease)
        assert claim.trial is not None
        claimed.put(claim.trial.key)
        time.sleep(600)


def run_agents(home: BookHome, sweep_id: str, count: int) -> None:
    start = SPAWN.Barrier(count)
    procs = [SPAWN.Process(target=agent, args=(home, sweep_id, f"agent{i}", start)) for i in range(count)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(JOIN)
        assert p.exitcode == 0, f"{p.name} exited with {p.exitcode}"


def test_agents_in_three_processes_run_each_grid_point_once(book_home: BookHome) -> None:
    config = {"method": "grid", "parameters": {"a": {"values": list(range(8))}, "b": {"values": list(range(5))}}}
    with book_home.open() as book:
        sweep = book.create("p", config)
        run_agents(book_home, sweep.id, 3)
        trials = book.trials("p", sweep.id)
        assert sorted(t.key for t in trials) == list(range(40))  # none twice, none missed
        assert {t.state for t in trials} == {"finished"}
        assert [t.seq for t in trials] == list(range(40))
        done = book.sweep("p", sweep.id)
        assert (done.state, done.reason) == ("FINISHED", "grid exhausted: all 40 points ran")


def test_agents_in_three_processes_stop_at_the_run_cap_exactly(book_home: BookHome) -> None:
    config = {"method": "random", "run_cap": 17, "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    with book_home.open() as book:
        sweep = book.create("p", config, seed=5)
        run_agents(book_home, sweep.id, 3)
        trials = book.trials("p", sweep.id)
        assert len(trials) == 17
        assert sorted(t.key for t in trials) == list(range(17))
        parsed = parse_sweep_config(config)
        assert all(t.params == random_point(parsed, 5, t.key) for t in trials)
        assert book.sweep("p", sweep.id).reason == "run_cap 17 reached"


def test_a_killed_agents_claim_is_released_after_its_lease_and_run_by_another(book_home: BookHome) -> None:
    config = {"method": "grid", "parameters": {"x": {"values": [1, 2, 3, 4]}}}
    with book_home.open() as book:
        sweep = book.create("p", config)
        claimed = SPAWN.Queue()
        doomed = SPAWN.Process(target=holder, args=(book_home, sweep.id, 1.0, claimed))
        doomed.start()
        key = claimed.get(timeout=JOIN)
        os.kill(doomed.pid, signal.SIGKILL)  # type: ignore[arg-type]
        doomed.join(JOIN)
        run_agents(book_home, sweep.id, 1)  # runs the other points, waits out the lease, runs that one
        trials = book.trials("p", sweep.id)
        lost = [t for t in trials if t.agent_id == "doomed"]
        assert [(t.key, t.state) for t in lost] == [(key, "released")]
        ran = [t for t in trials if t.state != "released"]
        assert sorted(t.key for t in ran) == [0, 1, 2, 3] and {t.state for t in ran} == {"finished"}
        assert book.sweep("p", sweep.id).state == "FINISHED"


def test_an_agent_killed_at_any_moment_leaves_every_point_to_run_once(book_home: BookHome) -> None:
    config = {"method": "grid", "parameters": {"x": {"values": list(range(30))}}}
    with book_home.open() as book:
        sweep = book.create("p", config)
        doomed = SPAWN.Process(target=agent, args=(book_home, sweep.id, "doomed", None, 0.02))
        doomed.start()
        wait_for(lambda: len(book.trials("p", sweep.id)) >= 5, JOIN, "the agent's first trials")
        os.kill(doomed.pid, signal.SIGKILL)  # type: ignore[arg-type]
        doomed.join(JOIN)
        run_agents(book_home, sweep.id, 2)
        ran = [t for t in book.trials("p", sweep.id) if t.state != "released"]
        assert sorted(t.key for t in ran) == list(range(30))
        assert {t.state for t in ran} == {"finished"}
