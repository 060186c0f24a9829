"""%load_ext wbnb, the magics and the cell hooks, in a real kernel (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from wbnb.jupyter.magics import parse_config
from wbnb.store.local import LocalStore


def run_cells(workdir: Path, *sources: str) -> list[nbformat.NotebookNode]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(workdir)}}
    ).execute()
    return nb.cells


def text(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") + o.get("ename", "") + o.get("evalue", "") for o in cell.get("outputs", []))


SETUP = """
import os
os.environ.update(WBNB_SYSTEM_INTERVAL="0", WBNB_CONSOLE="0")
import wbnb
%load_ext wbnb
"""


def test_cell_magic_runs_the_cell_in_a_run(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "%%wbnb --project cells --name ok --config lr=1e-3 opt=adam layers=[1,2]\n"
        "for i in range(5):\n    wbnb.log({'loss': 1 / (i + 1)})",
        "%%wbnb --project cells --name broken\nwbnb.log({'x': 1})\nraise ValueError('boom')",
        "print(wbnb.run)",
    )
    store = LocalStore(tmp_path / "wbnb-runs")
    runs = {m["name"]: m for m in store.runs("cells")}
    assert runs["ok"]["state"] == "finished" and runs["ok"]["config"] == {"lr": 0.001, "opt": "adam", "layers": [1, 2]}
    assert runs["ok"]["summary"]["loss"] == 0.2
    assert runs["broken"]["state"] == "failed"
    events, _ = store.records("cells", runs["broken"]["id"], "events")
    assert any(e["kind"] == "exception" and e["message"] == "boom" for e in events)
    assert "ValueError" in text(cells[2]) and text(cells[3]).strip() == "None"


def test_bad_arguments_print_usage_not_a_traceback(tmp_path: Path) -> None:
    cells = run_cells(tmp_path, SETUP, "%wbnb bogus", "%wbnb show", "%%wbnb --nope\npass", "%wbnb")
    for cell in cells[1:]:
        out = text(cell)
        assert (
            "%wbnb show RUN" in out
            and "Traceback" not in out
            and not any(o.output_type == "error" for o in cell.outputs)
        )
    assert "unknown command 'bogus'" in text(cells[1])
    assert "there is no current run" in text(cells[4])


def test_cell_errors_and_interrupts_leave_the_run_open_and_recorded(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "run = wbnb.init(project='nb')\nwbnb.log({'a': 1})",
        "raise RuntimeError('cell failed')",
        "raise KeyboardInterrupt",
        "wbnb.log({'a': 2})\nprint(run.state)",
        "wbnb.finish()",
    )
    assert text(cells[4]).strip().endswith("running")  # the run outlived both failures
    store = LocalStore(tmp_path / "wbnb-runs")
    (meta,) = store.runs("nb")
    assert meta["state"] == "finished" and meta["summary"]["a"] == 2
    kinds = [(e["kind"], e.get("type")) for e in store.records("nb", meta["id"], "events")[0]]
    assert ("exception", "RuntimeError") in kinds and ("exception", "KeyboardInterrupt") in kinds


def test_parse_config_literals_and_strings() -> None:
    assert parse_config(["lr=1e-3", "name=resnet", "flag=True", "s='x y'"]) == {
        "lr": 0.001,
        "name": "resnet",
        "flag": True,
        "s": "x y",
    }


def widget_views(cell: nbformat.NotebookNode) -> int:
    return sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.get("outputs", []))


def test_init_shows_the_live_panel_and_a_run_displays_itself(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "run = wbnb.init(project='panel')\nfor i in range(3):\n    wbnb.log({'loss': 1 / (i + 1)})",
        "run",
        "quiet = wbnb.init(project='panel', settings={'live_panel': False}, reinit='create_new')",
        "quiet.finish(); run.finish()",
    )
    assert widget_views(cells[1]) == 1 and "wbnb show panel/" in text(cells[1])
    assert widget_views(cells[2]) == 1
    assert widget_views(cells[3]) == 0


def test_kernel_shutdown_finishes_open_runs(tmp_path: Path) -> None:
    run_cells(tmp_path, SETUP, "run = wbnb.init(project='left-open')\nwbnb.log({'a': 1})")
    (meta,) = LocalStore(tmp_path / "wbnb-runs").runs("left-open")  # the kernel has shut down
    assert meta["state"] == "finished" and meta["summary"]["a"] == 1


def test_colab_says_how_to_keep_runs(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path, SETUP, "os.environ['COLAB_RELEASE_TAG'] = 'test'\nrun = wbnb.init(project='c')", "run.finish()"
    )
    assert "mount Google Drive" in text(cells[1]) and "WBNB_DIR" in text(cells[1])


def test_saved_notebook_keeps_a_static_picture_of_the_final_curves(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "run = wbnb.init(project='static', name='<b>run</b>')\n"
        "for i in range(50):\n    wbnb.log({'train/loss': 1 / (i + 1), '<img src=x onerror=alert(1)>': i})",
        "wbnb.finish()",
    )
    outs = cells[1].outputs
    (i,) = [k for k, o in enumerate(outs) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert "image/svg+xml" not in outs[i]["data"]  # the live widget; its picture is the next output
    svg = outs[i + 1]["data"]["image/svg+xml"]
    # finish() replaced the picture taken at init (no points yet) with the final one.
    assert svg.count("<polyline") == 2 and "train/loss" in svg and "step 0" in svg and ">49<" in svg
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg and "&lt;b&gt;run&lt;/b&gt;" in svg


def test_init_again_in_a_notebook_finishes_the_previous_run(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "a = wbnb.init(project='again')",
        "b = wbnb.init(project='again')",
        "print(a.state, b.state, wbnb.run is b)",
        "b.finish()",
    )
    assert text(cells[3]).strip() == "finished running True"


def test_runs_magic_shows_the_run_table(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "for lr in (0.1, 0.01):\n"
        "    with wbnb.init(project='grid', config={'lr': lr}, settings={'live_panel': False}):\n"
        "        wbnb.log({'acc': lr * 5})",
        "%wbnb runs grid --filter 'config.lr < 0.05' --sort -summary.acc",
        "%wbnb runs grid --bogus",
    )
    assert widget_views(cells[2]) == 1 and "Traceback" not in text(cells[2])
    assert "%wbnb runs [PROJECT]" in text(cells[3]) and widget_views(cells[3]) == 0


def test_sweep_magic_shows_the_sweep_panel(tmp_path: Path) -> None:
    cells = run_cells(
        tmp_path,
        SETUP,
        "config = {'method': 'grid', 'metric': {'name': 'acc', 'goal': 'maximize'},\n"
        "          'parameters': {'lr': {'values': [0.1, 0.01, 0.001]}}}\n"
        "def train():\n"
        "    run = wbnb.init()\n"
        "    run.log({'acc': 1 - run.config.lr})\n"
        "sid = wbnb.sweep(config, project='nb')\n"
        "wbnb.agent(f'nb/{sid}', function=train, count=2)",
        "%wbnb sweep nb/{sid}",
        "%wbnb sweep nb/nosuch12",
        "%wbnb sweep",
    )
    assert widget_views(cells[2]) == 1 and "Traceback" not in text(cells[2])
    missing = text(cells[3])
    assert "nosuch12" in missing and "%wbnb sweep SWEEP" in missing and "Traceback" not in missing
    assert "sweep takes one sweep" in text(cells[4]) and widget_views(cells[4]) == 0
