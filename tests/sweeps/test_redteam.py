"""Sweeps red team: what a hostile or careless use of the agents and the book does to a
sweep. A process forked in a trial never acts on its parent's trial; one agent per
process; a CLI trial's processes are stopped together and hostile values reach it as
text; the book's trouble never kills an agent; non-finite values never win."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import wbnb
from tests.sweeps.test_launcher import cancel_when, make_sweep
from tests.waiting import wait_for
from wbnb.errors import UsageError
from wbnb.store.local import LocalStore
from wbnb.sweeps.books import book_for
from wbnb.sweeps.launcher import run_agent

GRID: dict[str, Any] = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"values": [1, 2, 3]}},
}


def _ended(store_dir: Path, sweep_id: str) -> list[tuple[str, Any, Any]]:
    trials = book_for(LocalStore(store_dir)).trials("p", sweep_id)
    return [(t.state, t.params["x"], t.value) for t in trials]


def test_a_child_forked_before_init_makes_a_run_of_its_own(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")

    def train() -> None:
        pid = os.fork()
        if pid == 0:  # a worker that logs: the pending trial is its parent's
            try:
                with wbnb.init(project="child") as run:
                    run.log({"loss": 99.0})
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        with wbnb.init() as run:
            run.log({"loss": float(run.config.x)})

    wbnb.agent(sweep_id, function=train, project="p", count=2)
    assert _ended(store_dir, sweep_id) == [("finished", 1, 1.0), ("finished", 2, 2.0)]


def test_a_child_forked_in_a_trial_never_ends_it_nor_runs_trials(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")
    parent = os.getpid()

    def train() -> None:
        with wbnb.init() as run:
            run.log({"loss": float(run.config.x)})
            if os.fork() != 0:  # the child returns into the agent, as a careless fork would
                os.wait()

    try:
        wbnb.agent(sweep_id, function=train, project="p", count=2)
    finally:
        if os.getpid() != parent:
            os._exit(0)
    assert _ended(store_dir, sweep_id) == [("finished", 1, 1.0), ("finished", 2, 2.0)]


def _alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie waiting for its reaper is dead)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_stopped_trials_grandchildren_are_stopped_too(env: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild"
    program = f"""
import subprocess, sys, time
import wbnb
from wbnb.errors import UsageError
wbnb.init()
subprocess.Popen([sys.executable, "-c",
    "import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"])
while True:
    time.sleep(0.05)
