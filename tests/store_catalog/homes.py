"""The catalog homes the suite runs against, opened from a picklable ``Home`` so that
child processes (concurrent commits, SIGKILL) open the same catalog as the test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from blake3 import blake3

from wbnb.store.catalog.base import Catalog
from wbnb.store.catalog.records import Commit, Entry, VersionRecord
from wbnb.store.catalog.sql import SqlCatalog


@dataclass(frozen=True)
class Home:
    """Where a catalog lives: a local store's folder (``url`` None) or a PostgreSQL
    database (``url``) with its blobs below ``root``, scoped to ``entity``."""

    root: Path
    url: str | None = None
    entity: str = ""

    @contextmanager
    def open(self) -> Iterator[SqlCatalog]:
        """A catalog object over this home, for one process."""
        if self.url is None:
            from wbnb.store.local import LocalStore

            catalog = LocalStore(self.root).catalog
            yield catalog
            catalog.close()
            return
        from wbnb.server.postgres.catalog import postgres_catalog
        from wbnb.server.postgres.database import Database
        from wbnb.server.postgres.dialect import PostgresDialect
        from wbnb.store.catalog.dialect import CATALOG

        db = Database(self.url, 2)
        try:
            yield postgres_catalog(PostgresDialect(db, CATALOG), self.root, self.entity)
        finally:
            db.close()


def stored(catalog: Catalog, files: dict[str, bytes], tmp: Path) -> tuple[Entry, ...]:
    """Store ``files`` (path -> bytes) as blobs through ``put_blob``; their entries."""
    tmp.mkdir(parents=True, exist_ok=True)
    out = []
    for path, data in files.items():
        digest = blake3(data).hexdigest()
        src = tmp / f"src-{digest}"
        src.write_bytes(data)
        catalog.put_blob(src, digest, len(data))
        out.append(Entry(path, digest, len(data)))
    return tuple(out)


def commit(
    catalog: Catalog, files: dict[str, bytes], tmp: Path, name: str = "data", **fields: Any
) -> tuple[VersionRecord, bool]:
    """Commit ``files`` as a version of ``proj/<name>`` (``fields``: the rest of ``Commit``)."""
    fields = {"project": "proj", "type": "dataset", **fields}
    return catalog.commit(Commit(name=name, entries=stored(catalog, files, tmp), **fields))


def commit_series(home: Home, tag: str, count: int, files: int, tmp: Path) -> None:
    """Commit ``count`` versions of ``files`` files each, distinct from any other
    ``tag``'s, into ``proj/shared`` (``count`` 0: forever); then the content every
    caller shares. The blobs are stored first, so the loop's time is spent committing
    (where a kill should land). Runs in a child process."""
    with home.open() as catalog:
        blobs = stored(catalog, {f"{tag}-{j}": f"{tag}-{j}".encode() for j in range(files)}, tmp / tag)
        i = 0
        while count == 0 or i < count:
            entries = tuple(replace(e, path=f"{tag}/v{i}/{e.path}") for e in blobs)
            catalog.commit(Commit("proj", "shared", "dataset", entries))
            i += 1
        commit(catalog, {"same": b"every process"}, tmp / tag, name="shared")
