"""An in-memory ``Catalog`` over a blob folder laid out as the local store's
(``<objects>/<ab>/<sha256>``): enough of the catalog's rules for the lineage, gc, CLI and
widget tests to fill one while SqlCatalog is built elsewhere."""

from __future__ import annotations

import hashlib
import itertools
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from wbnb.store.catalog.base import Catalog
from wbnb.store.catalog.records import (
    LATEST,
    ArtifactConflict,
    ArtifactNotFound,
    CollectionRecord,
    Commit,
    Entry,
    RunRef,
    VersionRecord,
    version_index,
)


class MemCatalog(Catalog):
    def __init__(self, objects: Path) -> None:
        self.objects = objects
        self.ids = itertools.count()
        self.by_id: dict[str, VersionRecord] = {}
        self.entries: dict[str, list[Entry]] = {}
        self.cols: dict[tuple[str, str], CollectionRecord] = {}
        self.uses: dict[str, list[RunRef]] = {}

    def _series(self, project: str, name: str) -> list[VersionRecord]:
        return sorted((v for v in self.by_id.values() if (v.project, v.name) == (project, name)), key=lambda v: v.index)

    def _relatest(self, project: str, name: str) -> None:
        series = self._series(project, name)
        for v in series:
            aliases = tuple(a for a in v.aliases if a != LATEST)
            if v is series[-1]:
                aliases = (*aliases, LATEST)
            self.by_id[v.id] = replace(v, aliases=aliases)

    def _add(self, project: str, name: str, type: str, kind: Any, **fields: Any) -> VersionRecord:
        col = self.cols.get((project, name))
        if col is None:
            col = self.cols[(project, name)] = CollectionRecord(project, name, type, kind, time.time(), 0)
        elif col.type != type:
            raise ArtifactConflict(f"{name} is a {col.type}")
        v = VersionRecord(
            id=str(next(self.ids)),
            project=project,
            name=name,
            type=type,
            index=col.version_count,
            created_at=time.time(),
            **fields,
        )
        self.cols[(project, name)] = replace(col, version_count=col.version_count + 1)
        self.by_id[v.id] = v
        return v

    def _alias(self, v: VersionRecord, aliases: Iterable[str]) -> VersionRecord:
        aliases = tuple(aliases)
        for other in self._series(v.project, v.name):
            if other.id != v.id:
                self.by_id[other.id] = replace(other, aliases=tuple(a for a in other.aliases if a not in aliases))
        cur = self.by_id[v.id]
        self.by_id[v.id] = replace(cur, aliases=tuple(dict.fromkeys((*cur.aliases, *aliases))))
        self._relatest(v.project, v.name)
        return self.by_id[v.id]

    def commit(self, commit: Commit) -> tuple[VersionRecord, bool]:
        for e in commit.entries:
            if e.ref is None and not self._blob(e.digest).exists():
                raise ArtifactConflict(f"blob {e.digest} is not stored")
        for v in self._series(commit.project, commit.name):
            if v.digest == commit.digest:
                return self._alias(v, commit.aliases), False
        v = self._add(
            commit.project,
            commit.name,
            commit.type,
            "sequence",
            digest=commit.digest,
            size=commit.size,
            file_count=len(commit.entries),
            description=commit.description,
            metadata=dict(commit.metadata),
            logged_by=commit.run,
        )
        self.entries[v.id] = sorted(commit.entries, key=lambda e: e.path)
        return self._alias(v, commit.aliases), True

    def resolve(self, project: str, name: str, alias: str = "latest") -> VersionRecord:
        n = version_index(alias)
        for v in self._series(project, name):
            if v.index == n or alias in v.aliases:
                return v
        raise ArtifactNotFound(f"{project}/{name}:{alias} not found")

    def get(self, version_id: str) -> VersionRecord:
        try:
            return self.by_id[version_id]
        except KeyError:
            raise ArtifactNotFound(f"no version {version_id}") from None

    def manifest(self, version_id: str) -> list[Entry]:
        v = self.get(version_id)
        return list(self.entries[v.source_id or v.id])

    def versions(self, project: str, name: str) -> list[VersionRecord]:
        if (project, name) not in self.cols:
            raise ArtifactNotFound(f"no collection {project}/{name}")
        return self._series(project, name)

    def collections(self, project: str | None = None, type: str | None = None) -> list[CollectionRecord]:
        return [
            c
            for k, c in sorted(self.cols.items())
            if (project is None or c.project == project) and (type is None or c.type == type)
        ]

    def projects(self) -> list[str]:
        return sorted({p for p, _ in self.cols})

    def set_aliases(self, version_id: str, aliases: Iterable[str]) -> VersionRecord:
        v = self.get(version_id)
        self.by_id[v.id] = replace(v, aliases=tuple(a for a in v.aliases if a == LATEST))
        return self._alias(self.by_id[v.id], aliases)

    def update(self, version_id: str, changes: Mapping[str, Any]) -> VersionRecord:
        self.by_id[version_id] = replace(self.get(version_id), **changes)
        return self.by_id[version_id]

    def delete(self, version_id: str, delete_aliases: bool = False) -> None:
        v = self.get(version_id)
        if self.links(version_id) or (not delete_aliases and set(v.aliases) - {LATEST}):
            raise ArtifactConflict(f"{v.name}:{v.version} has aliases or links")
        del self.by_id[version_id]
        self.entries.pop(version_id, None)
        self._relatest(v.project, v.name)

    def use(self, version_id: str, run: RunRef) -> None:
        runs = self.uses.setdefault(version_id, [])
        if run not in runs:
            runs.append(run)

    def used_by(self, version_id: str) -> list[RunRef]:
        return list(self.uses.get(version_id, []))

    def outputs(self, run: RunRef) -> list[VersionRecord]:
        return [v for v in self.by_id.values() if v.logged_by == run and v.source_id is None]

    def inputs(self, run: RunRef) -> list[VersionRecord]:
        return [self.by_id[i] for i, runs in self.uses.items() if run in runs and i in self.by_id]

    def link(self, version_id: str, project: str, name: str, aliases: Iterable[str] = ()) -> VersionRecord:
        src = self.get(version_id)
        src = self.get(src.source_id) if src.source_id else src
        for v in self._series(project, name):
            if v.source_id == src.id:
                return self._alias(v, aliases)
        v = self._add(
            project,
            name,
            src.type,
            "portfolio",
            digest=src.digest,
            size=src.size,
            file_count=src.file_count,
            metadata=dict(src.metadata),
            logged_by=src.logged_by,
            source_id=src.id,
        )
        return self._alias(v, aliases)

    def links(self, version_id: str) -> list[VersionRecord]:
        return [v for v in self.by_id.values() if v.source_id == version_id]

    def _blob(self, digest: str) -> Path:
        return self.objects / digest[:2] / digest

    def missing(self, digests: Iterable[str]) -> set[str]:
        return {d for d in digests if not self._blob(d).exists()}

    def put_blob(self, src: Path, digest: str, size: int) -> None:
        if hashlib.sha256(src.read_bytes()).hexdigest() != digest:
            raise ValueError("digest mismatch")
        dst = self._blob(digest)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists():
            shutil.copyfile(src, dst)

    def blob_file(self, digest: str) -> Path:
        path = self._blob(digest)
        if not path.exists():
            raise FileNotFoundError(digest)
        return path


def log(catalog: Catalog, tmp: Path, project: str, name: str, files: dict[str, bytes], **kw: Any) -> VersionRecord:
    """Store ``files`` as blobs and commit them as a version of ``project/name``."""
    entries = []
    for path, data in files.items():
        src = tmp / hashlib.sha256(path.encode()).hexdigest()
        src.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        catalog.put_blob(src, digest, len(data))
        entries.append(Entry(path, digest, len(data)))
    kw.setdefault("type", "dataset")
    return catalog.commit(Commit(project=project, name=name, entries=tuple(entries), **kw))[0]
