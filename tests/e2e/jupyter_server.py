"""Start a JupyterLab server on 127.0.0.1 and drive notebooks in it (tests, benchmarks);
``server_process`` runs any such server (marimo's too)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat

from tests.waiting import wait_for

TOKEN = "wbnb-e2e-token"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server_process(
    name: str, args: list[str], ready: str, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Iterator[None]:
    """Run a server command (``args``, its stderr in ``log``) until the ``ready`` URL
    answers (at most 120 s), and stop it when the block ends."""
    out = open(log, "wb")
    proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=cwd, stdout=subprocess.DEVNULL, stderr=out)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(ready, timeout=2)
                break
            except OSError as e:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{name} did not start: " + log.read_text()[-2000:]) from e
                time.sleep(0.5)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


@contextlib.contextmanager
def jupyter_server(root: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()) -> Iterator[str]:
    """A JupyterLab (with Notebook 7) server serving ``root``, with more command-line
    ``args``; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--allow-root",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={root}",
        *args,
    ]
    with server_process("JupyterLab", command, f"{base}/api/status?token={TOKEN}", root / "server.log", env):
        yield base


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells with the python3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def wait_kernel_idle(base: str, name: str, timeout: float = 120) -> None:
    """Until the notebook's kernel is up, idle and connected to the page (its websocket):
    keys pressed before that are lost."""

    def ready() -> bool:
        with urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}", timeout=5) as r:
            sessions = json.load(r)
        return any(
            s["path"].endswith(name) and s["kernel"]["execution_state"] == "idle" and s["kernel"]["connections"] > 0
            for s in sessions
        )

    wait_for(ready, timeout, f"the kernel of {name} to be idle and connected to the page")


def open_notebook(page: Any, base: str, name: str, app: str = "lab") -> None:
    """Open ``name`` in JupyterLab (``app="lab"``) or Notebook 7 (``"notebooks"``),
    wait for its kernel, and put the cursor in the first cell."""
    page.goto(f"{base}/{app}/{'tree/' if app == 'lab' else ''}{name}?token={TOKEN}")
    # JupyterLab reopens earlier notebooks as background tabs: only the visible cells count.
    first_cell = page.locator(".jp-Notebook .jp-Cell .cm-content:visible").first
    first_cell.wait_for(timeout=120_000)
    wait_kernel_idle(base, name)
    first_cell.click()


def output_has(page: Any, text: str) -> bool:
    """Whether any cell output (not the code) contains ``text``."""
    return page.locator(".jp-OutputArea-output", has_text=text).count() > 0


def run_cell(page: Any, marker: str, timeout: float = 300) -> None:
    """Run the cell under the cursor (moving to the next) and wait for ``marker`` in an output."""
    page.keyboard.press("Shift+Enter")
    wait_for(lambda: output_has(page, marker), timeout, f"{marker!r} in the outputs")


def wait_file(path: Path, timeout: float = 900) -> None:
    """Until ``path`` exists (a kernel writes it when a cell is done)."""
    wait_for(path.exists, timeout, f"the kernel to write {path.name}")


def rerun_until(page: Any, index: int, done: Callable[[str], bool], timeout: float = 120) -> str:
    """Run code cell ``index`` (from 0) again and again until its output text satisfies
    ``done``, and return that text. For state that reaches the kernel as widget messages:
    the page holds one back while an earlier one is unanswered, so a cell run once can
    overtake it."""
    cell = page.locator(".jp-Notebook:visible .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt")
    out = ""

    def ran_and_done() -> bool:
        nonlocal out
        before = prompt.inner_text()
        cell.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")  # runs the cell, the cursor stays
        wait_for(lambda: prompt.inner_text() not in (before, "[*]:"), 60, f"cell {index} to run")
        out = cell.locator(".jp-OutputArea").inner_text()
        return done(out)

    try:
        wait_for(ran_and_done, timeout, f"cell {index}'s output to be as expected")
    except AssertionError as e:
        raise AssertionError(f"{e}; its last output: {out!r}") from None
    return out
