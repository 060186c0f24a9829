"""A sweep on a ``wbnb server`` made, run, controlled and read back from the client side:
``wbnb sweep`` / ``sweeps``, ``wbnb.agent`` logging through the server, ``Api().sweep``
over the server's book and runs (the server's book on each backend is
``test_sweeps.py``'s)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import wbnb
from tests.test_cli_sweeps import YAML
from wbnb.api import Api
from wbnb.cli import main

from .serverproc import ServerProcess, make_key

QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerProcess]:
    """A server; this process logs to it as entity ``team`` through a spool."""
    with ServerProcess(tmp_path / "server-root") as proc:
        env = {**QUIET, "WBNB_DIR": str(tmp_path / "spool"), "WBNB_BASE_URL": proc.url}
        for name, value in {**env, "WBNB_API_KEY": make_key(proc.root, "team")}.items():
            monkeypatch.setenv(name, value)
        yield proc


def test_a_server_sweep_made_run_controlled_and_read_back(
    server: ServerProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sweep.yaml"
    config.write_text(YAML)
    assert main(["sweep", str(config), "--project", "proj"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"with ID: ([a-z0-9]{8})$", out, re.MULTILINE)
    assert found is not None
    sweep_id = found.group(1)
    path = f"team/proj/{sweep_id}"
    assert f"Run sweep agent with: wbnb agent {path}\n" in out
    url = f"{server.url}/api/v1/entities/team/projects/proj/sweeps/{sweep_id}"
    assert f"View sweep at: {url}\n" in out
    headers = {"Authorization": f"Bearer {make_key(server.root, 'team')}"}
    assert requests.get(url, headers=headers, timeout=10).json()["id"] == sweep_id  # the URL is the sweep's

    def train() -> None:
        run = wbnb.init()
        run.log({"loss": run.config.lr * 10})

    wbnb.agent(path, function=train, count=2)
    sweep = Api().sweep(path)
    assert (sweep.entity, sweep.project, sweep.name, sweep.state) == ("team", "proj", "lr-grid", "RUNNING")
    assert [(r.state, r.config["lr"]) for r in sweep.runs] == [("finished", 0.1), ("finished", 0.01)]
    assert sweep.best_run().config["lr"] == 0.01 and sweep.best_loss == pytest.approx(0.1)
    assert sweep.url == url and sweep.expected_run_count == 3

    assert main(["sweep", "--pause", path]) == 0 and Api().sweep(path).state == "PAUSED"
    assert main(["sweep", "--cancel", path]) == 0 and Api().sweep(path).state == "CANCELED"
    capsys.readouterr()
    assert main(["sweeps", "--project", "proj"]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:6] == [sweep_id, "lr-grid", "CANCELED", "grid", "2/3", "loss"]
