"""``Api().sweep(path)`` / ``Api().sweeps(project)``: sweeps made in a real store's book,
their trials run as SDK runs, read back as wandb's public ``Sweep``."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import wbnb
from wbnb.api import Api, Run
from wbnb.api_sweeps import Sweep, book_of, order_key
from wbnb.sweeps.records import SweepNotFound, TrialRecord

GRID: dict[str, Any] = {
    "method": "grid",
    "name": "lr-grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"lr": {"values": [0.1, 0.01, 0.001]}, "opt": {"parameters": {"name": {"value": "sgd"}}}},
}


def make_sweep(config: Mapping[str, Any] = GRID, project: str = "p", **kwargs: Any) -> str:
    return book_of(Api().store).create(project, config, **kwargs).id


def run_trials(sweep_id: str, count: int, loss: Callable[[Any], float | None], project: str = "p") -> list[TrialRecord]:
    """Run ``count`` trials with ``wbnb.agent``, each logging ``loss(config)`` (nothing for
    None); returns their trials."""

    def train() -> None:
        run = wbnb.init()
        value = loss(run.config)
        if value is not None:
            run.log({"loss": value})

    wbnb.agent(f"{project}/{sweep_id}", function=train, count=count)
    return book_of(Api().store).trials(project, sweep_id)[-count:]


def test_a_sweep_reads_back_with_wandbs_fields(store_dir: Path) -> None:
    sweep_id = make_sweep()
    sweep = Api({"project": "p"}).sweep(sweep_id)  # the default project
    assert isinstance(sweep, Sweep)
    assert (sweep.id, sweep.project, sweep.name, sweep.state) == (sweep_id, "p", "lr-grid", "RUNNING")
    assert sweep.config == GRID  # as given
    sweep.config["method"] = "random"  # a copy: changing it changes nothing
    assert Api().sweep(f"p/{sweep_id}").config == GRID
    assert sweep.expected_run_count == 3
    assert sweep.path == [sweep.entity, "p", sweep_id]
    assert repr(sweep) == f"<Sweep {'/'.join(sweep.path)} (RUNNING)>"
    assert sweep.url.startswith("file://") and sweep.url.endswith(f"/projects/p/sweeps/{sweep_id}")
    assert sweep.created_at is not None and sweep.created_at[:2] == "20"
    assert sweep.trials == [] and list(sweep.runs) == [] and sweep.best_run() is None and sweep.best_loss is None
    # Every path form wandb takes.
    for path in (f"p/{sweep_id}", f"{sweep.entity or 'me'}/p/{sweep_id}"):
        assert Api().sweep(path).id == sweep_id


def test_names(store_dir: Path) -> None:
    assert Api().sweep("p/" + make_sweep(name="mine")).name == "mine"
    unnamed = {k: v for k, v in GRID.items() if k != "name"}
    sweep_id = make_sweep(unnamed)
    assert Api().sweep(f"p/{sweep_id}").name == sweep_id


def test_runs_are_the_trials_runs_only(store_dir: Path) -> None:
    sweep_id = make_sweep()
    other = make_sweep()
    trials = run_trials(sweep_id, 2, lambda params: params["lr"])
    run_trials(other, 1, lambda params: params["lr"])
    wbnb.init(project="p", config={"lr": 0.5}).finish()  # a run in no sweep
    sweep = Api().sweep(f"p/{sweep_id}")
    runs = sweep.runs
    assert all(isinstance(r, Run) for r in runs)
    assert [r.id for r in runs] == [t.run_id for t in trials]  # oldest first
    assert [r.config for r in runs] == [t.params for t in trials]
    assert [r.id for r in Api().runs("p", filters={"sweep": sweep_id})] == [t.run_id for t in trials]
    assert [t.seq for t in sweep.trials] == [0, 1] and sweep.trial_count == 2
    assert [t.value for t in sweep.trials] == [0.1, 0.01]


def test_best_run_by_the_metric_and_its_goal(store_dir: Path) -> None:
    sweep_id = make_sweep()
    trials = run_trials(sweep_id, 3, lambda params: abs(params["lr"] - 0.01))  # 0.09, 0.0, 0.009
    sweep = Api().sweep(f"p/{sweep_id}")
    assert sweep.order == "+summary_metrics.loss"
    assert sweep.best_run().id == trials[1].run_id and sweep.best_loss == 0.0
    # wandb's order keys: a bare key is descending, a run column stays as it is.
    assert sweep.best_run(order="loss").id == trials[0].run_id
    assert sweep.best_run(order="+loss").id == trials[1].run_id
    assert sweep.best_run(order="-config.lr").id == trials[0].run_id
    assert sweep.best_run(order="+created_at").id == trials[0].run_id

    maximize = copy.deepcopy(GRID)
    maximize["metric"]["goal"] = "maximize"
    sweep_id = make_sweep(maximize)
    trials = run_trials(sweep_id, 3, lambda params: abs(params["lr"] - 0.01))
    sweep = Api().sweep(f"p/{sweep_id}")
    assert sweep.order == "-summary_metrics.loss"
    assert sweep.best_run().id == trials[0].run_id and sweep.best_loss == pytest.approx(0.09)


def test_best_run_without_a_metric_is_the_latest_with_a_warning(
    store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = {k: v for k, v in GRID.items() if k != "metric"}
    sweep_id = make_sweep(config)
    trials = run_trials(sweep_id, 2, lambda params: params["lr"])
    capsys.readouterr()
    sweep = Api().sweep(f"p/{sweep_id}")
    assert sweep.order is None and sweep.best_loss is None
    assert sweep.best_run().id == trials[-1].run_id
    assert "names no metric" in capsys.readouterr().err


def test_best_run_puts_runs_without_the_metric_last(store_dir: Path) -> None:
    sweep_id = make_sweep()
    with pytest.warns(RuntimeWarning, match="finished without logging 'loss'"):
        trials = run_trials(sweep_id, 2, lambda config: None if config["lr"] == 0.1 else 5.0)
    assert Api().sweep(f"p/{sweep_id}").best_run().id == trials[1].run_id


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, 3),
        ({"run_cap": 2}, 2),
        ({"run_cap": 10}, 3),
        ({"method": "random"}, None),
        ({"method": "random", "run_cap": 5}, 5),
        ({"method": "bayes"}, None),
    ],
)
def test_expected_run_count(store_dir: Path, changes: dict[str, Any], expected: int | None) -> None:
    config = {**GRID, "parameters": {"lr": {"values": [0.1, 0.01, 0.001]}}, **changes}
    assert Api().sweep("p/" + make_sweep(config)).expected_run_count == expected


def test_a_missing_sweep_raises_wandbs_value_error_naming_what_exists(store_dir: Path) -> None:
    with pytest.raises(
        ValueError, match="could not find sweep 'nosuch12' in project 'uncategorized'; it has no sweeps"
    ):
        Api().sweep("nosuch12")
    sweep_id = make_sweep()
    with pytest.raises(SweepNotFound, match=f"its sweeps: {sweep_id}"):
        Api().sweep("p/nosuch12")
    with pytest.raises(SweepNotFound):
        Api().sweep(f"other/{sweep_id}")  # another project's
    with pytest.raises(ValueError, match="a sweep is named ID, project/ID or entity/project/ID"):
        Api().sweep("a/b/c/d")


def test_sweeps_lists_a_projects_sweeps_oldest_first(store_dir: Path) -> None:
    ids = [make_sweep(), make_sweep(name="second")]
    make_sweep(project="other")
    assert [s.id for s in Api().sweeps("p")] == ids
    assert [s.id for s in Api({"project": "p"}).sweeps()] == ids  # the default project
    assert [s.name for s in Api().sweeps("p")] == ["lr-grid", "second"]
    assert Api().sweeps("empty") == []


def test_set_state_is_read_back(store_dir: Path) -> None:
    sweep = Api().sweep("p/" + make_sweep())
    sweep.set_state("PAUSED")
    assert sweep.state == "PAUSED" and Api().sweep(f"p/{sweep.id}").state == "PAUSED"
    sweep.set_state("RUNNING")
    assert Api().sweep(f"p/{sweep.id}").state == "RUNNING"
    Api().sweep(f"p/{sweep.id}").set_state("FINISHED")  # another reader's change
    assert sweep.state == "RUNNING"
    sweep.refresh()
    assert sweep.state == "FINISHED"


@pytest.mark.parametrize(
    ("order", "key"),
    [
        ("loss", "-summary_metrics.loss"),
        ("+loss", "+summary_metrics.loss"),
        ("-val.acc", "-summary_metrics.val.acc"),
        ("+config.lr", "+config.lr"),
        ("summary_metrics.acc", "-summary_metrics.acc"),
        ("+createdAt", "+createdAt"),
    ],
)
def test_order_keys_as_wandb_reads_them(order: str, key: str) -> None:
    assert order_key(order) == key


def test_the_api_and_the_command_load_the_sweeps_engine_only_for_a_sweep() -> None:
    code = "import sys, wbnb.api, wbnb.cli; print(sorted(m for m in ('numpy', 'wbnb.sweeps') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
