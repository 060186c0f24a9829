"""A collection as the ArtifactBrowser's ``_data`` trait, and a version's files as its
reply: read from the catalog, every text written here (``textout``) for page and picture."""

from __future__ import annotations

from collections.abc import Callable

from ...store.catalog.base import Catalog
from ...store.catalog.records import LATEST, RunRef, VersionRecord
from ...textout import human_bytes, local_time
from .contract import MAX_FILES, MAX_VERSIONS, BrowserData, FileRow, FilesReply, RunLabel, VersionRow

RunNames = Callable[[RunRef], str]


def _run(run: RunRef, names: RunNames) -> RunLabel:
    return {"project": run.project, "id": run.run_id, "name": names(run)}


def version_row(catalog: Catalog, v: VersionRecord, names: RunNames) -> VersionRow:
    """One version with its lineage (who logged it, who used it, where it is linked)."""
    return {
        "id": v.id,
        "version": v.version,
        "aliases": [a for a in v.aliases if a != LATEST] + ([LATEST] if LATEST in v.aliases else []),
        "size": human_bytes(v.size),
        "files": v.file_count,
        "created": local_time(v.created_at),
        "digest": v.digest,
        "description": v.description or "",
        "metadata": dict(v.metadata),
        "logged_by": _run(v.logged_by, names) if v.logged_by is not None else None,
        "used_by": [_run(r, names) for r in catalog.used_by(v.id)],
        "links": [f"{link.project}/{link.name}:{link.version}" for link in catalog.links(v.id)],
    }


def browser_data(catalog: Catalog, project: str, name: str, names: RunNames) -> BrowserData:
    """The collection ``project/name``, its newest ``MAX_VERSIONS`` versions first."""
    col = next((c for c in catalog.collections(project) if c.name == name), None)
    versions = catalog.versions(project, name)  # ArtifactNotFound, saying what exists
    assert col is not None
    return {
        "project": project,
        "name": name,
        "type": col.type,
        "kind": col.kind,
        "total": len(versions),
        "versions": [version_row(catalog, v, names) for v in reversed(versions[-MAX_VERSIONS:])],
    }


def files_reply(catalog: Catalog, version_id: str, limit: int = MAX_FILES) -> FilesReply:
    """A version's first ``limit`` files (path order) and how many it has."""
    entries = catalog.manifest(version_id)
    files: list[FileRow] = [
        {"path": e.path, "size": "-" if e.size is None else human_bytes(e.size), "digest": e.digest, "ref": e.ref}
        for e in entries[:limit]
    ]
    return {"type": "files", "version": version_id, "files": files, "total": len(entries)}
