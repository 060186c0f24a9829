"""``wbnb sweep``, ``wbnb sweeps`` and ``wbnb agent`` on a real store's sweep book."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_api_sweeps import run_trials
from wbnb.api import Api
from wbnb.cli import main

ROOT = Path(__file__).resolve().parents[1]

YAML = """\
name: lr-grid
method: grid
metric:
  name: loss
  goal: minimize
parameters:
  lr:
    values: [0.1, 0.01, 0.001]
  layers:
    value: 2
"""


def create(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str, text: str = YAML) -> str:
    """``wbnb sweep sweep.yaml ARGS``; returns the new sweep's id."""
    config = tmp_path / "sweep.yaml"
    config.write_text(text)
    assert main(["sweep", str(config), *args]) == 0
    found = re.search(r"with ID: ([a-z0-9]{8})$", capsys.readouterr().out, re.MULTILINE)
    assert found is not None
    return found.group(1)


def test_sweep_yaml_creates_the_sweep_and_prints_the_agent_command(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sweep.yaml"
    config.write_text(YAML)
    assert main(["sweep", str(config), "--project", "cli"]) == 0
    out = capsys.readouterr().out.splitlines()
    sweep_id = out[0].rsplit(" ", 1)[-1]
    assert out[0] == f"wbnb: Created sweep lr-grid from {config} with ID: {sweep_id}"
    assert re.fullmatch(r"wbnb: View sweep at: file://.*/projects/cli/sweeps/" + sweep_id, out[1])
    assert out[2] == f"wbnb: Run sweep agent with: wbnb agent cli/{sweep_id}"
    sweep = Api().sweep(f"cli/{sweep_id}")
    assert sweep.state == "RUNNING" and sweep.config["parameters"]["lr"] == {"values": [0.1, 0.01, 0.001]}


def test_project_and_name(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_id = create(tmp_path, capsys, "--name", "first try")
    sweep = Api().sweep(sweep_id)  # the default project
    assert (sweep.project, sweep.name) == ("uncategorized", "first try")
    sweep_id = create(tmp_path, capsys, text=YAML + "project: from-config\n")
    assert Api().sweep(f"from-config/{sweep_id}").project == "from-config"
    sweep_id = create(tmp_path, capsys, "--project", "flag", text=YAML + "project: from-config\n")
    assert Api().sweep(f"flag/{sweep_id}").project == "flag"  # the flag wins, as wandb's


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("  lr:\n    min: 0.5\n    max: 0.1\n", "parameters.lr.max"),
        ("  lr:\n    distribution: gaussian\n    min: 0\n    max: 1\n", "parameters.lr.distribution"),
    ],
)
def test_a_bad_config_exits_1_naming_the_field(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str, field: str
) -> None:
    config = tmp_path / "sweep.yaml"
    config.write_text("method: random\nparameters:\n" + bad)
    assert main(["sweep", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"wbnb: {config}: {field}: ")
    assert Api().sweeps() == []


def test_a_missing_config_file_exits_1(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "nowhere.yaml"]) == 1
    assert "nowhere.yaml" in capsys.readouterr().err


def test_pause_resume_stop_cancel_change_the_state(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep_id = create(tmp_path, capsys, "--project", "cli")
    path = f"cli/{sweep_id}"
    for flag, state in (("--pause", "PAUSED"), ("--resume", "RUNNING"), ("--stop", "FINISHED")):
        assert main(["sweep", flag, path]) == 0
        assert capsys.readouterr().out.endswith(f"({state})\n")
        assert Api().sweep(path).state == state
    sweep_id = create(tmp_path, capsys, "--project", "cli")
    assert main(["sweep", "--cancel", sweep_id, "--project", "cli"]) == 0
    assert "agents stop the running ones (CANCELED)" in capsys.readouterr().out
    assert Api().sweep(f"cli/{sweep_id}").state == "CANCELED"
    # A canceled sweep stays canceled; a sweep that is not there is named.
    assert main(["sweep", "--resume", f"cli/{sweep_id}"]) == 1
    assert "is canceled: it cannot be resumed" in capsys.readouterr().err
    assert main(["sweep", "--pause", "cli/nosuch12"]) == 1
    assert "could not find sweep 'cli/nosuch12'" in capsys.readouterr().err
    # the docs' 'wandb agent SWEEP_ID' for a sweep made in another project: named, with the way to name it
    assert main(["agent", sweep_id]) == 1
    err = capsys.readouterr().err
    assert f"could not find sweep '{sweep_id}' in project 'uncategorized'" in err and "PROJECT/ID" in err


def test_one_control_flag_at_a_time(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["sweep", "--pause", "--cancel", "abc12345"])
    assert exit.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_sweeps_lists_id_name_state_trials_best(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweeps", "--project", "cli"]) == 0
    assert "no sweeps in project cli" in capsys.readouterr().out
    first = create(tmp_path, capsys, "--project", "cli")
    second = create(tmp_path, capsys, "--project", "cli", "--name", "random one", text=YAML.replace("grid", "random"))
    run_trials(first, 2, lambda params: params["lr"] * 10, project="cli")
    main(["sweep", "--pause", f"cli/{second}"])
    capsys.readouterr()
    assert main(["sweeps", "--project", "cli"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "state", "method", "trials", "best", "created"]
    assert lines[1].split()[:7] == [first, "lr-grid", "RUNNING", "grid", "2/3", "loss", "0.1"]
    assert lines[2].split()[:7] == [second, "random", "one", "PAUSED", "random", "0", "-"]


def test_agent_runs_the_sweeps_program(store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train.py").write_text(
        "import wbnb\nrun = wbnb.init()\nrun.log({'loss': run.config.lr * run.config.layers})\nrun.finish()\n"
    )
    sweep_id = create(tmp_path, capsys, "--project", "cli", text=YAML + f"program: {tmp_path / 'train.py'}\n")
    assert main(["agent", sweep_id, "--project", "cli", "--count", "2"]) == 0
    sweep = Api().sweep(f"cli/{sweep_id}")
    assert [(r.state, r.config["lr"]) for r in sweep.runs] == [("finished", 0.1), ("finished", 0.01)]
    assert sweep.best_run().summary["loss"] == pytest.approx(0.02)
    assert main(["sweeps", "--project", "cli"]) == 0
    assert "2/3" in capsys.readouterr().out


def test_the_commands_run_from_a_shell(store_dir: Path, tmp_path: Path) -> None:
    config = tmp_path / "sweep.yaml"
    config.write_text(YAML)
    wbnb = [sys.executable, "-m", "wbnb.cli"]
    out = subprocess.run([*wbnb, "sweep", str(config)], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "Run sweep agent with: wbnb agent uncategorized/" in out
    usage = subprocess.run([*wbnb, "agent", "--help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert usage.startswith("usage: wbnb agent") and "--count N" in usage
