"""Sweeps written as wandb's tutorials and docs write them, run with ``import wbnb as wandb``:
the PyTorch sweeps notebook, the "Define sweep configuration" and "Add W&B to your code"
pages. Each test is one form a user copies, and what wandb does with it."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import Any

import pytest

import wbnb as wandb
from wbnb.store.local import LocalStore
from wbnb.sweeps.books import book_for
from wbnb.sweeps.launcher import run_agent
from wbnb.sweeps.records import TrialRecord

GRID: dict[str, Any] = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"learning_rate": {"values": [0.1, 0.01]}, "batch_size": {"values": [16, 32]}},
}


def trials(store_dir: Path, project: str, sweep_id: str) -> list[TrialRecord]:
    return book_for(LocalStore(store_dir)).trials(project, sweep_id)


def test_the_pytorch_sweeps_notebook(store_dir: Path) -> None:
    # the notebook builds the config piece by piece, passes the function positionally and
    # reads wandb.config inside 'with wandb.init(config=config)'
    sweep_config: dict[str, Any] = {"method": "random"}
    sweep_config["metric"] = {"name": "loss", "goal": "minimize"}
    parameters_dict: dict[str, Any] = {
        "optimizer": {"values": ["adam", "sgd"]},
        "fc_layer_size": {"values": [128, 256, 512]},
        "dropout": {"values": [0.3, 0.4, 0.5]},
    }
    sweep_config["parameters"] = parameters_dict
    parameters_dict.update({"epochs": {"value": 1}})
    parameters_dict.update(
        {
            "learning_rate": {"distribution": "uniform", "min": 0, "max": 0.1},
            "batch_size": {"distribution": "q_log_uniform_values", "q": 8, "min": 32, "max": 256},
        }
    )
    sweep_id = wandb.sweep(sweep_config, project="pytorch-sweeps-demo")
    seen: list[dict[str, Any]] = []

    def train(config: Any = None) -> None:
        with wandb.init(config=config):
            config = wandb.config
            seen.append(dict(config))
            for epoch in range(config.epochs):
                wandb.log({"loss": config.learning_rate * config.batch_size, "epoch": epoch})

    wandb.agent(sweep_id, train, count=3)
    assert len(seen) == 3
    for config in seen:
        assert type(config["fc_layer_size"]) is int and type(config["epochs"]) is int
        assert type(config["batch_size"]) is int and 32 <= config["batch_size"] <= 256
        assert config["batch_size"] % 8 == 0
        assert type(config["learning_rate"]) is float and 0 <= config["learning_rate"] <= 0.1
        assert type(config["dropout"]) is float
    sweep = wandb.Api().sweep(f"pytorch-sweeps-demo/{sweep_id}")
    assert len(sweep.runs) == 3 and {r.state for r in sweep.runs} == {"finished"}
    best = sweep.best_run()
    assert best.summary["loss"] == min(r.summary["loss"] for r in sweep.runs)


def test_config_update_of_a_sweep_parameter_keeps_the_sweep_value_and_says_so(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a program run by the agent often ends 'wandb.config.update(args)' with argparse's
    # values (strings without type=): wandb keeps the sweep's value and warns
    sweep_id = wandb.sweep(GRID, project="p")
    seen: list[dict[str, Any]] = []

    def train() -> None:
        assert os.environ["WANDB_SWEEP_ID"] == sweep_id  # what wandb's agent sets; functions look for it
        with wandb.init(config={"epochs": 2}):
            wandb.config.update(argparse.Namespace(learning_rate="0.5", batch_size=16, seed=7))
            wandb.config.learning_rate = 0.9
            seen.append(dict(wandb.config))
            wandb.log({"loss": wandb.config.learning_rate})

    wandb.agent(sweep_id, function=train, project="p", count=1)
    assert "WANDB_SWEEP_ID" not in os.environ  # only while the agent runs
    (trial,) = trials(store_dir, "p", sweep_id)
    assert trial.state == "finished"
    assert seen == [{"epochs": 2, **trial.params, "seed": 7}]
    assert LocalStore(store_dir).run("p", trial.run_id)["config"] == seen[0]
    err = capsys.readouterr().err
    assert f"config['learning_rate'] was set by sweep {sweep_id} to {trial.params['learning_rate']}" in err
    assert "'0.5' is ignored" in err and "0.9 is ignored" in err
    assert "batch_size" not in err  # the same value: nothing to say


def test_sweep_reads_the_project_from_the_config_and_takes_a_callable(store_dir: Path) -> None:
    sweep_id = wandb.sweep({**GRID, "project": "from-config"})
    assert [s.id for s in wandb.Api().sweeps("from-config")] == [sweep_id]
    projects: list[str] = []

    def train() -> None:
        with wandb.init() as run:
            projects.append(run.project)
            run.log({"loss": 1.0})

    wandb.agent(sweep_id, function=train, count=1)
    assert projects == ["from-config"]

    made = wandb.sweep(lambda: GRID, project="generated")  # wandb's config generator
    assert wandb.Api().sweep(f"generated/{made}").config == GRID


def test_a_trial_failing_in_a_with_block_keeps_its_error(store_dir: Path) -> None:
    sweep_id = wandb.sweep(GRID, project="p")

    def train() -> None:
        with wandb.init():
            raise ValueError("diverged")

    wandb.agent(sweep_id, function=train, project="p", count=1)
    (trial,) = trials(store_dir, "p", sweep_id)
    assert (trial.state, trial.error) == ("failed", "ValueError: diverged")


def test_the_agent_says_which_parameters_each_trial_runs_with(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WBNB_SILENT")
    sweep_id = wandb.sweep(GRID, project="p")
    wandb.agent(sweep_id, function=lambda: wandb.init().log({"loss": 1.0}), project="p", count=2)
    err = capsys.readouterr().err
    assert f"trial 0 of sweep {sweep_id}: batch_size=16, learning_rate=0.1" in err
    assert f"trial 1 of sweep {sweep_id}: batch_size=16, learning_rate=0.01" in err


def test_a_public_run_names_its_sweep(store_dir: Path) -> None:
    sweep_id = wandb.sweep(GRID, project="p")
    wandb.agent(sweep_id, function=lambda: wandb.init().log({"loss": 1.0}), project="p", count=1)
    wandb.init(project="p").finish()  # a run of no sweep
    in_sweep, plain = wandb.Api().runs("p")
    assert in_sweep.sweep_name == sweep_id and in_sweep.sweep is not None
    assert (in_sweep.sweep.id, in_sweep.sweep.config) == (sweep_id, GRID)
    assert [r.id for r in in_sweep.sweep.runs] == [in_sweep.id]
    assert plain.sweep_name is None and plain.sweep is None


def test_agent_without_a_function_runs_the_sweeps_program(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wandb.agent(sweep_id) with no function runs the config's program, as 'wandb agent' does
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))  # the child imports this wbnb
    program = tmp_path / "train.py"
    program.write_text(
        "import wbnb as wandb\n"
        "with wandb.init() as run:\n"
        "    run.log({'loss': run.config.learning_rate * run.config.batch_size})\n"
    )
    sweep_id = wandb.sweep({**GRID, "program": str(program)}, project="p")
    wandb.agent(sweep_id, count=2)
    done = trials(store_dir, "p", sweep_id)
    assert [t.state for t in done] == ["finished"] * 2
    assert [t.value for t in done] == [t.params["learning_rate"] * t.params["batch_size"] for t in done]


def test_a_sweeps_runs_are_named_as_wandb_names_them(store_dir: Path) -> None:
    # wandb's sweep runs read "beautiful-sweep-6": the run's number in the sweep
    sweep_id = wandb.sweep(GRID, project="p")
    names: list[str] = []

    def train() -> None:
        with wandb.init(name="mine" if len(names) == 2 else None) as run:
            names.append(run.name)
            run.log({"loss": 1.0})

    wandb.agent(sweep_id, function=train, project="p", count=3)
    assert re.fullmatch(r"[a-z]+-sweep-1", names[0]) and re.fullmatch(r"[a-z]+-sweep-2", names[1])
    assert names[2] == "mine"  # a name given to init() is kept
    assert [r.name for r in wandb.Api().sweep(f"p/{sweep_id}").runs] == names


def test_a_trial_that_never_logs_the_metric_is_warned_about(store_dir: Path) -> None:
    # wandb's troubleshooting page: logging the metric nested ({"validation": {"val_acc": ...}})
    # leaves the search nothing to go by; wandb's server answers with an error
    sweep_id = wandb.sweep({**GRID, "metric": {"name": "val_acc", "goal": "maximize"}}, project="p")

    def train() -> None:
        with wandb.init() as run:
            run.log({"validation": {"val_acc": 0.5}})

    with pytest.warns(RuntimeWarning, match=r"trial 0 of sweep \w+ finished without logging 'val_acc'"):
        wandb.agent(sweep_id, function=train, project="p", count=1)
    (trial,) = trials(store_dir, "p", sweep_id)
    assert (trial.state, trial.value) == ("finished", None)


def test_a_run_left_open_before_the_agent_does_not_take_the_trials_place(store_dir: Path) -> None:
    # a script that logged a run, then starts an agent: wandb's agent tears the open run
    # down, and each trial's init() opens the trial's run (here init() would return it)
    before = wandb.init(project="p")
    before.log({"a": 1})
    sweep_id = wandb.sweep(GRID, project="p")
    wandb.agent(sweep_id, function=lambda: wandb.log({"loss": wandb.init().config.learning_rate}), count=2)
    assert [t.state for t in trials(store_dir, "p", sweep_id)] == ["finished"] * 2
    assert LocalStore(store_dir).run("p", before.id)["state"] == "finished"


def test_an_entity_given_to_sweep_and_agent_is_the_trials_runs(store_dir: Path) -> None:
    sweep_id = wandb.sweep(GRID, entity="my-team", project="p")
    wandb.agent(sweep_id, function=lambda: wandb.log({"loss": wandb.init().config.learning_rate}), count=1)
    wandb.agent(
        f"my-team/p/{sweep_id}", function=lambda: wandb.log({"loss": wandb.init().config.learning_rate}), count=1
    )
    runs = wandb.Api().runs("my-team/p")
    assert [r.entity for r in runs] == ["my-team"] * 2
    assert len(wandb.Api().sweep(f"my-team/p/{sweep_id}").runs) == 2


@pytest.mark.parametrize(
    ("goal", "target", "ran"), [("minimize", 0.05, 2), ("maximize", 0.1, 1), ("minimize", 0.001, 4)]
)
def test_a_trial_reaching_the_metrics_target_finishes_the_sweep(
    store_dir: Path,
    goal: str,
    target: float,
    ran: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # "The sweep doesn't create new runs when a run reaches a target value" (sweep config keys)
    monkeypatch.delenv("WBNB_SILENT")
    config = {**GRID, "metric": {"name": "loss", "goal": goal, "target": target}}
    sweep_id = wandb.sweep(config, project="p")  # learning_rate 0.1, 0.01, 0.1, 0.01 in grid order
    wandb.agent(sweep_id, function=lambda: wandb.log({"loss": wandb.init().config.learning_rate}), project="p")
    assert len(trials(store_dir, "p", sweep_id)) == ran
    sweep = wandb.Api().sweep(f"p/{sweep_id}")
    assert sweep.state == "FINISHED"
    if ran < 4:
        assert (
            sweep.reason
            == f"trial {ran - 1} reached the metric's target (loss {0.1 if ran == 1 else 0.01:g}, target {target:g})"
        )
        assert "reached the metric's target" in capsys.readouterr().err


def test_a_cli_agents_program_updating_its_config_from_argparse(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the docs' program for 'wandb agent': argparse without type=, wandb.init(), then
    # wandb.config.update(args): the sweep's values (not argparse's strings) stay
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    program = tmp_path / "train.py"
    program.write_text(
        "import argparse, os\n"
        "import wbnb as wandb\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--learning_rate', default=0.001)\n"
        "parser.add_argument('--batch_size', default=8)\n"
        "parser.add_argument('--epochs', type=int, default=2)\n"
        "args = parser.parse_args()\n"
        "wandb.init()\n"
        "assert os.environ['WANDB_SWEEP_ID'] == wandb.run.sweep_id  # programs look for it\n"
        "wandb.config.update(args)\n"
        "for epoch in range(wandb.config.epochs):\n"
        "    wandb.log({'loss': wandb.config.learning_rate * wandb.config.batch_size})\n"
    )
    sweep_id = wandb.sweep({**GRID, "program": str(program)}, project="p")
    assert run_agent(LocalStore(store_dir), f"p/{sweep_id}", count=1) == 0
    (trial,) = trials(store_dir, "p", sweep_id)
    assert trial.state == "finished" and trial.value == 0.1 * 16
    assert LocalStore(store_dir).run("p", trial.run_id)["config"] == {**trial.params, "epochs": 2}


def test_worker_processes_that_clear_wandbs_environment_make_plain_runs(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # wandb's cross-validation example: workers forked before the trial's init() clear
    # WANDB_* (its reset_wandb_env) and log runs of their own, not the trial's
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    program = tmp_path / "cv.py"
    program.write_text(
        "import multiprocessing, os\n"
        "import wbnb as wandb\n"
        "def fold(q):\n"
        "    for k in [k for k in os.environ if k.startswith('WANDB_')]:\n"
        "        del os.environ[k]\n"
        "    q.get()\n"
        "    with wandb.init(name='fold-0') as run:\n"
        "        run.log({'val': 1.0})\n"
        "if __name__ == '__main__':\n"
        "    fork = multiprocessing.get_context('fork')\n"
        "    q = fork.Queue()\n"
        "    worker = fork.Process(target=fold, args=(q,))\n"
        "    worker.start()\n"
        "    with wandb.init() as sweep_run:\n"
        "        q.put(dict(sweep_run.config))\n"
        "        worker.join()\n"
        "        assert worker.exitcode == 0\n"
        "        sweep_run.log({'loss': 0.5})\n"
    )
    sweep_id = wandb.sweep({**GRID, "program": str(program)}, project="p")
    assert run_agent(LocalStore(store_dir), f"p/{sweep_id}", count=1) == 0
    (trial,) = trials(store_dir, "p", sweep_id)
    assert (trial.state, trial.value) == ("finished", 0.5)
    runs = {r.name: r for r in wandb.Api().runs("p")}
    assert runs["fold-0"].sweep_name is None and runs["fold-0"].id != trial.run_id
    assert [r.id for r in wandb.Api().sweep(f"p/{sweep_id}").runs] == [trial.run_id]
