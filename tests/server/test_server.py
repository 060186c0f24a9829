"""``wbnb server`` as a real process over HTTP: keys, limits, validation, path safety,
the exactly-once rule across retries, overlaps, gaps and a SIGKILL, private files, and
big bodies parsed off the event loop."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

import wbnb
from tests.waiting import wait_for
from wbnb.server.app import create_app
from wbnb.server.files import FilesBackend
from wbnb.server.keys import make_key as new_key
from wbnb.store.wire import API, STREAMS, decode_rows, encode_rows

from .serverproc import ServerProcess, backend_args, free_port, make_key, wbnb_command

MAX_BODY = 256 * 1024
MAX_MEDIA = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the module, with small body limits so 413s are cheap to provoke."""
    with ServerProcess(tmp_path_factory.mktemp("server") / "root", max_body=MAX_BODY, max_media=MAX_MEDIA) as s:
        yield s


@pytest.fixture(scope="module")
def alice(server: ServerProcess) -> requests.Session:
    """A session with a key of entity ``alice``."""
    return _session(make_key(server.root, "alice"))


def _session(key: str) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {key}"
    return s


def _run_url(server: ServerProcess, run_id: str, project: str = "demo", entity: str = "alice") -> str:
    return f"{server.url}{API}/entities/{entity}/projects/{project}/runs/{run_id}"


def _post(session: requests.Session, url: str, batch: dict[str, Any]) -> requests.Response:
    """POST a batch the way the client does: Python's json, NaN included."""
    return session.post(
        url + "/batches", data=json.dumps(batch), headers={"Content-Type": "application/json"}, timeout=30
    )


def _rows(start: int, stop: int) -> dict[str, Any]:
    """A history chunk of steps ``start``..``stop - 1`` (index == step)."""
    return encode_rows(
        start, [(("loss", "acc"), i, 1000.0 + i, float(i), (1.0 / (i + 1), i)) for i in range(start, stop)]
    )


def _records(start: int, stop: int) -> dict[str, Any]:
    return {
        "start": start,
        "records": [{"stream": "stdout", "line": f"line {i}", "t": float(i)} for i in range(start, stop)],
    }


def _read_all(session: requests.Session, url: str, limit: int = 7) -> list[tuple]:
    """Every history row, paged ``limit`` at a time the way a client follows a run."""
    rows: list[tuple] = []
    start = 0
    while True:
        chunk = session.get(url + "/rows", params={"stream": "history", "start": start, "limit": limit}).json()
        assert chunk["start"] == start
        rows.extend(decode_rows(chunk))
        start = chunk["next"]
        if not chunk["more"]:
            return rows


def _open(session: requests.Session, url: str, resume: str | None = None) -> dict[str, Any]:
    r = session.put(url, json={"meta": {"name": "test", "config": {"lr": 0.1}}, "resume": resume})
    assert r.status_code == 200, r.text
    return r.json()


def _files_outside(base: Path, root: Path) -> set[Path]:
    """Every path below ``base`` that is not below ``root`` (nor the server's log)."""
    return {p for p in base.rglob("*") if root not in p.parents and p != root and p.suffix != ".log"}


# -- health and keys ----------------------------------------------------------------------


def test_health_needs_no_key(server: ServerProcess) -> None:
    r = requests.get(server.url + API + "/health")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "version": wbnb.__version__}


