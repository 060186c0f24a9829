"""What a hostile or careless client sends to a server's artifact routes: each refused
with a 4xx naming what is wrong, nothing half kept, nothing of the server's own said."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from blake3 import blake3

from wbnb.server.app import create_app
from wbnb.server.files import FilesBackend
from wbnb.server.keys import make_key as new_key

from .artifactsrv import BACKENDS, ArtifactServer, serving


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    with serving(request, tmp_path_factory.mktemp("artifacts-redteam")) as srv:
        yield srv


class Client:
    """Raw requests of one entity with its own key."""

    def __init__(self, server: ArtifactServer) -> None:
        self.entity = server.entity()
        self.base = f"{server.url}/api/v1/entities/{self.entity}/artifacts"
        self.headers = {"Authorization": f"Bearer {server.key(self.entity)}"}

    def put(self, data: bytes, size: int | None = None, digest: str | None = None) -> requests.Response:
        digest = digest or blake3(data).hexdigest()
        size = len(data) if size is None else size
        return requests.put(f"{self.base}/blobs/{digest}?size={size}&offset=0", data=data, headers=self.headers)

    def commit(self, entries: list[dict[str, Any]]) -> requests.Response:
        body = {"project": "p", "name": "ds", "type": "dataset", "entries": entries}
        return requests.post(f"{self.base}/versions", json=body, headers=self.headers)


def test_a_manifest_whose_sizes_lie_is_refused_naming_the_file(server: ArtifactServer) -> None:
    c = Client(server)
    data = b"eleven byte"
    digest = blake3(data).hexdigest()
    assert c.put(data).status_code == 200
    for size in (len(data) - 1, len(data) + 1, 0):
        r = c.commit([{"path": "a.txt", "digest": digest, "size": size}])
        assert r.status_code == 422 and "a.txt" in r.json()["detail"] and "11" in r.json()["detail"], r.text
    assert requests.get(f"{c.base}/projects", headers=c.headers).json() == []  # no version, no collection
    r = c.commit([{"path": "a.txt", "digest": digest, "size": len(data)}])
    assert r.status_code == 200 and r.json()["version"]["size"] == len(data)


@pytest.mark.parametrize("path", ["a//b", "a/./b", "./a", "a/", "a/b/"])
def test_entry_paths_are_kept_only_as_the_sdk_writes_them(server: ArtifactServer, path: str) -> None:
    """'a//b' beside 'a/b' would be two entries placed in one file: every download's verify would fail."""
    c = Client(server)
    data = b"x"
    assert c.put(data).status_code == 200
    r = c.commit([{"path": path, "digest": blake3(data).hexdigest(), "size": 1}])
    assert r.status_code == 422, r.text
    assert "entries[0].path" in r.json()["detail"] and "write" in r.json()["detail"]


def test_a_refused_upload_names_no_path_of_the_server(server: ArtifactServer) -> None:
    c = Client(server)
    data = os.urandom(100)
    r = c.put(os.urandom(100), digest=blake3(data).hexdigest())  # bytes that hash otherwise
    assert r.status_code == 422 and "offset 0" in r.json()["detail"]
    assert str(server.proc.root) not in r.text and ".part" not in r.text
    assert requests.get(f"{c.base}/blobs/{blake3(data).hexdigest()}", headers=c.headers).status_code == 404


def test_a_client_gone_midway_through_a_body_is_answered_not_raised(tmp_path: Path) -> None:
    """A client killed while sending a commit: a 400, not an exception logged as the server's failure."""
    backend = FilesBackend(tmp_path / "root")
    key, record = new_key("alice")
    backend.add_key(record)
    app = create_app(backend)
    events: list[dict[str, Any]] = [{"type": "http.request", "body": b'{"proj', "more_body": True}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = "/api/v1/entities/alice/artifacts/versions"
    headers = [(b"authorization", f"Bearer {key}".encode()), (b"content-type", b"application/json")]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", b"1000")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    # On a thread of its own: an earlier test may leave this thread's event loop running.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result(timeout=60)  # type: ignore[arg-type]
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [400]
    backend.close()


@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("GET", "/projects/p/collections/ds/versions/a%00b"),
        ("GET", "/versions/a%00b"),
        ("GET", "/versions/a%00b/manifest"),
        ("GET", "/versions/a%00b/used_by"),
        ("GET", "/versions/a%00b/links"),
        ("DELETE", "/versions/a%00b"),
    ],
)
def test_a_nul_in_a_version_id_or_alias_is_refused_in_every_home(
    server: ArtifactServer, method: str, tail: str
) -> None:
    """PostgreSQL's text holds no NUL: looked up there it was a 500."""
    c = Client(server)
    r = requests.request(method, c.base + tail, headers=c.headers)
    assert r.status_code == 422 and "NUL" in r.json()["detail"], r.text
    assert ("path.alias" if "collections" in tail else "path.version_id") in r.json()["detail"]


def test_an_alias_holding_a_lone_surrogate_is_refused_naming_the_field(server: ArtifactServer) -> None:
    c = Client(server)
    data = b"x"
    assert c.put(data).status_code == 200
    entries = [{"path": "a", "digest": blake3(data).hexdigest(), "size": 1}]
    body = {"project": "p", "name": "ds", "type": "dataset", "aliases": ["\ud800"], "entries": entries}
    r = requests.post(f"{c.base}/versions", json=body, headers=c.headers)  # sent as the escape \ud800
    assert r.status_code == 422 and r.json()["detail"].startswith("aliases[0]:"), r.text


def test_a_file_that_is_also_a_folder_of_another_is_refused(server: ArtifactServer) -> None:
    c = Client(server)
    data = b"x"
    assert c.put(data).status_code == 200
    digest = blake3(data).hexdigest()
    r = c.commit([{"path": "d/a", "digest": digest, "size": 1}, {"path": "d/a/b/c", "digest": digest, "size": 1}])
    assert r.status_code == 422 and "'d/a' as a file and as the folder of 'd/a/b/c'" in r.json()["detail"], r.text
