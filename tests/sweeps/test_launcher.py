"""The command-line agent (``sweeps/launcher.py``): each trial's program as a subprocess,
with its parameters as arguments and in ``wbnb.config``; a canceled sweep's child
stopped by SIGTERM then SIGKILL; a failing program; Hyperband ending a child quietly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import wait_for
from wbnb.store.local import LocalStore
from wbnb.sweeps.books import book_for
from wbnb.sweeps.launcher import run_agent
from wbnb.sweeps.records import SweepBook

TRAIN = """
import argparse, json, sys
import wbnb
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--layers", type=int)
args = parser.parse_args()
run = wbnb.init()
assert wbnb.config.lr == args.lr and wbnb.config.layers == args.layers, (dict(wbnb.config), args)
for i in range(3):
    wbnb.log({"loss": args.lr * args.layers + i})
print("trained", run.id, json.dumps(dict(wbnb.config)))
"""


def make_sweep(store_dir: Path, tmp_path: Path, program: str, **config: Any) -> str:
    path = tmp_path / "train.py"
    path.write_text(program)
    base = {
        "method": "grid",
        "metric": {"name": "loss"},
        "program": str(path),
        "parameters": {"lr": {"values": [0.5, 0.25]}, "layers": {"values": [1, 2]}},
    }
    return book_for(LocalStore(store_dir)).create("p", {**base, **config}).id


def cancel_when(book: SweepBook, sweep_id: str, ready: Callable[[], bool], what: str) -> threading.Thread:
    """A started thread that cancels the sweep once ``ready()`` holds (the program is running)."""

    def cancel() -> None:
        wait_for(ready, what=what)
        book.set_state("p", sweep_id, "CANCELED")

    canceler = threading.Thread(target=cancel)
    canceler.start()
    return canceler


def test_the_program_gets_its_params_as_arguments_and_in_wbnb_config(env: Path, tmp_path: Path) -> None:
    sweep_id = make_sweep(env, tmp_path, TRAIN)
    assert run_agent(LocalStore(env), f"p/{sweep_id}", count=3) == 0
    store = LocalStore(env)
    done = book_for(store).trials("p", sweep_id)
    assert [t.state for t in done] == ["finished"] * 3
    for t in done:
        run = store.run("p", t.run_id)
        assert (run["state"], run["sweep_id"], run["config"]) == ("finished", sweep_id, t.params)
        assert t.value == t.params["lr"] * t.params["layers"] + 2


def test_a_failing_program_fails_its_trial(env: Path, tmp_path: Path) -> None:
    sweep_id = make_sweep(env, tmp_path, "import sys\nsys.exit(3)\n")
    assert run_agent(LocalStore(env), sweep_id, count=1, project="p") == 0
    (t,) = book_for(LocalStore(env)).trials("p", sweep_id)
    assert t.state == "failed" and "status 3" in (t.error or "")


def test_a_canceled_sweep_sigterms_then_sigkills_a_child_that_ignores_sigterm(env: Path, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    program = f"""
import os, signal, time
import wbnb
signal.signal(signal.SIGTERM, signal.SIG_IGN)
wbnb.init()
open({str(pid_file)!r}, "w").write(str(os.getpid()))
while True:
    time.sleep(0.05)
"""
    sweep_id = make_sweep(env, tmp_path, program)
    book = book_for(LocalStore(env))
    ready = lambda: pid_file.exists() and pid_file.read_text() != ""
    canceler = cancel_when(book, sweep_id, ready, "the child running")
    assert run_agent(LocalStore(env), f"p/{sweep_id}", grace=0.2, poll=0.05) == 0
    canceler.join()
    (t,) = book.trials("p", sweep_id)
    assert t.state == "stopped"
    with pytest.raises(ProcessLookupError):  # SIGKILLed and reaped
        os.kill(int(pid_file.read_text()), 0)


def test_hyperband_ends_a_child_quietly(env: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    program = """
import wbnb
run = wbnb.init()
for i in range(6):
    wbnb.log({"loss": 5.0 if run.config.lr == 0.25 else 1.0 - i / 10})
