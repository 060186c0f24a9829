"""Run extras against a real ``wbnb server``: ``log_code``'s files reach the server
(read back through a fresh connection), and a server run's URLs point at it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import wbnb
from wbnb.store.remote import Connection, RemoteStore

from .serverproc import ServerProcess, make_key


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path / "server-root") as proc:
        yield proc


def test_log_code_files_and_urls_of_a_server_run(
    server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_key(server.root, "team")
    for name, value in {
        "WBNB_SILENT": "1",
        "WBNB_SYSTEM_INTERVAL": "0",
        "WBNB_CONSOLE": "0",
        "WBNB_DIR": str(tmp_path / "spool"),
        "WBNB_BASE_URL": server.url,
        "WBNB_API_KEY": key,
    }.items():
        monkeypatch.setenv(name, value)
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text("print('train')\n")
    run = wbnb.init(project="proj")
    logged = run.log_code(str(src))
    run.finish()
    assert logged is not None
    remote = RemoteStore(Connection(server.url, key), "team")  # no client state
    meta = remote.run("proj", run.id)
    assert meta["code"]["path"] == logged.path
    manifest = json.loads(remote.media(logged.path))
    assert remote.media(manifest["files"]["train.py"]["path"]) == b"print('train')\n"

    auth = {"Authorization": f"Bearer {key}"}
    assert run.url == f"{server.url}/api/v1/entities/team/projects/proj/runs/{run.id}"
    assert requests.get(run.url, headers=auth, timeout=10).json()["id"] == run.id
    listed = requests.get(run.project_url, headers=auth, timeout=10).json()
    assert [m["id"] for m in listed] == [run.id]
