"""What goes between ``RemoteCatalog`` (``remote.py``) and ``wbnb server``
(``server/routes/artifacts.py``): the catalog's records as JSON (``*_json`` written,
``*_from_json`` read back), and the size of blob chunks."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..wire import MiB
from .records import CollectionRecord, Commit, Entry, RunRef, VersionRecord

UPLOAD_CHUNK = 32 * MiB  # bytes of a blob a client sends in one request at most
MAX_CHUNK = 2 * UPLOAD_CHUNK  # a server's default limit on one (a smaller one halves the client's)
MANIFEST_PAGE = 10_000  # entries of a manifest in one answer at most


def version_json(v: VersionRecord) -> dict[str, Any]:
    """A version as the server sends it."""
    return asdict(v)


def version_from_json(data: dict[str, Any]) -> VersionRecord:
    """A version the server sent."""
    run = data.get("logged_by")
    return VersionRecord(
        **{
            **data,
            "aliases": tuple(data.get("aliases") or ()),
            "metadata": data.get("metadata") or {},
            "logged_by": RunRef(**run) if run else None,
        }
    )


def collection_from_json(data: dict[str, Any]) -> CollectionRecord:
    """A collection the server sent."""
    return CollectionRecord(**data)


def commit_json(c: Commit) -> dict[str, Any]:
    """A commit as a client sends it."""
    out = asdict(c)
    out["entries"] = [e.to_json() for e in c.entries]
    return out


def commit_from_json(data: dict[str, Any]) -> Commit:
    """A commit a client sent (validated by the server's body model first)."""
    run = data.get("run")
    return Commit(
        project=data["project"],
        name=data["name"],
        type=data["type"],
        entries=tuple(Entry.from_json(e) for e in data["entries"]),
        description=data.get("description"),
        metadata=data.get("metadata") or {},
        aliases=tuple(data.get("aliases") or ()),
        run=RunRef(**run) if run else None,
    )