"""
    sweep_id = make_sweep(
        env,
        tmp_path,
        program,
        parameters={"lr": {"values": [0.5, 0.4, 0.25]}},
        early_terminate={"type": "hyperband", "min_iter": 2, "eta": 2},
    )
    assert run_agent(LocalStore(env), f"p/{sweep_id}") == 0
    store = LocalStore(env)
    good, fine, bad = book_for(store).trials("p", sweep_id)  # at band 2: 0.9, 0.9, 5.0
    assert (good.state, fine.state, bad.state) == ("finished", "finished", "stopped")
    assert bad.stop is not None and bad.stop["band"] == 2
    assert store.run("p", bad.run_id)["state"] == "killed"
    err = capfd.readouterr().err
    assert "Hyperband stopped trial 2" in err and "at band 2" in err
    assert "Traceback" not in err


def test_a_canceled_sweep_ends_a_childs_run_killed(
    env: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    program = """
import time
import wbnb
wbnb.init()
wbnb.log({"loss": 1.0})
while True:
    time.sleep(0.05)
"""
    sweep_id = make_sweep(env, tmp_path, program)
    store = LocalStore(env)
    book = book_for(store)

    running = lambda: any(t.state == "running" for t in book.trials("p", sweep_id))
    canceler = cancel_when(book, sweep_id, running, "the trial running")
    assert run_agent(store, f"p/{sweep_id}", grace=30, poll=0.05) == 0
    canceler.join()
    (t,) = book.trials("p", sweep_id)
    assert t.state == "stopped" and "canceled" in (t.error or "")
    assert store.run("p", t.run_id)["state"] == "killed"  # the child ended its run on SIGTERM
    err = capfd.readouterr().err
    assert f"the sweep {sweep_id} was canceled" in err and "Traceback" not in err


def test_ctrl_c_stops_the_child_and_exits_130(env: Path, tmp_path: Path) -> None:
    program = """
import time
import wbnb
wbnb.init()
while True:
    time.sleep(0.05)
"""
    sweep_id = make_sweep(env, tmp_path, program)
    code = (
        "import sys\nfrom wbnb.store.local import LocalStore\nfrom wbnb.sweeps.launcher import run_agent\n"
        f"sys.exit(run_agent(LocalStore({str(env)!r}), {f'p/{sweep_id}'!r}, grace=30, poll=0.05))\n"
    )
    agent = subprocess.Popen([sys.executable, "-c", code])
    store = LocalStore(env)
    book = book_for(store)
    try:
        wait_for(lambda: any(t.state == "running" for t in book.trials("p", sweep_id)), what="the trial running")
        agent.send_signal(signal.SIGINT)
        assert agent.wait(timeout=60) == 130
    finally:
        agent.kill()
    (t,) = book.trials("p", sweep_id)
    assert t.state == "stopped"
    assert store.run("p", t.run_id)["state"] == "killed"


def test_a_second_init_in_the_program_makes_a_run_of_its_own(env: Path, tmp_path: Path) -> None:
    program = """
import os, wbnb
first = wbnb.init()
wbnb.log({"loss": 0.5})
first.finish()
second = wbnb.init(config={"phase": "eval"})
assert second.id != first.id and second.sweep_id is None, (first.id, second.id)
second.finish()
"""
    sweep_id = make_sweep(env, tmp_path, program, parameters={"lr": {"values": [0.1]}})
    assert run_agent(LocalStore(env), f"p/{sweep_id}") == 0
    store = LocalStore(env)
    (t,) = book_for(store).trials("p", sweep_id)
    assert (t.state, t.value) == ("finished", 0.5)
    assert len(store.runs("p")) == 2


def test_a_signal_during_a_wait_on_the_child_is_raised_after_it() -> None:
    # A signal raised inside Popen.wait can leave its lock held, and the next wait on the
    # child would block for ever (a CI run hung there): the agent holds signals while it waits.
    from wbnb.sweeps.launcher import _Interrupts

    interrupts = _Interrupts()
    try:
        with pytest.raises(KeyboardInterrupt) as caught:
            with interrupts.deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                wait_for(lambda: interrupts._pending is not None, what="the signal handled")
                reached = True  # the handler did not raise here
        assert reached and caught.value.args == (signal.SIGTERM,)
        with interrupts.deferred(keep=False):  # already stopping: a second signal is dropped
            os.kill(os.getpid(), signal.SIGINT)
            wait_for(lambda: interrupts._pending is not None, what="the signal handled")
        assert interrupts._pending is None
    finally:
        interrupts.restore()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
