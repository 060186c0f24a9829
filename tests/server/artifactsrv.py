"""A ``wbnb server`` on each backend for the artifact tests (``test_artifacts_*.py``),
and what they share: ``RemoteCatalog`` clients with their own download cache, files
with known digests, and a count of what a client sent."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from blake3 import blake3

from wbnb.store.catalog.cache import BlobCache
from wbnb.store.catalog.records import Entry
from wbnb.store.catalog.remote import RemoteCatalog
from wbnb.store.remote import Connection

from .serverproc import ServerProcess, make_key

BACKENDS = ["files", "postgres"]


@dataclass
class Sent:
    """What a client's session sent, counted from its answered requests."""

    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    blob_bytes: int = 0  # bytes of blob chunks (PUT .../blobs/<digest>)

    def hook(self, r: Any, *args: Any, **kwargs: Any) -> None:
        path = r.request.path_url.split("?")[0]
        self.requests.append((r.request.method, path))
        if r.request.method == "PUT" and "/artifacts/blobs/" in path and r.request.body is not None:
            self.blob_bytes += len(r.request.body)

    def of(self, method: str, part: str) -> int:
        """How many ``method`` requests had ``part`` in their path."""
        return sum(1 for m, p in self.requests if m == method and part in p)


@dataclass
class ArtifactServer:
    """A running server, its database (None: the files backend) and a folder for caches."""

    proc: ServerProcess
    database: str | None
    tmp: Path

    @property
    def url(self) -> str:
        return self.proc.url

    def entity(self) -> str:
        """A new entity of the test's own (servers on PostgreSQL share the database)."""
        return f"e{uuid.uuid4().hex[:10]}"

    def key(self, entity: str) -> str:
        return make_key(self.proc.root, entity, self.database)

    def catalog(self, entity: str, key: str | None = None, **options: Any) -> tuple[RemoteCatalog, Sent]:
        """A client of ``entity``'s catalog (with ``key``, by default a new key of its
        own), its own download cache, no progress bars; and what it sends."""
        conn = Connection(self.url, key or self.key(entity))
        sent = Sent()
        conn.session.hooks["response"].append(sent.hook)
        cache = BlobCache(self.tmp / "caches" / uuid.uuid4().hex)
        return RemoteCatalog(conn, entity, cache=cache, progress=False, **options), sent


@contextmanager
def serving(request: pytest.FixtureRequest, tmp: Path, **limits: Any) -> Iterator[ArtifactServer]:
    """A server on ``request.param``'s backend (a fresh database for PostgreSQL)."""
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").create_database(f"art_{os.urandom(4).hex()}")
    proc = ServerProcess(tmp / "root", database=database, **limits)
    proc.start()
    try:
        yield ArtifactServer(proc, database, tmp)
    finally:
        proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


def blob(folder: Path, name: str, data: bytes) -> tuple[Path, Entry]:
    """A file holding ``data`` and its manifest entry."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, Entry(name, blake3(data).hexdigest(), len(data))