"""
    sweep_id = make_sweep(env, tmp_path, program)
    book = book_for(LocalStore(env))

    ready = lambda: pid_file.exists() and pid_file.read_text() != ""
    canceler = cancel_when(book, sweep_id, ready, "the grandchild running")
    assert run_agent(LocalStore(env), f"p/{sweep_id}", grace=0.5, poll=0.05) == 0
    canceler.join()
    grandchild = int(pid_file.read_text())
    try:
        wait_for(lambda: not _alive(grandchild), 30, "the grandchild killed")
    finally:
        if _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)
    (t,) = book.trials("p", sweep_id)
    assert t.state == "stopped"


def test_a_disabled_run_in_a_trial_gets_its_params_and_fails_it_saying_why(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")
    seen: list[Any] = []

    def train() -> None:
        with wbnb.init(mode="disabled", config={"x": 0, "epochs": 2}) as run:
            seen.append(dict(run.config))
            run.log({"loss": 1.0})

    wbnb.agent(sweep_id, function=train, project="p", count=1)
    assert seen == [{"x": 1, "epochs": 2}]
    (t,) = book_for(LocalStore(store_dir)).trials("p", sweep_id)
    assert t.state == "failed" and "mode='disabled'" in (t.error or "")


def test_best_run_by_the_metric_skips_nan_and_infinite_values(store_dir: Path) -> None:
    sweep_id = wbnb.sweep({**GRID, "parameters": {"x": {"values": [1, 2, 3, 4]}}}, project="p")
    values = {1: float("-inf"), 2: 0.5, 3: float("nan"), 4: 0.25}

    def train() -> None:
        with wbnb.init() as run:
            run.log({"loss": values[run.config.x]})

    wbnb.agent(sweep_id, function=train, project="p")
    sweep = wbnb.Api().sweep(f"p/{sweep_id}")
    assert sweep.best_loss == 0.25
    assert sweep.best_run().config["x"] == 4  # the run of best_loss, not the diverged one


def test_infinite_or_nan_rungs_in_the_book_never_stop_a_trial() -> None:
    from wbnb.sweeps.config import parse_sweep_config
    from wbnb.sweeps.hyperband import decide

    config = parse_sweep_config({**GRID, "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 3}})
    rule = config.early_terminate
    assert rule is not None
    hostile = [float("-inf")] * 5 + [float("nan")]  # what a client may record through a server
    assert not decide(2, 0.1, 0.1, hostile, rule, "minimize").stop
    assert not decide(2, 0.9, 0.9, [float("inf")] * 5, rule, "maximize").stop
    assert decide(2, 1.0, 1.0, [0.5, 0.6, 0.7, *hostile], rule, "minimize").threshold == 0.6


def test_best_loss_skips_an_infinite_value_a_client_ended_a_trial_with(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")
    book = book_for(LocalStore(store_dir))
    for value in (float("-inf"), 0.5):
        trial = book.claim("p", sweep_id, "a").trial
        assert trial is not None
        book.end("p", sweep_id, trial.seq, "finished", value)
    assert wbnb.Api().sweep(f"p/{sweep_id}").best_loss == 0.5


def test_the_books_trouble_at_a_trials_end_never_kills_the_cli_agent(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    sweep_id = make_sweep(env, tmp_path, "import sys\nsys.exit(0)\n")  # no init(): the agent ends each trial
    store = LocalStore(env)
    book = book_for(store)
    real_end = book.end
    calls: list[int] = []

    def end(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return real_end(*args, **kwargs)

    monkeypatch.setattr(book, "end", end)
    assert run_agent(store, f"p/{sweep_id}", count=2, poll=0.05) == 0
    states = [t.state for t in book.trials("p", sweep_id)]
    assert states == ["claimed", "finished"]  # the first is released when its lease runs out
    assert "could not be ended in the sweep's book (disk I/O error)" in capfd.readouterr().err


def test_a_missing_program_fails_its_trials_naming_it_and_the_sweep_stops(
    env: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    sweep_id = make_sweep(env, tmp_path, "")
    book = book_for(LocalStore(env))
    missing = str(tmp_path / "gone.py")
    sweep_id = book.create("p", {**book.sweep("p", sweep_id).config, "program": missing}).id
    assert run_agent(LocalStore(env), f"p/{sweep_id}", poll=0.05) == 0
    trials = book.trials("p", sweep_id)
    assert [t.state for t in trials] == ["failed"] * 3
    assert all(f"the program {missing!r} is not a file" in (t.error or "") for t in trials)
    assert book.sweep("p", sweep_id).state == "FAILED"
    assert "is not a file" in capfd.readouterr().err


def test_hostile_parameter_values_reach_the_program_as_one_argument_each(env: Path, tmp_path: Path) -> None:
    out = tmp_path / "argv"
    program = f"import json, sys\nopen({str(out)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
    values = ["-rf", "--x=1;rm -rf ~", "a b", "line\nbreak", "$(touch pwned)", "\u202eevil", "ünï ✓"]
    sweep_id = make_sweep(env, tmp_path, program, parameters={"v": {"values": values}})
    assert run_agent(LocalStore(env), f"p/{sweep_id}", poll=0.05) == 0
    assert [json.loads(line) for line in out.read_text().splitlines()] == [[f"--v={v}"] for v in values]
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()  # no shell ever ran


def test_the_stores_trouble_is_said_by_the_magic_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import wbnb.widgets
    from wbnb.jupyter.magics import WbnbMagics
    from wbnb.store.errors import StoreError

    def damaged(path: str) -> None:
        raise StoreError("cannot read the sweep book sweeps.sqlite: file is not a database")

    monkeypatch.setattr(wbnb.widgets, "SweepPanel", damaged)
    WbnbMagics(shell=None).wbnb("sweep p/abcd1234")
    assert "%wbnb: cannot read the sweep book" in capsys.readouterr().err


def test_a_second_agent_in_one_process_is_refused_while_one_runs(store_dir: Path) -> None:
    first, second = wbnb.sweep(GRID, project="p"), wbnb.sweep(GRID, project="q")
    running, done = threading.Event(), threading.Event()

    def train() -> None:
        with wbnb.init() as run:
            running.set()
            done.wait(60)
            run.log({"loss": 1.0})

    agent = threading.Thread(target=wbnb.agent, args=(first,), kwargs={"function": train, "project": "p", "count": 1})
    agent.start()
    try:
        assert running.wait(60)
        with pytest.raises(UsageError, match="already running in this process"):
            wbnb.agent(second, function=train, project="q", count=1)  # its init() would open the other's trial
    finally:
        done.set()
        agent.join()
    assert _ended(store_dir, first) == [("finished", 1, 1.0)]
    wbnb.agent(second, function=lambda: wbnb.init().log({"loss": 2.0}), project="q", count=1)  # free again
    assert [t.state for t in book_for(LocalStore(store_dir)).trials("q", second)] == ["finished"]


def test_sigterm_to_the_cli_agent_stops_its_child_and_trial(env: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    program = f"""
import os, time
import wbnb
wbnb.init()
open({str(pid_file)!r}, "w").write(str(os.getpid()))
while True:
    time.sleep(0.05)