def test_missing_malformed_unknown_and_revoked_keys_get_401(server: ServerProcess) -> None:
    whoami = server.url + API + "/whoami"
    r = requests.get(whoami)
    assert r.status_code == 401 and "Authorization: Bearer" in r.json()["detail"]
    assert r.headers["WWW-Authenticate"] == "Bearer"
    r = requests.get(whoami, headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and "malformed" in r.json()["detail"]

    key = make_key(server.root, "carol")
    assert _session(key).get(whoami).json() == {"entity": "carol", "key_id": key.split("_")[1]}
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")  # right id, wrong secret
    r = _session(forged).get(whoami)
    assert r.status_code == 401 and "unknown API key" in r.json()["detail"]

    out = subprocess.run(
        wbnb_command("server", "keys", "revoke", key.split("_")[1], *backend_args(server.root, None)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    r = _session(key).get(whoami)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    # A request with a body is refused before the body is looked at.
    r = requests.post(_run_url(server, "x", entity="carol") + "/batches", data=b"{not json")
    assert r.status_code == 401


def test_keys_file_holds_no_secret_and_is_private(server: ServerProcess) -> None:
    key = make_key(server.root, "dave", name="laptop")
    secret = key.split("_", 2)[2]
    keys_file = server.root / "keys.json"
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    text = keys_file.read_text()
    assert secret not in text and key not in text
    assert hashlib.sha256(secret.encode()).hexdigest() in text
    out = subprocess.run(
        wbnb_command("server", "keys", "list", *backend_args(server.root, None)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "laptop" in out.stdout and "dave" in out.stdout and secret not in out.stdout


def test_keys_made_at_once_are_all_kept(tmp_path: Path) -> None:
    root = tmp_path / "root"
    procs = [
        subprocess.Popen(
            wbnb_command("server", "keys", "create", *backend_args(root, None), "--entity", f"e{i}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for i in range(4)
    ]
    made = {p.communicate(timeout=60)[0].split("_")[1] for p in procs}
    assert len(made) == 4
    assert {k["key_id"] for k in json.loads((root / "keys.json").read_text())["keys"]} == made


def test_a_key_sees_only_its_entity(server: ServerProcess, alice: requests.Session) -> None:
    _open(alice, _run_url(server, "private"))
    bob = _session(make_key(server.root, "bob"))
    for method, url in [
        ("GET", f"{server.url}{API}/entities/alice/projects"),
        ("GET", _run_url(server, "private")),
        ("GET", _run_url(server, "private") + "/rows"),
        ("PUT", _run_url(server, "private")),
    ]:
        r = bob.request(method, url, json={"meta": {}})
        assert r.status_code == 403, (method, url, r.text)
        assert "alice" in r.json()["detail"]
    assert bob.get(f"{server.url}{API}/entities/bob/projects").json() == []


# -- limits and validation ------------------------------------------------------------------


def test_oversized_bodies_get_413(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "big")
    _open(alice, url)
    big = json.dumps(_rows(0, 5000)).encode()
    assert len(big) > MAX_BODY
    r = alice.post(url + "/batches", data=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and str(MAX_BODY) in r.json()["detail"]
    # Without a Content-Length (chunked), the bytes are counted as they come.
    r = alice.post(
        url + "/batches",
        data=iter([big[i : i + 65536] for i in range(0, len(big), 65536)]),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert alice.get(url + "/counts").json()["history"] == 0

    data = os.urandom(MAX_MEDIA + 1)
    name = hashlib.sha256(data).hexdigest() + ".png"
    r = alice.put(f"{server.url}{API}/media/{name}", data=data)
    assert r.status_code == 413
    assert not (server.root / "media" / name[:2] / name).exists()


def test_media_round_trip(server: ServerProcess, alice: requests.Session) -> None:
    data = b"\x89PNG fake image bytes"
    digest = hashlib.sha256(data).hexdigest()
    r = alice.put(f"{server.url}{API}/media/{digest}.png", data=data)
    assert r.status_code == 200 and r.json() == {"path": f"media/{digest[:2]}/{digest}.png"}
    r = alice.get(f"{server.url}{API}/media/{digest[:2]}/{digest}.png")
    assert r.content == data and r.headers["content-type"] == "image/png"
    r = alice.head(f"{server.url}{API}/media/{digest[:2]}/{digest}.png")
    assert r.status_code == 200 and r.headers["content-length"] == str(len(data))
    r = alice.put(f"{server.url}{API}/media/{'0' * 64}.png", data=data)
    assert r.status_code == 422 and "SHA-256" in r.json()["detail"]
    assert alice.get(f"{server.url}{API}/media/00/{'0' * 64}.png").status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        (b'{"history": {"start": 0, "keys": [["a"]], "rows": [[0, 1.0, 1.0, "x", [1]]]}}', "history.rows[0][3]"),
        (b'{"history": {"start": 0, "keys": [["a"]], "rows": [[0, 1.0, 1.0, 4, [1]]]}}', "keys_index"),
        (b'{"system": {"start": 0, "keys": [["a", "b"]], "rows": [[0, 1.0, 1.0, 0, [1]]]}}', "system.rows[0]"),
        (b'{"history": {"start": -1, "rows": []}}', "history.start"),
        (b'{"histroy": {"start": 0}}', "histroy"),
        (b'{"console": {"start": 0, "records": [{"stream": "stdout", "t": 1}]}}', "console.records[0].line"),
        (b'{"events": {"start": 0, "records": [3]}}', "events.records[0]"),
        (b'{"state": "paused"}', "state"),
        (
            b'{"history": {"start": 0, "keys": [["a"]], "rows": [[0, 1, 1, 0, [123456789012345678901234567890]]]}}',
            "64 bits",
        ),
        (b'{"meta": ' + b"[" * 80 + b"]" * 80 + b"}", "meta"),
        (b'{"meta": {"config": ' + b'{"a": ' * 70 + b"1" + b"}" * 70 + b"}}", "meta nests"),
        (b'{"history": {"start": 0, "rows": [', "not valid JSON"),
    ],
)
def test_malformed_batches_get_422_naming_the_field(
    server: ServerProcess, alice: requests.Session, body: bytes, field: str
) -> None:
    url = _run_url(server, "malformed")
    _open(alice, url, resume="allow")
    r = alice.post(url + "/batches", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"]
    assert alice.get(url + "/counts").json() == dict.fromkeys(STREAMS, 0)


@pytest.mark.parametrize("name", ["..", "a/../b", "x" * 129, "a#b", "a?b", "tab\t"])
def test_bad_project_and_run_names_get_422(server: ServerProcess, alice: requests.Session, name: str) -> None:
    quoted = requests.utils.quote(name, safe="")
    for url in (_run_url(server, "ok", project=quoted), _run_url(server, quoted)):
        r = alice.put(url, json={"meta": {}})
        assert r.status_code in (404, 422), (url, r.status_code)  # 404: a '/' splits the path itself


def test_path_traversal_is_refused_and_writes_nothing_outside_root(
    server: ServerProcess, alice: requests.Session, tmp_path: Path
) -> None:
    base = server.root.parent
    before = _files_outside(base, server.root)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Authorization": alice.headers["Authorization"], "Content-Type": "application/json"}
    secret_file = server.root / "keys.json"
    # Sent raw: http.client, unlike requests, does not resolve dot segments.
    for method, path in [
        ("PUT", "/media/.."),
        ("PUT", "/media/%2e%2e"),
        ("PUT", "/media/..%2F..%2Fevil.png"),
        ("PUT", "/media/%2Fetc%2Fevil.png"),
        ("PUT", "/media/media/../../evil.png"),
        ("GET", "/media/../keys.json"),
        ("GET", "/media/../../keys.json"),
        ("GET", "/media/%2e%2e/keys.json"),
        ("GET", "/media/..%2F..%2Fkeys.json"),
        ("GET", "/media/ab/..%2F..%2Fkeys.json"),
        ("GET", "/media/media/../../keys.json"),
        ("HEAD", "/media/%2e%2e/keys.json"),
        ("PUT", "/entities/alice/projects/../runs/x"),
        ("PUT", "/entities/alice/projects/%2e%2e/runs/x"),
        ("PUT", "/entities/alice/projects/%2e%2e%2F%2e%2e%2Fevil/runs/x"),
        ("PUT", "/entities/alice/projects/%2Ftmp%2Fevil/runs/x"),
        ("PUT", "/entities/alice/projects/p/runs/%2e%2e"),
        ("GET", "/entities/alice/projects/%2e%2e/runs"),
        ("GET", "/entities/%2e%2e/projects"),
        ("PUT", "/entities/alice/projects/media%2F..%2F..%2Fx/runs/x"),
    ]:
        body = b'{"meta": {}}' if method == "PUT" else None
        conn.request(method, API + path, body=body, headers=headers)
        r = conn.getresponse()
        content = r.read()
        assert r.status in (403, 404, 405, 422), (method, path, r.status, content)
        assert b"secret_hash" not in content
    conn.close()
    assert _files_outside(base, server.root) == before
    assert secret_file.exists()
    assert not list(server.root.rglob("evil*"))
    assert sorted(p.name for p in (server.root / "entities" / "alice" / "projects").iterdir()) == sorted(
        alice.get(f"{server.url}{API}/entities/alice/projects").json()
    )


# -- exactly once -------------------------------------------------------------------------------


def test_retries_and_overlaps_are_stored_once_and_gaps_refused(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "once")
    assert _open(alice, url)["next"] == dict.fromkeys(STREAMS, 0)
    first = {"history": _rows(0, 10), "console": _records(0, 3), "events": {"start": 0, "records": [{"kind": "x"}]}}
    for _ in range(2):  # a retry after a lost answer
        r = _post(alice, url, first)
        assert r.status_code == 200, r.text
        assert r.json()["next"] == {"history": 10, "system": 0, "events": 1, "console": 3}
    r = _post(alice, url, {"history": _rows(5, 15), "console": _records(2, 5)})  # overlaps the first
    assert r.json()["next"] == {"history": 15, "system": 0, "events": 1, "console": 5}

    r = _post(alice, url, {"history": _rows(20, 22), "console": _records(5, 6)})
    assert r.status_code == 409
    assert r.json()["next"] == {"history": 15, "system": 0, "events": 1, "console": 5}
    assert alice.get(url + "/counts").json()["console"] == 5  # nothing of the refused batch applied

    assert [row[1] for row in _read_all(alice, url)] == list(range(15))
    records = alice.get(url + "/records", params={"stream": "console", "start": 0}).json()
    assert [rec["line"] for rec in records["records"]] == [f"line {i}" for i in range(5)] and records["next"] == 5
    tail = alice.get(url + "/records", params={"stream": "console", "start": 3}).json()
    assert [rec["line"] for rec in tail["records"]] == ["line 3", "line 4"]
    cols = alice.get(url + "/columns").json()
    assert cols["_step"] == list(range(15)) and cols["acc"] == list(range(15))


def test_concurrent_copies_of_a_batch_are_stored_once(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "racing")
    _open(alice, url)
    batches = [
        {"history": _rows(0, 100), "console": _records(0, 20)},
        {"history": _rows(50, 150), "console": _records(10, 30)},
    ] * 4
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda b: _post(alice, url, b), batches))
    # A copy that overtook the first batch found a gap (409); every other one applied or was a no-op.
    assert all(r.status_code in (200, 409) for r in answers)
    if any(r.status_code == 409 for r in answers):
        _post(alice, url, batches[1])
    assert alice.get(url + "/counts").json() == {"history": 150, "system": 0, "events": 0, "console": 30}
    assert [row[1] for row in _read_all(alice, url, limit=40)] == list(range(150))


def test_rows_page_from_any_start(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "pages")
    _open(alice, url)
    assert _post(alice, url, {"history": _rows(0, 50)}).status_code == 200

    def steps(start: int, limit: int) -> tuple[list[int], int, bool]:
        chunk = alice.get(url + "/rows", params={"start": start, "limit": limit}).json()
        return [row[1] for row in decode_rows(chunk)], chunk["next"], chunk["more"]

    assert steps(0, 20) == (list(range(20)), 20, True)
    assert steps(3, 5) == ([3, 4, 5, 6, 7], 8, True)  # behind the remembered pages
    assert steps(20, 20) == (list(range(20, 40)), 40, True)
    assert steps(45, 20) == (list(range(45, 50)), 50, False)
    assert steps(70, 20) == ([], 70, False)
    assert _post(alice, url, {"history": _rows(50, 55)}).status_code == 200
    assert steps(40, 100) == (list(range(40, 55)), 55, False)  # the pending rows, then what is new
    assert steps(55, 10) == ([], 55, False)
    assert _post(alice, url, {"history": _rows(55, 60)}).status_code == 200
    for _ in range(2):  # from a remembered end, twice: the same rows
        assert steps(55, 10) == (list(range(55, 60)), 60, False)
        assert steps(0, 100) == (list(range(60)), 60, False)
    r = alice.get(url + "/rows", params={"stream": "bogus"})
    assert r.status_code == 422 and "stream" in r.json()["detail"]


def test_nan_and_infinity_survive(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "nan")
    _open(alice, url)
    chunk = encode_rows(0, [(("loss",), 0, 1.0, 0.0, (float("nan"),)), (("loss",), 1, 2.0, 1.0, (float("inf"),))])
    assert _post(alice, url, {"history": chunk}).status_code == 200
    loss = json.loads(alice.get(url + "/columns").content)["loss"]
    assert loss[0] != loss[0] and loss[1] == float("inf")
    assert _post(alice, url, {"state": "finished", "exit_code": 0}).json()["next"]["history"] == 2
    assert alice.get(url).json()["state"] == "finished"
    # The final batch again (its answer was lost): nothing changes, the run stays finished.
    assert _post(alice, url, {"state": "finished", "exit_code": 0}).status_code == 200
    meta = alice.get(url).json()
    assert meta["state"] == "finished" and "resumed" not in meta


def test_open_run_resume_rules(server: ServerProcess, alice: requests.Session) -> None:
    url = _run_url(server, "resumable")
    r = alice.put(url, json={"meta": {}, "resume": "must"})
    assert r.status_code == 409 and "resume='must'" in r.json()["detail"]
    _open(alice, url)
    assert _post(alice, url, {"history": _rows(0, 3), "state": "finished"}).status_code == 200
    r = alice.put(url, json={"meta": {}})
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    opened = _open(alice, url, resume="allow")
    assert opened["next"]["history"] == 3 and opened["meta"]["state"] == "running"
    assert opened["meta"]["config"] == {"lr": 0.1}
    r = alice.post(_run_url(server, "never-opened") + "/batches", json={"history": _rows(0, 1)})
    assert r.status_code == 404


def test_a_killed_server_restarts_with_exact_counts(tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "root") as server:
        session = _session(make_key(server.root, "alice"))
        url = _run_url(server, "survivor")
        _open(session, url)
        for start in range(0, 30, 10):
            r = _post(session, url, {"history": _rows(start, start + 10), "console": _records(start, start + 10)})
            assert r.status_code == 200
        server.kill()
        server.start()
        counts = session.get(url + "/counts").json()
        assert counts == {"history": 30, "system": 0, "events": 0, "console": 30}
        assert session.get(url).json()["state"] == "crashed"  # its writer died with the server
        # The client, not knowing what landed, resends from an earlier point: no duplicates.
        r = _post(session, url, {"history": _rows(20, 40), "console": _records(25, 40)})
        assert r.json()["next"] == {"history": 40, "system": 0, "events": 0, "console": 40}
        assert session.get(url).json()["state"] == "running"
        assert [row[1] for row in _read_all(session, url, limit=9)] == list(range(40))
        lines = session.get(url + "/records", params={"stream": "console"}).json()["records"]
        assert [rec["line"] for rec in lines] == [f"line {i}" for i in range(40)]
        assert _post(session, url, {"state": "finished", "exit_code": 0}).status_code == 200
    assert server.proc is not None and server.proc.returncode is not None


def test_a_stopped_server_closes_its_open_runs(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "root")
    with server:
        session = _session(make_key(server.root, "alice"))
        url = _run_url(server, "interrupted")
        _open(session, url)
        assert _post(session, url, {"history": _rows(0, 5)}).status_code == 200
    run_dir = server.root / "entities" / "alice" / "projects" / "demo" / "interrupted"
    assert json.loads((run_dir / "run.json").read_text())["state"] == "crashed"
    assert (run_dir / "events.wal").stat().st_size == 0  # the preallocated tail is trimmed
    with server:  # the client's next batch carries on
        r = _post(session, url, {"history": _rows(5, 8)})
        assert r.json()["next"]["history"] == 8 and session.get(url).json()["state"] == "running"


# -- privacy and the event loop -------------------------------------------------------------


def test_everything_under_the_root_is_private(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "entities").mkdir(parents=True, mode=0o755)  # a root made before: opened up
    (root / "entities").chmod(0o755)
    (root / "notes.txt").write_text("left by an admin")
    (root / "notes.txt").chmod(0o644)
    with ServerProcess(root) as server:
        session = _session(make_key(root, "alice"))
        url = _run_url(server, "private")
        _open(session, url)
        batch = {"history": _rows(0, 10), "console": _records(0, 3), "events": {"start": 0, "records": [{"k": 1}]}}
        assert _post(session, url, batch).status_code == 200
        data = b"\x89PNG private"
        assert session.put(f"{server.url}{API}/media/{hashlib.sha256(data).hexdigest()}.png", data=data).ok
        assert _post(session, url, {"state": "finished", "exit_code": 0}).status_code == 200
    paths = [root, *root.rglob("*")]
    assert any(p.name == "history.wal" for p in paths) and any(p.suffix == ".png" for p in paths)
    loose = {
        str(p.relative_to(tmp_path)): oct(stat.S_IMODE(p.stat().st_mode)) for p in paths if p.stat().st_mode & 0o077
    }
    loose.pop("root/notes.txt", None)  # older than the server: closed off by its folder, not changed
    assert loose == {}
    assert stat.S_IMODE(root.stat().st_mode) == 0o700 and stat.S_IMODE((root / "entities").stat().st_mode) == 0o700


def test_a_big_batch_is_parsed_off_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding and validating a batch of tens of MiB takes seconds: on the event loop,
    that stalls every other client."""
    backend = FilesBackend(tmp_path / "root")
    key, record = new_key("alice")
    backend.add_key(record)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(backend), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="the in-process server to start")
    on_loop: list[bool] = []
    loads = json.loads

    def spy(text: Any, *args: Any, **kwargs: Any) -> Any:
        if len(text) > 1 << 20:
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:  # a worker thread: no loop runs here
                on_loop.append(False)
        return loads(text, *args, **kwargs)

    try:
        session = _session(key)
        url = f"http://127.0.0.1:{port}{API}/entities/alice/projects/demo/runs/big"
        _open(session, url)
        monkeypatch.setattr(json, "loads", spy)
        body = json.dumps({"history": _rows(0, 30_000)}).encode()
        assert len(body) > 1 << 20
        r = session.post(url + "/batches", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.json()["next"]["history"] == 30_000
        assert on_loop == [False]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
