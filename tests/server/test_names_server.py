"""Names as wandb takes them, through a real ``wbnb server`` on each backend: a run in
``"project name"`` of entity ``"my team"`` logged and read back, and hostile names sent
raw over HTTP either refused with a 422 naming the parameter or stored under the
server's root and listed back as sent."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wbnb
from tests.test_names import HOSTILE
from wbnb.cli import main
from wbnb.store.names import InvalidName, name_of
from wbnb.store.remote import Connection, RemoteStore
from wbnb.store.wire import API

from .pg import TempPostgres
from .serverproc import ServerProcess, backend_args, make_key, wbnb_command

QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}
TEAM = "my team"


@pytest.fixture(scope="module")
def postgres() -> Iterator[TempPostgres]:
    with TempPostgres() as pg:
        yield pg


@pytest.fixture(scope="module", params=["folder", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").create_database(f"db_{os.urandom(4).hex()}")
    with ServerProcess(tmp_path_factory.mktemp("names") / "root", database=database) as proc:
        yield proc


@pytest.fixture(scope="module")
def team_key(server: ServerProcess) -> str:
    """A key of entity ``my team``, made by ``wbnb server keys create --entity "my team"``."""
    return make_key(server.root, TEAM, database=server.database)


def _send(server: ServerProcess, key: str, method: str, path: str) -> tuple[int, dict]:
    """One request sent as written (http.client resolves no dot segments)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        body = b'{"meta": {}}' if method == "PUT" else None
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        conn.request(method, API + path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        conn.close()


def _files_outside(root: Path) -> set[Path]:
    return {p for p in root.parent.rglob("*") if root not in p.parents and p != root}


def test_a_run_in_a_project_with_a_space_is_logged_and_read_back(
    server: ServerProcess, team_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    for name, value in {**QUIET, "WBNB_DIR": str(tmp_path / "spool"), "WBNB_BASE_URL": server.url}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("WBNB_API_KEY", team_key)
    run = wbnb.init(project="project name", id="run 1", name="first try", group="a group")
    for i in range(5):
        wbnb.log({"loss": 1.0 / (i + 1)})
    run.finish()

    fresh = RemoteStore(Connection(server.url, team_key), TEAM)  # what the server holds, not the spool
    assert fresh.projects() == ["project name"]
    meta = fresh.run("project name", "run 1")
    assert (meta["entity"], meta["project"], meta["id"], meta["name"]) == (TEAM, "project name", "run 1", "first try")
    api = wbnb.Api()
    [read] = api.runs(f"{TEAM}/project name")
    assert read.id == "run 1" and read.state == "finished" and read.group == "a group"
    assert list(api.run(f"{TEAM}/project name/run 1").history()["loss"]) == [1.0 / (i + 1) for i in range(5)]
    if server.database is None:
        assert (
            server.root / "entities" / "my%20team" / "projects" / "project%20name" / "run%201" / "run.json"
        ).exists()

    capsys.readouterr()
    assert main(["runs", f"{TEAM}/project name"]) == 0
    assert "run 1" in capsys.readouterr().out
    assert main(["show", f"{TEAM}/project name/run 1"]) == 0
    assert "first try (project name/run 1)" in capsys.readouterr().out


@pytest.mark.parametrize("position", ["project", "run_id"])
def test_hostile_names_are_refused_or_stored_under_the_root(
    server: ServerProcess, team_key: str, position: str
) -> None:
    before = _files_outside(server.root)
    team = quote(TEAM, safe="")
    for name in HOSTILE:
        try:
            segment = quote(name, safe="")
        except UnicodeEncodeError:  # a lone surrogate: no client can send it
            continue
        project, run_id = (segment, "r1") if position == "project" else ("p", segment)
        status, body = _send(server, team_key, "PUT", f"/entities/{team}/projects/{project}/runs/{run_id}")
        # 404: a '/' in it splits the path; 307: an empty one ends it, redirected to the listing
        assert status in (200, 404, 422) or (status == 307 and not name), (name, status, body)
        if status == 422:
            assert f"path.{position}: " in body["detail"] and "is not valid" in body["detail"], body
        if status != 200:
            continue
        expected = unicodedata.normalize("NFC", name)
        assert body["meta"]["project" if position == "project" else "id"] == expected
        status, got = _send(server, team_key, "GET", f"/entities/{team}/projects/{project}/runs/{run_id}")
        assert status == 200 and got["project" if position == "project" else "id"] == expected
    assert _files_outside(server.root) == before
    status, listed = _send(server, team_key, "GET", f"/entities/{team}/projects")
    made = {"p"} if position == "run_id" else {"project name", "~tilde", "-lead", "CON", "..."}
    assert status == 200 and made <= set(listed), listed
    if server.database is None:  # every folder on disk is the folder of a name the server lists
        projects = server.root / "entities" / "my%20team" / "projects"
        assert sorted(name_of(d, "project") for d in projects.iterdir()) == sorted(listed)
        assert not [p for p in server.root.rglob("*") if p.name.startswith("..")]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=130))
def test_any_name_is_a_422_or_read_back(server: ServerProcess, team_key: str, name: str) -> None:
    team = quote(TEAM, safe="")
    path = f"/entities/{team}/projects/{quote(name, safe='')}/runs/fuzz"
    status, body = _send(server, team_key, "PUT", path)
    assert status in (200, 404, 422), (name, status, body)
    if status == 200:
        status, got = _send(server, team_key, "GET", path)
        assert status == 200 and got["project"] == unicodedata.normalize("NFC", name)


def test_the_client_refuses_a_bad_name_before_sending(server: ServerProcess, team_key: str) -> None:
    store = RemoteStore(Connection(server.url, team_key), TEAM)
    with pytest.raises(InvalidName, match=r"project 'a/b' is not valid: it contains '/'"):
        store.runs("a/b")
    with pytest.raises(InvalidName, match=r"run id 'x:1' is not valid"):
        store.run("p", "x:1")
    with pytest.raises(ValueError, match="entity 'a#b' is not valid"):
        RemoteStore(Connection(server.url, team_key), "a#b").projects()


def test_keys_are_made_for_entities_by_wandbs_rule(server: ServerProcess) -> None:
    out = subprocess.run(
        wbnb_command("server", "keys", "create", *backend_args(server.root, server.database), "--entity", "a/b"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1 and "entity 'a/b' is not valid: it contains '/'" in out.stderr
    assert "wbnb_" not in out.stdout
    key = make_key(server.root, "caf\u0065\u0301", database=server.database)  # é decomposed
    composed = quote("caf\u00e9", safe="")
    status, body = _send(server, key, "GET", f"/entities/{composed}/projects")
    assert status == 200 and body == []  # the key is the composed entity's
