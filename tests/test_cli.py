"""The ``wbnb`` command, on runs logged through the SDK into a real store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import wbnb
from wbnb.cli import main
from wbnb.textout import duration, plain

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runs(store_dir: Path) -> dict[str, str]:
    """Three runs of project ``demo``: name -> id. The last one fails after an alert."""
    ids = {}
    for name, lr in (("alpha", 0.1), ("beta", 0.01)):
        run = wbnb.init(project="demo", name=name, config={"lr": lr, "net": {"depth": 2}}, tags=["base"])
        for i in range(20):
            wbnb.log({"loss": 1.0 / (i + 1) + lr, "val/acc": i * lr})
        wbnb.finish()
        ids[name] = run.id
    with pytest.raises(RuntimeError):
        with wbnb.init(project="demo", name="gamma\x1b[31m", config={"lr": 1.0}) as run:
            wbnb.log({"loss": 9.0})
            run.alert("diverged", "loss went up", level="ERROR")
            raise RuntimeError("boom")
    ids["gamma"] = run.id
    return ids


def test_projects(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    wbnb.init(project="other").finish()
    assert main(["projects"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["project", "runs"]
    assert [line.split() for line in lines[1:]] == [["demo", "3"], ["other", "1"]]


def test_projects_of_an_empty_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["projects", "--dir", str(tmp_path)]) == 0
    assert "no projects" in capsys.readouterr().out


def test_runs_table(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "name", "state", "created", "duration", "loss", "val/acc"]
    assert [line.split()[0] for line in lines[1:]] == [runs["gamma"], runs["beta"], runs["alpha"]]
    assert "failed" in lines[1] and "finished" in lines[2]
    assert "\x1b" not in lines[1] and "gamma\\x1b[31m" in lines[1]  # escape codes shown, not obeyed
    # The columns line up: each header starts where its values start.
    at = lines[0].index("state")
    assert all(line[at:].startswith(("failed", "finished")) for line in lines[1:])
    beta = next(line for line in lines if line.startswith(runs["beta"]))
    assert beta.split()[-2:] == ["0.06", "0.19"]


def test_runs_filter_order_limit(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["runs", "demo", "--filter", '{"config.lr": {"$lt": 0.5}}', "--order", "+config.lr"]
    assert main(args) == 0
    ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert ids == [runs["beta"], runs["alpha"]]
    assert main(["runs", "demo", "--order", "-summary_metrics.val/acc", "--limit", "1"]) == 0
    ids = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:]]
    assert ids == [runs["alpha"]]


def test_runs_of_an_empty_project(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "nothing"]) == 0
    assert "no runs in project nothing" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["runs", "demo", "--filter", "{not json"], "--filter is not valid JSON"),
        (["runs", "demo", "--filter", "[1]"], "--filter must be a JSON object"),
        (["runs", "demo", "--filter", '{"lr": {"$near": 1}}'], "unknown filter operator '$near'"),
        (["show", "demo/nope"], "no run demo/nope"),
        (["show", "a/b/c/d"], "is not"),
        (["runs", "bad:name"], "not valid"),
    ],
)
def test_errors_are_one_line(
    runs: dict[str, str], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("wbnb: ") and message in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_show(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", f"demo/{runs['alpha']}"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"alpha (demo/{runs['alpha']})  finished\n")
    for text in (
        "created",
        "duration",
        "tags      base",
        "Config:",
        "lr         0.1",
        "net.depth  2",
        "Run history:",
        "Run summary:",
        "val/acc",
        "1.9",
    ):
        assert text in out, text
    assert any(c in out for c in "▁▂▃▄▅▆▇█")


def test_show_failed_run_with_alert_and_exception(runs: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", f"demo/{runs['gamma']}"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "failed" in out.splitlines()[0]
    assert "alert [ERROR] diverged: loss went up" in out
    assert "exception RuntimeError: boom" in out


def test_show_with_entity_and_system_sample(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from wbnb.store.local import LocalStore

    writer = LocalStore(store_dir).open_run(
        "p", "r1", {"id": "r1", "project": "p", "entity": "ana", "created_at": 100.0}, None
    )
    writer.log_system(101.0, 1.0, {"system/cpu_percent": 42.5})
    writer.close("finished")
    assert main(["show", "ana/p/r1"]) == 0
    out = capsys.readouterr().out
    assert "System (last sample):" in out and "system/cpu_percent  42.5" in out


def test_helpers() -> None:
    assert [duration(s) for s in (None, 9.7, 252, 11_100, -3)] == ["-", "9s", "4m12s", "3h05m", "0s"]
    assert plain("a\nb\x1b[0m") == "a\\nb\\x1b[0m"


def test_runs_as_a_module(runs: dict[str, str], store_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "runs", "demo", "--dir", str(store_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert runs["alpha"] in out.stdout and runs["beta"] in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "show", "demo/missing", "--dir", str(store_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("wbnb: no run demo/missing")


def test_runs_lists_a_run_with_a_damaged_run_json_as_damaged(
    runs: dict[str, str], store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = store_dir / "projects" / "demo" / runs["beta"] / "run.json"
    path.write_text('{"id": "cut sh')
    assert main(["runs", "demo"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in runs.values()}
    assert set(lines) == set(runs.values())
    assert "finished" in lines[runs["alpha"]] and "failed" in lines[runs["gamma"]]
    assert "damaged" in lines[runs["beta"]]
    assert f"{runs['beta']}: {path} is damaged" in out  # the reason, naming the file
    assert main(["projects"]) == 0 and "demo" in capsys.readouterr().out
