"""``wbnb.sweep`` / ``wbnb.agent``: trials run in the calling thread, their runs' configs,
states and ends, Hyperband stopping a trial at its next ``log()``, a paused sweep, a
canceled one, Ctrl-C."""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path
from typing import Any

import pytest

import wbnb
from tests.waiting import wait_for
from wbnb.errors import TrialStopped, UsageError
from wbnb.sdk import agent as agent_module
from wbnb.store.local import LocalStore
from wbnb.sweeps import lease
from wbnb.sweeps.books import book_for
from wbnb.sweeps.records import EARLY_FAILURES, SweepBook, TrialRecord

GRID: dict[str, Any] = {
    "method": "grid",
    "metric": {"name": "loss"},
    "parameters": {"lr": {"values": [0.1, 0.01]}, "opt": {"parameters": {"name": {"values": ["adam", "sgd", "rms"]}}}},
}


def book(store_dir: Path) -> SweepBook:
    return book_for(LocalStore(store_dir))


def trials(store_dir: Path, sweep_id: str) -> list[TrialRecord]:
    return book(store_dir).trials("p", sweep_id)


def test_agent_runs_count_trials_with_the_params_over_the_user_config(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(
        {"method": "random", "metric": {"name": "loss"}, **{"parameters": GRID["parameters"]}}, project="p", seed=3
    )
    seen: list[tuple[dict[str, Any], str | None]] = []

    def train() -> None:
        run = wbnb.init(config={"lr": 99.0, "epochs": 2})
        seen.append((dict(wbnb.config), run.sweep_id))
        wbnb.log({"loss": run.config.lr})

    wbnb.agent(sweep_id, function=train, project="p", count=3)
    done = trials(store_dir, sweep_id)
    assert [t.state for t in done] == ["finished"] * 3
    for t, (config, run_sweep) in zip(done, seen):
        assert config == {"epochs": 2, **t.params}  # the params win; nested ones as dicts
        assert isinstance(config["opt"], dict) and config["opt"]["name"] in ("adam", "sgd", "rms")
        assert run_sweep == sweep_id
        stored = LocalStore(store_dir).run("p", t.run_id)
        assert (stored["state"], stored["sweep_id"], stored["config"]) == ("finished", sweep_id, config)
        assert t.value == config["lr"]  # the metric's summary value


def test_a_grid_runs_every_point_once_and_finishes(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")
    wbnb.agent(f"p/{sweep_id}", function=lambda: wbnb.log({"loss": wbnb.init().config.lr}))
    done = trials(store_dir, sweep_id)
    points = {(t.params["lr"], t.params["opt"]["name"]) for t in done}
    assert len(done) == len(points) == 6
    assert book(store_dir).sweep("p", sweep_id).state == "FINISHED"


def test_a_failing_function_fails_its_trial_and_the_next_one_runs(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")

    def train() -> None:
        run = wbnb.init()
        wbnb.log({"loss": 1.0})
        if run.config.opt["name"] == "sgd":
            raise ValueError("sgd diverged")

    wbnb.agent(sweep_id, function=train, project="p", count=3)
    done = trials(store_dir, sweep_id)
    assert [t.state for t in done] == ["finished", "failed", "finished"]
    assert "ValueError: sgd diverged" in (done[1].error or "")
    assert "Traceback" in capsys.readouterr().err
    states = [LocalStore(store_dir).run("p", t.run_id)["state"] for t in done]
    assert states == ["finished", "failed", "finished"]


def test_a_function_that_opens_no_run_fails_its_trial(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")
    wbnb.agent(sweep_id, function=lambda: None, project="p", count=1)
    (t,) = trials(store_dir, sweep_id)
    assert t.state == "failed" and "wbnb.init()" in (t.error or "")


def test_keyboard_interrupt_kills_the_run_stops_the_trial_and_is_raised(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")

    def train() -> None:
        wbnb.init()
        wbnb.log({"loss": 1.0})
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wbnb.agent(sweep_id, function=train, project="p")
    (t,) = trials(store_dir, sweep_id)  # no second trial after Ctrl-C
    assert t.state == "stopped"
    assert LocalStore(store_dir).run("p", t.run_id)["state"] == "killed"
    assert wbnb.run is None


def test_trial_stopped_is_a_base_exception_that_except_exception_does_not_catch() -> None:
    assert issubclass(TrialStopped, BaseException) and not issubclass(TrialStopped, Exception)
    assert TrialStopped.__doc__ and "except Exception" in TrialStopped.__doc__


def test_hyperband_stops_a_bad_trial_at_its_next_log_at_the_band(store_dir: Path) -> None:
    config = {
        "method": "grid",
        "metric": {"name": "val/loss", "goal": "minimize"},
        "parameters": {"quality": {"values": ["good", "fine", "bad"]}},
        "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},  # bands 2, 4, 8...
    }
    sweep_id = wbnb.sweep(config, project="p")
    reached_end: list[str] = []

    def train() -> None:
        run = wbnb.init()
        quality = run.config.quality
        for i in range(10):
            loss = {"good": 1.0 - i / 20, "fine": 0.9 - i / 20, "bad": 5.0}[quality]
            try:
                wbnb.log({"val": {"loss": loss}, "i": i})
            except Exception:  # a user's broad except does not swallow the stop
                pass
        reached_end.append(quality)

    wbnb.agent(sweep_id, function=train, project="p")
    good, fine, bad = trials(store_dir, sweep_id)
    assert (good.state, fine.state, bad.state) == ("finished", "finished", "stopped")
    assert reached_end == ["good", "fine"]
    # at band 2 the values are 0.95, 0.85 and 5.0: the threshold is the 2nd best (int(3 / 2) = 1)
    assert bad.stop == {"band": 2, "value": 5.0, "threshold": 0.95, "reached": 3}
    assert bad.rungs == {2: 5.0} and good.rungs[2] == 0.95 and good.rungs[8] == pytest.approx(0.65)
    store = LocalStore(store_dir)
    assert store.run("p", bad.run_id)["state"] == "killed"
    history = store.columns("p", bad.run_id)
    assert list(history["i"]) == [0, 1]  # its history ends at the band: the record was stored
    assert list(history["val/loss"]) == [5.0, 5.0]
    assert bad.value == 5.0


@pytest.mark.parametrize("stop", ["hyperband", "ctrl-c"])
def test_a_trial_in_a_with_block_stopped_ends_its_run_killed(store_dir: Path, stop: str) -> None:
    # The tutorials' form: the stop leaves `with wbnb.init()` before the agent sees it.
    config: dict[str, Any] = {
        "method": "grid",
        "metric": {"name": "loss"},
        "parameters": {"quality": {"values": ["good", "fine", "bad"]}},
    }
    if stop == "hyperband":
        config["early_terminate"] = {"type": "hyperband", "min_iter": 1, "eta": 2}  # band 1: 1, 1, 5 -> cut above 1
    sweep_id = wbnb.sweep(config, project="p")

    def train() -> None:
        with wbnb.init() as run:
            bad = run.config.quality == "bad"
            for _ in range(3):
                wbnb.log({"loss": 5.0 if bad else 1.0})
                if bad and stop == "ctrl-c":
                    raise KeyboardInterrupt

    if stop == "ctrl-c":
        with pytest.raises(KeyboardInterrupt):
            wbnb.agent(sweep_id, function=train, project="p")
    else:
        wbnb.agent(sweep_id, function=train, project="p")
    good, fine, bad = trials(store_dir, sweep_id)
    store = LocalStore(store_dir)
    assert (good.state, store.run("p", good.run_id)["state"]) == ("finished", "finished")
    assert (fine.state, store.run("p", fine.run_id)["state"]) == ("finished", "finished")
    assert (bad.state, store.run("p", bad.run_id)["state"]) == ("stopped", "killed")


def test_a_paused_sweep_makes_the_agent_wait(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_module, "POLL", 0.05)
    sweep_id = wbnb.sweep(GRID, project="p")
    the_book = book(store_dir)
    the_book.set_state("p", sweep_id, "PAUSED")
    waits: list[bool] = []
    claim = type(the_book).claim

    def spy(self: SweepBook, *args: Any, **kwargs: Any) -> Any:
        answer = claim(self, *args, **kwargs)  # type: ignore[arg-type]
        waits.append(answer.wait)
        return answer

    monkeypatch.setattr(type(the_book), "claim", spy)
    runner = threading.Thread(
        target=wbnb.agent,
        args=(sweep_id,),
        kwargs={"function": lambda: wbnb.log({"loss": wbnb.init().config.lr}), "project": "p", "count": 1},
    )
    runner.start()
    wait_for(lambda: waits.count(True) >= 2, what="the agent asking again while paused")
    assert trials(store_dir, sweep_id) == []
    the_book.set_state("p", sweep_id, "RUNNING")
    runner.join(timeout=30)
    assert not runner.is_alive()
    assert [t.state for t in trials(store_dir, sweep_id)] == ["finished"]


def test_a_canceled_sweep_stops_the_running_trial_at_its_next_log(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lease, "BEAT", 0.05)
    sweep_id = wbnb.sweep(GRID, project="p")
    logged: list[int] = []

    def train() -> None:
        wbnb.init()
        book(store_dir).set_state("p", sweep_id, "CANCELED")
        i = 0
        while True:  # until log() raises; the test's timeout bounds it
            wbnb.log({"loss": 1.0})
            logged.append(i)
            i += 1
            threading.Event().wait(0.01)

    wbnb.agent(sweep_id, function=train, project="p")
    (t,) = trials(store_dir, sweep_id)
    assert t.state == "stopped" and "canceled" in (t.error or "")
    assert LocalStore(store_dir).run("p", t.run_id)["state"] == "killed"


def test_agent_without_a_function_or_a_program_says_what_to_give(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="p")  # no program: (with one, see test_wandb_tutorials.py)
    with pytest.raises(UsageError, match=r"pass function=\.\.\..*program:"):
        wbnb.agent(sweep_id, project="p")
    with pytest.raises(UsageError, match="count"):
        wbnb.agent(sweep_id, function=lambda: None, project="p", count=0)


def test_sweep_takes_a_yaml_file_and_refuses_a_bad_config(store_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text("method: grid\nparameters:\n  lr:\n    values: [1, 2]\n")
    sweep_id = wbnb.sweep(str(path), project="p")
    assert book(store_dir).sweep("p", sweep_id).config["parameters"] == {"lr": {"values": [1, 2]}}
    with pytest.raises(ValueError, match="parameters.lr"):
        wbnb.sweep({"method": "grid", "parameters": {"lr": {"min": 1.0, "max": 0.5}}}, project="p")


def test_a_trials_reference_cycles_are_freed_before_the_next_trial(store_dir: Path) -> None:
    class Model:
        pass

    sweep_id = wbnb.sweep(GRID, project="p")
    models: list[weakref.ref[Model]] = []
    alive_at_next_start: list[bool] = []

    def train() -> None:
        alive_at_next_start.extend(ref() is not None for ref in models)
        wbnb.init()
        model = Model()
        model.self = model  # type: ignore[attr-defined]  # a cycle: only the collector frees it
        models.append(weakref.ref(model))
        wbnb.log({"loss": 1.0})

    gc.disable()  # no automatic collection: the agent's is the one that frees it
    try:
        wbnb.agent(sweep_id, function=train, project="p", count=2)
    finally:
        gc.enable()
    assert alive_at_next_start == [False]


def test_agent_finds_a_sweep_made_here_by_its_bare_id(store_dir: Path) -> None:
    sweep_id = wbnb.sweep(GRID, project="elsewhere")
    wbnb.agent(sweep_id, function=lambda: wbnb.log({"loss": wbnb.init().config.lr}), count=1)
    (t,) = book(store_dir).trials("elsewhere", sweep_id)
    assert t.state == "finished"
    assert LocalStore(store_dir).run("elsewhere", t.run_id)["project"] == "elsewhere"


def test_repeated_early_failures_fail_the_sweep_and_stop_the_agent(
    store_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WBNB_SILENT")  # the agent says why it stops
    sweep_id = wbnb.sweep(GRID, project="p")

    def train() -> None:
        wbnb.init(settings={"silent": True})
        raise RuntimeError("bad setup")

    wbnb.agent(sweep_id, function=train, project="p")  # no count: the book stops it
    done = trials(store_dir, sweep_id)
    assert [t.state for t in done] == ["failed"] * EARLY_FAILURES
    sweep = book(store_dir).sweep("p", sweep_id)
    assert sweep.state == "FAILED" and sweep.reason
    assert "agent stops" in capsys.readouterr().err


def test_a_function_that_catches_trial_stopped_is_stopped_all_the_same(store_dir: Path) -> None:
    config = {
        "method": "grid",
        "metric": {"name": "loss"},
        "parameters": {"quality": {"values": [1.0, 1.5, 9.0]}},
        "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
    }
    sweep_id = wbnb.sweep(config, project="p")

    def train() -> None:
        run = wbnb.init()
        for _ in range(3):
            try:
                wbnb.log({"loss": run.config.quality})
            except TrialStopped:
                pass

    wbnb.agent(sweep_id, function=train, project="p")
    states = [(t.state, LocalStore(store_dir).run("p", t.run_id)["state"]) for t in trials(store_dir, sweep_id)]
    assert states == [("finished", "finished"), ("finished", "finished"), ("stopped", "killed")]


def test_cuda_memory_of_a_trial_is_released_before_the_next(store_dir: Path) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    sweep_id = wbnb.sweep(GRID, project="p")
    reserved_at_start: list[int] = []

    def train() -> None:
        reserved_at_start.append(torch.cuda.memory_reserved())
        wbnb.init()
        held: dict[str, Any] = {"weights": torch.ones(64, 1024, 1024, device="cuda")}
        held["self"] = held  # a cycle: the tensor outlives the function until a collection
        wbnb.log({"loss": float(held["weights"].sum())})

    gc.disable()
    try:
        wbnb.agent(sweep_id, function=train, project="p", count=2)
    finally:
        gc.enable()
    assert reserved_at_start[1] == reserved_at_start[0]
