"""Artifact files on a ``wbnb server``: uploads deduplicated by digest (bytes the server
holds are never sent), resumable (an upload cut off goes on from what the server
kept), verified before they become visible, in chunks the server bounds; digests
are names, never paths."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
from blake3 import blake3

from tests.waiting import wait_for
from wbnb.server import uploads
from wbnb.server.files import FilesBackend
from wbnb.store.catalog.cache import BlobCache
from wbnb.store.catalog.records import ArtifactConflict, Commit, Entry

from .artifactsrv import BACKENDS, ArtifactServer, blob, serving

MiB = 1 << 20


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArtifactServer]:
    with serving(request, tmp_path_factory.mktemp("artifacts-blobs"), max_chunk=MiB, max_body=256 << 10) as srv:
        yield srv


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_bytes_the_server_holds_are_never_sent_again(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    cat, sent = server.catalog(entity, chunk=MiB)
    path, e = blob(tmp_path, "weights.bin", os.urandom(3 * MiB + 5))
    cat.put_blob(path, e.digest, e.size or 0)
    assert sent.blob_bytes == e.size and sent.of("PUT", "/blobs/") == 4  # three whole chunks and the rest
    again, sent_again = server.catalog(entity)
    again.put_blob(path, e.digest, e.size or 0)  # the server says it is complete: nothing is sent
    assert sent_again.blob_bytes == 0 and sent_again.of("PUT", "/blobs/") == 0
    assert again.missing([e.digest]) == set()
    assert again.blob_file(e.digest).read_bytes() == path.read_bytes()


def test_chunks_over_the_servers_limit_are_halved(server: ArtifactServer, tmp_path: Path) -> None:
    cat, sent = server.catalog(server.entity(), chunk=4 * MiB)  # the server takes 1 MiB
    path, e = blob(tmp_path, "big", os.urandom(3 * MiB))
    cat.put_blob(path, e.digest, e.size or 0)
    assert cat.chunk == MiB and cat.missing([e.digest]) == set()
    assert cat.blob_file(e.digest).read_bytes() == path.read_bytes()


def test_an_upload_cut_off_goes_on_from_what_the_server_kept(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    key = server.key(entity)
    cat, sent = server.catalog(entity, key=key, chunk=MiB)
    path, e = blob(tmp_path, "ckpt", os.urandom(3 * MiB))
    size = e.size or 0
    # A client that dies partway through a chunk (a raw socket closed after half of it): the server keeps what arrived.
    url = urlparse(server.url)
    target = f"/api/v1/entities/{entity}/artifacts/blobs/{e.digest}?offset=0&size={size}"
    kept = MiB // 2 + 10
    with socket.create_connection((url.hostname, url.port)) as s:
        head = (
            f"PUT {target} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {MiB}\r\n\r\n"
        )
        s.sendall(head.encode() + path.read_bytes()[:kept])
    status_url = f"{server.url}/api/v1/entities/{entity}/artifacts/blobs/{e.digest}/upload"
    wait_for(
        lambda: requests.get(status_url, headers=_auth(key), timeout=10).json()["received"] == kept,
        what="the server to keep the bytes that arrived",
    )
    assert cat.missing([e.digest]) == {e.digest}  # not visible while partial
    cat.put_blob(path, e.digest, size)
    assert sent.blob_bytes == size - kept  # only the rest went
    assert cat.missing([e.digest]) == set()
    assert blake3(cat.blob_file(e.digest).read_bytes()).hexdigest() == e.digest


def test_bytes_that_hash_otherwise_are_refused_and_never_visible(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    key = server.key(entity)
    cat, _ = server.catalog(entity, key=key, chunk=MiB)
    _, e = blob(tmp_path, "real", os.urandom(2 * MiB))
    fake, _ = blob(tmp_path, "fake", os.urandom(2 * MiB))  # same size, other bytes
    with pytest.raises(ValueError, match="hash"):
        cat.put_blob(fake, e.digest, e.size or 0)
    assert cat.missing([e.digest]) == {e.digest}
    with pytest.raises(FileNotFoundError):
        cat.blob_file(e.digest)
    base = f"{server.url}/api/v1/entities/{entity}/artifacts/blobs/{e.digest}"
    assert requests.get(base + "/upload", headers=_auth(key), timeout=10).json()["received"] == 0  # discarded
    with pytest.raises(ArtifactConflict):
        cat.commit(Commit("p", "x", "model", (e,)))


def test_chunks_must_follow_what_the_server_holds(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    key = server.key(entity)
    data = b"0123456789"
    digest = blake3(data).hexdigest()
    base = f"{server.url}/api/v1/entities/{entity}/artifacts/blobs/{digest}"
    h = {**_auth(key), "Content-Type": "application/octet-stream"}
    r = requests.put(base, params={"offset": 4, "size": 10}, data=data[4:], headers=h, timeout=10)
    assert r.status_code == 409 and "offset 0" in r.json()["detail"]
    r = requests.put(base, params={"offset": 0, "size": 10}, data=data + b"more", headers=h, timeout=10)
    assert r.status_code == 422 and "past the blob's size" in r.json()["detail"]
    r = requests.put(base, params={"offset": 0, "size": 10}, data=data[:4], headers=h, timeout=10)
    assert r.json() == {"digest": digest, "received": 4, "complete": False}
    r = requests.put(base, params={"offset": 4, "size": 10}, data=data[4:], headers=h, timeout=10)
    assert r.json() == {"digest": digest, "received": 10, "complete": True}
    got = requests.get(base, headers=_auth(key), timeout=10)
    assert got.content == data and got.headers["content-type"] == "application/octet-stream"
    part = requests.get(base, headers={**_auth(key), "Range": "bytes=4-"}, timeout=10)
    assert part.status_code == 206 and part.content == data[4:]
    assert requests.head(base, headers=_auth(key), timeout=10).headers["content-length"] == "10"


@pytest.mark.parametrize("digest", ["ab", "A" * 64, "g" * 64, "..", "%2E%2E%2Fkeys.json", "0" * 64 + ".part"])
def test_digests_are_names_never_paths(server: ArtifactServer, digest: str) -> None:
    entity = server.entity()
    key = server.key(entity)
    base = f"{server.url}/api/v1/entities/{entity}/artifacts/blobs/{digest}"
    for r in (
        requests.put(base, params={"size": 1}, data=b"x", headers=_auth(key), timeout=10),
        requests.get(base, headers=_auth(key), timeout=10),
        requests.get(base + "/upload", headers=_auth(key), timeout=10),
    ):
        assert r.status_code in (404, 422), r.text
    r = requests.post(
        f"{server.url}/api/v1/entities/{entity}/artifacts/blobs/missing",
        json={"digests": [digest]},
        headers=_auth(key),
        timeout=10,
    )
    assert r.status_code == 422
    assert not list((server.proc.root / "uploads").glob("**/*.part"))  # nothing was written for any of them


def test_two_clients_uploading_one_blob_at_once_both_end_with_it(server: ArtifactServer, tmp_path: Path) -> None:
    """One upload of a blob at a time (the other hears 409 and goes on from what the
    server holds), so the blob is whole and verified whoever sent which chunk."""
    entity = server.entity()
    key = server.key(entity)
    path, e = blob(tmp_path, "shared", os.urandom(4 * MiB))
    clients = [server.catalog(entity, key=key, chunk=256 << 10)[0] for _ in range(2)]
    errors: list[BaseException] = []

    def upload(cat: Any) -> None:
        try:
            cat.put_blob(path, e.digest, e.size or 0)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert clients[0].missing([e.digest]) == set()
    assert clients[1].blob_file(e.digest).read_bytes() == path.read_bytes()


def test_a_manifest_too_big_for_a_body_goes_as_a_blob(server: ArtifactServer, tmp_path: Path) -> None:
    """The server takes 256 KiB bodies here: 4000 entries (~0.5 MB) are refused (413),
    so the client uploads them as a blob the commit names, and the version is whole."""
    cat, sent = server.catalog(server.entity())
    path, e = blob(tmp_path, "same", b"one file under many names")
    cat.put_blob(path, e.digest, e.size or 0)
    entries = tuple(Entry(f"shard/{i:05d}.bin", e.digest, e.size) for i in range(4000))
    v, created = cat.commit(Commit("p", "many", "dataset", entries, metadata={"shards": 4000}))
    assert created and v.file_count == 4000 and v.digest == Commit("p", "many", "dataset", entries).digest
    assert sent.of("POST", "/artifacts/versions") == 2  # refused whole, then by its manifest's digest
    assert cat.manifest(v.id) == list(entries)
    again, created = cat.commit(Commit("p", "many", "dataset", entries, aliases=("all",)))
    assert not created and again.id == v.id and "all" in again.aliases


def test_a_manifest_blob_is_checked_as_a_body_is(server: ArtifactServer, tmp_path: Path) -> None:
    entity = server.entity()
    key = server.key(entity)
    cat, _ = server.catalog(entity, key=key)
    url = f"{server.url}/api/v1/entities/{entity}/artifacts/versions"
    base = {"project": "p", "name": "m", "type": "dataset"}
    r = requests.post(url, json={**base, "manifest": "0" * 64}, headers=_auth(key), timeout=10)
    assert r.status_code == 409 and "upload it" in r.json()["detail"]
    bad, e = blob(tmp_path, "bad.json", b'[{"path": "../escape", "digest": "' + b"0" * 64 + b'", "size": 1}]')
    cat.put_blob(bad, e.digest, e.size or 0)
    r = requests.post(url, json={**base, "manifest": e.digest}, headers=_auth(key), timeout=10)
    assert r.status_code == 422 and "manifest blob" in r.json()["detail"] and "path" in r.json()["detail"]
    r = requests.post(
        url, json={**base, "manifest": e.digest, "entries": [e.to_json()]}, headers=_auth(key), timeout=10
    )
    assert r.status_code == 422 and "not both" in r.json()["detail"]


def test_a_download_cut_off_goes_on_with_a_range_request(server: ArtifactServer, tmp_path: Path) -> None:
    """The server is killed after the first MiB of a 32 MiB download (more than any
    socket buffers) and started again: the client asks for the rest only, and the cache
    gets the whole file, verified."""
    entity = server.entity()
    key = server.key(entity)
    writer, _ = server.catalog(entity, key=key)
    path, e = blob(tmp_path, "big", os.urandom(32 * MiB))
    writer.put_blob(path, e.digest, e.size or 0)
    reader, _ = server.catalog(entity, key=key)
    ranges: list[str] = []
    reader.conn.session.hooks["response"].append(lambda r, *a, **k: ranges.append(r.request.headers.get("Range", "")))

    class Cutting(BlobCache):
        def add(self, digest: str, chunks: Iterable[bytes]) -> Path:
            def cut() -> Iterator[bytes]:
                for n, chunk in enumerate(chunks):
                    yield chunk
                    if n == 0:
                        server.proc.kill()
                        server.proc.start()

            return super().add(digest, cut())

    reader.cache = Cutting(tmp_path / "cache")
    assert reader.blob_file(e.digest).read_bytes() == path.read_bytes()
    assert ranges[0] == "" and len(ranges) == 2 and ranges[1].startswith("bytes=") and ranges[1] != "bytes=0-"


def test_abandoned_uploads_are_dropped_and_live_ones_kept(tmp_path: Path) -> None:
    backend = FilesBackend(tmp_path / "root")
    old, recent, busy = (uploads.partial(backend, "e", c * 64) for c in "abc")
    for path in (old, recent, busy):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"some bytes")
    stale = time.time() - uploads.ABANDONED - 60
    os.utime(old, (stale, stale))
    os.utime(busy, (stale, stale))
    with uploads.appending(busy):  # a request is appending to it right now
        assert uploads.drop_abandoned(backend) == 1
    assert not old.exists() and recent.exists() and busy.exists()
