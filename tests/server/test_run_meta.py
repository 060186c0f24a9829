"""Run metadata through a real ``wbnb server``, on both backends: a field of the wrong
type is refused with a 422 naming it, and a bad value already stored (written before
the check, or edited in the folder) never breaks the project's run list."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests

from wbnb.server.cli import open_backend
from wbnb.server.keys import make_key
from wbnb.store.wire import API

from .pg import TempPostgres
from .serverproc import ServerProcess, backend_args, wbnb_command


class Server:
    """A server of one backend and a session with a key of its own entity."""

    def __init__(self, process: ServerProcess, database: str | None) -> None:
        self.process, self.database = process, database
        self.entity = f"e{uuid.uuid4().hex[:10]}"  # the database is shared by the session's tests
        key, record = make_key(self.entity)
        backend = open_backend(str(process.root), database)  # in this process: quicker than `keys create`
        try:
            backend.add_key(record)
        finally:
            backend.close()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def url(self, run_id: str | None = None) -> str:
        base = f"{self.process.url}{API}/entities/{self.entity}/projects/demo/runs"
        return base if run_id is None else f"{base}/{run_id}"

    def put(self, run_id: str, meta: dict[str, Any]) -> requests.Response:
        return self.session.put(self.url(run_id), data=json.dumps({"meta": meta, "resume": "allow"}), timeout=30)

    def store_meta(self, run_id: str, meta: dict[str, Any]) -> None:
        """Write a run's metadata behind the server's back, as an old server or a hand edit would."""
        text = json.dumps(meta)
        if self.database is None:
            path = self.process.root / "entities" / self.entity / "projects" / "demo" / run_id / "run.json"
            path.write_text(text)
        else:
            with psycopg.connect(self.database, autocommit=True) as conn:
                conn.execute(
                    "UPDATE wbnb_runs SET meta = %s WHERE entity = %s AND project = 'demo' AND run_id = %s",
                    (text, self.entity, run_id),
                )


@pytest.fixture(scope="module", params=["files", "postgres"])
def process(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, str | None]]:
    database = request.getfixturevalue("postgres").url if request.param == "postgres" else None
    with ServerProcess(tmp_path_factory.mktemp(request.param) / "root", database) as s:
        yield s, database


@pytest.fixture
def server(process: tuple[ServerProcess, str | None]) -> Server:
    return Server(*process)


def _sdk_meta(**changes: Any) -> dict[str, Any]:
    """Metadata shaped as the SDK's uploader sends it."""
    meta = {
        "id": "x",
        "project": "demo",
        "entity": "someone",
        "name": "brave-owl-1",
        "notes": None,
        "tags": ["baseline"],
        "group": None,
        "job_type": None,
        "config": {"lr": 0.1, "layers": [64, 64]},
        "mode": "online",
        "created_at": 1700000000.5,
        "host": "box",
        "metrics": {"loss": {"step_metric": None, "summary": "min", "goal": "minimize", "hidden": False}},
        "metadata": {"python": "3.12"},
    }
    return {**meta, **changes}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"created_at": "yesterday"}, "meta.created_at"),
        ({"created_at": float("nan")}, "meta.created_at"),
        ({"runtime": True}, "meta.runtime"),
        ({"tags": "baseline"}, "meta.tags"),
        ({"tags": ["ok", ""]}, "meta.tags"),
        ({"config": [1, 2]}, "meta.config"),
        ({"summary": "great"}, "meta.summary"),
        ({"name": "n" * 5000}, "meta.name"),
        ({"mode": "turbo"}, "meta.mode"),
        ({"state": "paused"}, "meta.state"),
        ({"last_step": 1.5}, "meta.last_step"),
        ({"metrics": {"loss": {"summary": "median"}}}, "meta.metrics.loss"),
        ({"metrics": {"loss": {"summary": "best"}}}, "goal="),
    ],
)
def test_bad_metadata_is_refused_naming_the_field(server: Server, changes: dict[str, Any], field: str) -> None:
    r = server.put("refused", _sdk_meta(**changes))
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    assert server.session.get(server.url("refused")).status_code == 404  # nothing was created

    assert server.put("later", _sdk_meta()).status_code == 200
    r = server.session.post(server.url("later") + "/batches", data=json.dumps({"meta": _sdk_meta(**changes)}))
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    assert server.session.get(server.url("later")).json()["created_at"] == 1700000000.5
    runs = server.session.get(server.url())
    assert runs.status_code == 200 and [m["id"] for m in runs.json()] == ["later"]


def test_the_sdks_metadata_is_kept_as_sent(server: Server) -> None:
    meta = _sdk_meta(extra_from_a_newer_client={"any": ["json"]}, created_at=1700000000)
    opened = server.put("kept", meta)
    assert opened.status_code == 200, opened.text
    got = server.session.get(server.url("kept")).json()
    for key in ("name", "tags", "config", "metrics", "metadata", "mode", "extra_from_a_newer_client"):
        assert got[key] == meta[key], key
    assert got["created_at"] == 1700000000.0 and got["state"] == "running" and "damaged" not in got


def test_a_stored_bad_value_never_breaks_the_list(server: Server) -> None:
    for run_id in ("good", "edited"):
        assert server.put(run_id, _sdk_meta(created_at=1700000000.0 + len(run_id))).status_code == 200
    stored = server.session.get(server.url("edited")).json()
    server.store_meta("edited", {**stored, "created_at": "yesterday", "tags": "x", "config": [1]})

    r = server.session.get(server.url())
    assert r.status_code == 200, r.text
    runs = {m["id"]: m for m in r.json()}
    assert set(runs) == {"good", "edited"}
    assert "damaged" not in runs["good"] and runs["good"]["config"] == {"lr": 0.1, "layers": [64, 64]}
    damaged = runs["edited"]
    assert "created_at" not in damaged and "tags" not in damaged and "config" not in damaged
    assert all(name in damaged["damaged"] for name in ("created_at", "tags", "config"))
    assert damaged["name"] == "brave-owl-1" and damaged["state"] == "running"
    one = server.session.get(server.url("edited"))
    assert one.status_code == 200 and "created_at" in one.json()["damaged"]


def test_keys_for_a_name_with_a_newline_are_refused(tmp_path: Path, postgres: TempPostgres) -> None:
    """``$`` matches before a final newline: a name must match whole (``check_name``)."""
    for database in (None, postgres.url):
        root = tmp_path / ("pg" if database else "files")
        out = subprocess.run(
            wbnb_command("server", "keys", "create", *backend_args(root, database), "--entity", "eve\n"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1, out.stdout
        assert "entity 'eve\\n' is not valid" in out.stderr and "wbnb_" not in out.stdout
        listed = subprocess.run(
            wbnb_command("server", "keys", "list", *backend_args(root, database)),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "eve" not in listed.stdout


def test_a_name_with_a_newline_in_the_url_is_refused(server: Server) -> None:
    r = server.session.put(f"{server.process.url}{API}/entities/{server.entity}/projects/p%0A/runs/x", json={})
    assert r.status_code == 422, r.text
    assert "project 'p\\n' is not valid" in r.json()["detail"]
    r = server.session.put(server.url("x%0A"), json={})
    assert r.status_code == 422 and "run id 'x\\n' is not valid" in r.json()["detail"]
    assert server.session.get(f"{server.process.url}{API}/entities/{server.entity}/projects").json() == []
