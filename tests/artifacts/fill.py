"""Filling a catalog in tests: a SqlCatalog over SQLite in a folder, and versions made
from bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blake3 import blake3

from wbnb.store.catalog.base import Catalog
from wbnb.store.catalog.blobs import LocalBlobs
from wbnb.store.catalog.dialect import CATALOG
from wbnb.store.catalog.records import Commit, Entry, VersionRecord
from wbnb.store.catalog.sql import SqlCatalog
from wbnb.store.catalog.sqlite import SqliteDialect


def new_catalog(folder: Path) -> SqlCatalog:
    """An empty catalog in ``folder`` (``catalog.sqlite``, blobs in ``objects/``)."""
    return SqlCatalog(SqliteDialect(folder / "catalog.sqlite", CATALOG), LocalBlobs(folder / "objects"))


def log(catalog: Catalog, tmp: Path, project: str, name: str, files: dict[str, bytes], **kw: Any) -> VersionRecord:
    """Store ``files`` as blobs (written through ``tmp``, a folder) and commit them as a
    version of ``project/name`` (``type`` "dataset" unless given)."""
    entries = []
    for path, data in files.items():
        src = tmp / blake3(path.encode() + data).hexdigest()
        src.write_bytes(data)
        digest = blake3(data).hexdigest()
        catalog.put_blob(src, digest, len(data))
        entries.append(Entry(path, digest, len(data)))
    kw.setdefault("type", "dataset")
    return catalog.commit(Commit(project=project, name=name, entries=tuple(entries), **kw))[0]
