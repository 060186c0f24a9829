"""Abandoned runs on the folder backend: a client that opens a run and vanishes must
not make the server hold its files for ever. Writers past ``--max-open-runs`` and
those of quiet runs are closed (a later batch reopens them, unseen by the client), and
a run quiet for ``--stale-after`` is marked crashed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from tests.waiting import wait_for
from wbnb.store.wire import API, STREAMS, decode_rows, encode_rows

from .serverproc import ServerProcess, make_key


def _session(server: ServerProcess) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {make_key(server.root, 'alice')}"
    return s


def _url(server: ServerProcess, run_id: str) -> str:
    return f"{server.url}{API}/entities/alice/projects/demo/runs/{run_id}"


def _fds(server: ServerProcess) -> int:
    """File descriptors the server process holds open right now."""
    assert server.proc is not None
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def _post(session: requests.Session, url: str, batch: dict[str, Any]) -> dict[str, Any]:
    r = session.post(url + "/batches", data=json.dumps(batch), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def _rows(start: int, stop: int) -> dict[str, Any]:
    return encode_rows(start, [(("loss",), i, 1000.0 + i, float(i), (1.0 / (i + 1),)) for i in range(start, stop)])


def _steps(session: requests.Session, url: str) -> list[int]:
    chunk = session.get(url + "/rows", params={"start": 0}).json()
    return [row[1] for row in decode_rows(chunk)]


def test_abandoned_runs_do_not_pile_up_open_files(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "root", max_open_runs=8) as server:
        session = _session(server)
        for n in range(16):
            assert session.put(_url(server, f"r{n}"), json={"meta": {"name": f"r{n}"}}).status_code == 200
        held = _fds(server)  # 8 writers open, the others closed
        for n in range(16, 120):
            assert session.put(_url(server, f"r{n}"), json={"meta": {"name": f"r{n}"}}).status_code == 200
        assert _fds(server) <= held + 4  # (+4: a connection or two more)

        # The first run's writer was closed long ago: it still reads as running, and a
        # batch to it (sent twice: its answer was lost) lands once.
        first = _url(server, "r0")
        meta = session.get(first).json()
        assert meta["state"] == "running" and "resumed" not in meta
        for _ in range(2):
            assert _post(session, first, {"history": _rows(0, 10)})["next"]["history"] == 10
        assert _post(session, first, {"history": _rows(5, 12)})["next"]["history"] == 12
        assert _steps(session, first) == list(range(12))
        meta = session.get(first).json()
        assert meta["state"] == "running" and "resumed" not in meta
        assert _post(session, first, {"state": "finished", "exit_code": 0})["next"]["history"] == 12
        assert session.get(first).json()["state"] == "finished"
        assert _fds(server) <= held + 4


def test_a_quiet_run_is_closed_then_marked_crashed(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "root", stale_after=1.0) as server:
        session = _session(server)
        idle = _fds(server)
        url = _url(server, "quiet")
        assert session.put(url, json={"meta": {"name": "quiet"}}).status_code == 200
        _post(session, url, {"history": _rows(0, 5)})
        assert _fds(server) > idle  # its writer is open
        run_json = server.root / "entities" / "alice" / "projects" / "demo" / "quiet" / "run.json"
        wait_for(lambda: json.loads(run_json.read_text())["state"] == "crashed", what="the quiet run marked crashed")
        assert _fds(server) <= idle + 1  # its files are closed (+1: the keep-alive connection)
        meta = session.get(url).json()
        assert meta["state"] == "crashed" and meta["summary"]["loss"] == 1.0 / 5  # rebuilt from its rows
        assert json.loads(run_json.read_text())["crash_reason"] == "no word from its client for over 1 s"

        # Its client was only cut off: its next batch carries on, each row once.
        assert _post(session, url, {"history": _rows(3, 8)})["next"] == {**dict.fromkeys(STREAMS, 0), "history": 8}
        assert session.get(url).json()["state"] == "running"
        assert "crash_reason" not in session.get(url).json()
        assert _steps(session, url) == list(range(8))