"""
    sweep_id = make_sweep(env, tmp_path, program)
    code = (
        "import sys\nfrom wbnb.store.local import LocalStore\nfrom wbnb.sweeps.launcher import run_agent\n"
        f"sys.exit(run_agent(LocalStore({str(env)!r}), {f'p/{sweep_id}'!r}, grace=30, poll=0.05))\n"
    )
    agent = subprocess.Popen([sys.executable, "-c", code])  # a scheduler's job, ended by SIGTERM
    store = LocalStore(env)
    book = book_for(store)
    try:
        wait_for(lambda: pid_file.exists() and pid_file.read_text() != "", what="the child running")
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        agent.kill()
    (t,) = book.trials("p", sweep_id)
    assert t.state == "stopped" and "SIGTERM" in (t.error or "")
    assert store.run("p", t.run_id)["state"] == "killed"
    assert not _alive(int(pid_file.read_text()))


def test_a_cli_trials_child_forked_before_init_makes_a_run_of_its_own(env: Path, tmp_path: Path) -> None:
    program = """
import os
import wbnb
pid = os.fork()
if pid == 0:  # a worker started before init(): the trial in the environment is its parent's
    try:
        with wbnb.init(project="child") as run:
            run.log({"loss": 99.0})
    finally:
        os._exit(0)
os.waitpid(pid, 0)
with wbnb.init() as run:
    run.log({"loss": run.config.lr})
"""
    sweep_id = make_sweep(env, tmp_path, program, parameters={"lr": {"values": [0.5]}})
    assert run_agent(LocalStore(env), f"p/{sweep_id}", poll=0.05) == 0
    (t,) = book_for(LocalStore(env)).trials("p", sweep_id)
    assert (t.state, t.value) == ("finished", 0.5)


def test_a_bad_count_for_the_cli_agent_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    from wbnb.cli import main

    for bad in ("1.5", "0", "-3", "x"):
        with pytest.raises(SystemExit):
            main(["agent", "p/abcd1234", "--count", bad])
        err = capsys.readouterr().err
        assert f"--count {bad}: a whole number of trials, at least 1" in err and "_count" not in err


def test_a_book_out_of_reach_is_not_asked_again_at_every_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that does not answer costs each call its timeout: after one, the watch
    waits ``BACKOFF`` before asking again, instead of asking (and waiting) at every log()."""
    from wbnb.sweeps import watch
    from wbnb.sweeps.config import Hyperband

    clock = [0.0]
    monkeypatch.setattr(watch.time, "monotonic", lambda: clock[0])
    calls: list[str] = []

    class Unanswered:
        def record_rung(self, *args: Any) -> dict[int, dict[int, float]]:
            return self.call("record_rung")

        def rungs(self, *args: Any) -> dict[int, dict[int, float]]:
            return self.call("rungs")

        def call(self, name: str) -> dict[int, dict[int, float]]:
            calls.append(name)
            clock[0] += 30.0  # the read timeout
            raise ConnectionError("timed out")

    rule = Hyperband(min_iter=1)
    w = watch.TrialWatch(Unanswered(), "p", "s", 0, rule, "minimize", lambda d: None)  # type: ignore[arg-type]
    with pytest.warns(RuntimeWarning, match="could not be read"):
        for _ in range(200):  # a fast loop: 0.1 s per step
            w.observe(1.0)
            clock[0] += 0.1
    assert calls == ["record_rung"] * 5  # at each band reached (1, 3, 9, 27, 81) only, not every 0.5 s between


def test_a_sweep_config_this_wbnb_cannot_read_never_raises_into_init() -> None:
    from types import SimpleNamespace

    from wbnb.sdk.trial import Trial

    newer = SimpleNamespace(sweep=lambda project, sweep_id: SimpleNamespace(config={"method": "hyperopt"}))
    trial = Trial(lambda: newer, "p", "abcd1234", 0, "run00000", "agent", {"x": 1})  # type: ignore[arg-type,return-value]
    with pytest.warns(RuntimeWarning, match="the run goes on"):
        assert trial._sweep_config() is None
