"""Runs across a real kernel's life: a failing cell is shown in the open run's panel, and
a kernel killed mid-run (OOM killer, "kill -9") leaves its runs ``crashed`` with every
step log() had returned from."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

from wbnb.api import Api

STEPS = 1500


def test_killed_kernel_leaves_its_runs_crashed_with_all_acknowledged_steps(tmp_path: Path) -> None:
    env = {**os.environ, "WBNB_DIR": str(tmp_path / "runs"), "WBNB_CONSOLE": "0", "WBNB_SYSTEM_INTERVAL": "0"}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        reply = kc.execute_interactive(
            "import wbnb\n"
            "a = wbnb.init(project='k', id='first')\n"
            "b = wbnb.init(project='k', id='second', reinit='create_new')\n"
            f"for i in range({STEPS}):\n"
            "    a.log({'i': i})\n"
            "    b.log({'j': -i})\n"
            "print('logged', flush=True)",
            timeout=120,
        )
        assert reply["content"]["status"] == "ok"
        # Killed with no chance to run atexit or shutdown hooks.
        os.kill(km.provisioner.process.pid, signal.SIGKILL)
        km.provisioner.process.wait()
    finally:
        kc.stop_channels()
        km.cleanup_resources()

    api = Api({"dir": str(tmp_path / "runs")})
    first, second = api.run("k/first"), api.run("k/second")
    assert (first.state, second.state) == ("crashed", "crashed")
    assert [row["i"] for row in first.scan_history()] == list(range(STEPS))
    assert [row["j"] for row in second.scan_history()] == [-i for i in range(STEPS)]


def test_a_failing_cell_is_shown_in_the_open_runs_panel(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(src)
        for src in (
            "import os\nos.environ.update(WBNB_SYSTEM_INTERVAL='0', WBNB_CONSOLE='0')\nimport wbnb\n%load_ext wbnb",
            "run = wbnb.init(project='nb')\nwbnb.log({'a': 1})",
            "raise RuntimeError('<b>cell failed</b>')",
            "wbnb.log({'a': 2})",
            "wbnb.finish()",
        )
    ]
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (header,) = [m["state"]["value"] for m in state.values() if "wbnb-run-header" in str(m["state"].get("value", ""))]
    assert "RuntimeError: &lt;b&gt;cell failed&lt;/b&gt; (the run stays open)" in header and "finished" in header
