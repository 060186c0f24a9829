"""``define_metric(summary=...)`` makes the summary hold what wandb stores: ``{"acc": {"max": 0.9}}``.

Checked on the live run, on the stored run, on a crashed run's rebuilt summary, through
``Api().runs`` filters and ordering, the run table widget, the panel, the CLI and the
end-of-run table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import wbnb
from wbnb.cli import main
from wbnb.widgets.table import run_row

ROOT = Path(__file__).resolve().parents[1]


def _log_rules(run: wbnb.Run) -> None:
    run.define_metric("acc", summary="max")
    run.define_metric("loss", summary="min,max")
    run.define_metric("lr", summary="last")
    run.define_metric("first", summary="first")
    run.define_metric("mean", summary="mean")
    run.define_metric("err", summary="best", goal="minimize")
    run.define_metric("copied", summary="copy")
    run.define_metric("gone", summary="none")
    run.define_metric("val/*", summary="min")
    run.define_metric("val/own")  # the exact name wins over val/*: plain, as in wandb
    for acc, loss in ((0.5, 3.0), (0.9, 1.0), (0.7, 2.0)):
        run.log(
            {
                "acc": acc,
                "loss": loss,
                "lr": loss / 10,
                "first": acc,
                "mean": loss,
                "err": loss,
                "copied": acc,
                "gone": 1,
                "val/loss": loss,
                "val/own": loss,
                "plain": acc,
            }
        )


EXPECTED = {
    "acc": {"max": 0.9},
    "loss": {"min": 1.0, "max": 3.0},
    "lr": {"last": pytest.approx(0.2)},
    "first": {"first": 0.5},
    "mean": {"mean": 2.0},
    "err": {"best": 1.0},
    "copied": 0.7,
    "val/loss": {"min": 1.0},
    "val/own": 2.0,
    "plain": 0.7,
}


def test_the_summary_has_wandb_shape_live_and_stored(store_dir: Path) -> None:
    run = wbnb.init(project="shape")
    _log_rules(run)
    assert run.summary["acc"] == {"max": 0.9} and run.summary.loss == {"min": 1.0, "max": 3.0}
    assert "gone" not in run.summary
    run.finish()
    stored = wbnb.Api().run(f"shape/{run.id}").summary
    assert {k: v for k, v in stored.items() if not k.startswith("_")} == EXPECTED


def test_a_crashed_run_rebuilds_the_same_shape(store_dir: Path) -> None:
    script = textwrap.dedent(
        """
        import os, wbnb
        run = wbnb.init(project="shape", id="crash")
        run.define_metric("acc", summary="max")
        run.define_metric("loss", summary="min,max")
        for acc, loss in ((0.5, 3.0), (0.9, 1.0), (0.7, 2.0)):
            run.log({"acc": acc, "loss": loss})
        os._exit(1)  # no finish: a reader finds the run dead and rebuilds its summary
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script], env=env, check=False, timeout=120)
    run = wbnb.Api().run("shape/crash")
    assert run.state == "crashed"
    assert run.summary["acc"] == {"max": 0.9} and run.summary["loss"] == {"min": 1.0, "max": 3.0}


def _three_runs() -> dict[str, str]:
    ids = {}
    for name, best in (("low", 0.4), ("high", 0.9), ("mid", 0.6)):
        run = wbnb.init(project="rank", name=name)
        run.define_metric("acc", summary="max")
        run.log({"acc": best})
        run.log({"acc": 0.1})
        run.finish()
        ids[name] = run.id
    return ids


def test_filters_and_ordering_reach_the_aggregation(store_dir: Path) -> None:
    _three_runs()
    api = wbnb.Api()
    ordered = api.runs("rank", order="-summary_metrics.acc.max")
    assert [r.name for r in ordered] == ["high", "mid", "low"]
    picked = api.runs("rank", filters={"summary_metrics.acc.max": {"$gte": 0.6}}, order="+summary_metrics.acc.max")
    assert [r.name for r in picked] == ["mid", "high"]


def test_the_cli_shows_acc_max(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _three_runs()
    assert main(["runs", "rank", "--order", "-summary_metrics.acc.max"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "acc.max"
    assert [line.split()[-1] for line in lines[1:]] == ["0.9", "0.6", "0.4"]
    assert main(["show", f"rank/{ids['high']}"]) == 0
    out = capsys.readouterr().out
    assert any(line.split() == ["acc.max", "0.9"] for line in out.splitlines()), out
    assert "{'max'" not in out


def test_the_end_of_run_table_shows_acc_max(store_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WBNB_SILENT", "0")
    run = wbnb.init(project="shape")
    run.define_metric("acc", summary="min,max")
    run.log({"acc": 0.5})
    run.log({"acc": 0.9})
    run.finish()
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines if "acc." in line] == [["acc.max", "0.9"], ["acc.min", "0.5"]]


def test_the_run_table_has_a_column_per_aggregation(store_dir: Path) -> None:
    _three_runs()
    (meta,) = [r.meta for r in wbnb.Api().runs("rank") if r.name == "high"]
    row = run_row(meta)
    assert row["summary.acc.max"] == 0.9 and "summary.acc" not in row


def test_the_panel_finds_media_under_an_aggregation(store_dir: Path) -> None:
    from wbnb.widgets import Gallery, RunPanel

    run = wbnb.init(project="shape")
    run.define_metric("samples", summary="last")
    run.log({"samples": [wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8))]})
    run.finish()
    assert wbnb.Api().run(f"shape/{run.id}").summary["samples"]["last"][0]["_type"] == "image"
    panel = RunPanel(f"shape/{run.id}")
    assert any(isinstance(part, Gallery) for part in panel.parts.values())
