"""``SqlCatalog``: the ``Catalog`` over SQL tables (``dialect.py``: SQLite for a local
store, PostgreSQL for a server) and content-addressed files (``blobs.py``).

- A version row holds its collection's index (``idx``, from the collection's
  ``next_index``: a deleted version's index is never given again), its content digest,
  and the run that logged it. ``UNIQUE (collection, digest)`` is the rule "one version per
  distinct content"; ``latest`` is the highest index, computed, never stored.
- A link is a version row of a ``portfolio`` collection with ``source_id`` set and no
  entries of its own: its manifest and its logging run are its source's.
- Writes run in the dialect's write transaction, which keeps out other writers of the
  entity: a commit reads the collection and adds its version with nothing in between,
  and a process killed during it leaves the tables as before (the database's own
  atomicity).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..names import check_name
from .base import Catalog
from .blobs import LocalBlobs
from .dialect import Dialect, Row, Sql, T
from .records import (
    LATEST,
    ArtifactConflict,
    ArtifactNotFound,
    CollectionRecord,
    Commit,
    Entry,
    Kind,
    RunRef,
    VersionRecord,
    check_alias,
    check_artifact_name,
    check_type,
    version_index,
)

# A version with what a record needs: its collection's names, and a link's source's run.
_VERSION = """
SELECT v.id, c.project, c.name, c.type, v.idx, v.digest, v.size, v.file_count, v.created_at,
       v.description, v.metadata, COALESCE(s.run_project, v.run_project), COALESCE(s.run_id, v.run_id),
       v.source_id, (SELECT MAX(m.idx) FROM art_versions m WHERE m.collection = c.id)
FROM art_versions v JOIN art_collections c ON c.id = v.collection
LEFT JOIN art_versions s ON s.id = v.source_id
"""
_COLLECTION = "SELECT id, type, kind FROM art_collections WHERE entity = ? AND project = ? AND name = ?"
EDITABLE = ("description", "metadata")
COLLECTION_EDITABLE = ("description", "name")


def _check_paths(name: str, paths: list[str]) -> None:
    """``ValueError`` unless a download can place every path: none twice, none both a
    file and the folder of another (``a`` beside ``a/b``)."""
    if len(set(paths)) != len(paths):
        raise ValueError(f"artifact {name!r} names a file twice: {sorted(p for p in paths if paths.count(p) > 1)}")
    files = set(paths)
    for path in paths:
        folder = path.rpartition("/")[0]
        while folder:
            if folder in files:
                raise ValueError(
                    f"artifact {name!r} names {folder!r} as a file and as the folder of {path!r}; rename one"
                )
            folder = folder.rpartition("/")[0]


class SqlCatalog(Catalog):
    """One entity's artifacts in the tables of ``dialect``, their files in ``blobs``.
    ``entity`` scopes a database that several entities share (a server's)."""

    def __init__(self, dialect: Dialect, blobs: LocalBlobs, entity: str = "") -> None:
        self.dialect = dialect
        self.blobs = blobs
        self.entity = entity

    def __repr__(self) -> str:
        return f"SqlCatalog({self.dialect!r}, {self.blobs!r})"

    def close(self) -> None:
        """Release the database connections."""
        self.dialect.close()

    def _write(self, work: Callable[[Sql], T]) -> T:
        return self.dialect.write(work, self.entity)

    # -- versions ----------------------------------------------------------------------

    def commit(self, commit: Commit) -> tuple[VersionRecord, bool]:
        project = check_name("project", commit.project)
        name, type_ = check_artifact_name(commit.name), check_type(commit.type)
        aliases = _user_aliases(commit.aliases)
        _check_paths(name, [e.path for e in commit.entries])
        stored = [e for e in commit.entries if e.ref is None]
        digest = commit.digest
        metadata = json.dumps(commit.metadata)
        run = commit.run

        def work(q: Sql) -> tuple[str, bool]:
            cid = self._collection(q, project, name, type_, "sequence")
            sizes = self.blobs.sizes(e.digest for e in stored)
            lost = sorted(e.path for e in stored if e.digest not in sizes)
            if lost:
                raise ArtifactConflict(f"artifact {name!r}: the content of {', '.join(lost)} is not stored")
            for e in stored:  # a manifest whose sizes lie would fail every download's check
                if sizes[e.digest] != e.size:
                    raise ValueError(
                        f"artifact {name!r}: {e.path} is listed as {e.size} bytes; its content has {sizes[e.digest]}"
                    )
            found = q.one("SELECT id, run_id FROM art_versions WHERE collection = ? AND digest = ?", cid, digest)
            if found:
                vid = found[0]
                if run is not None and found[1] is None:
                    q.run(
                        "UPDATE art_versions SET run_project = ?, run_id = ? WHERE id = ?", run.project, run.run_id, vid
                    )
                _move_aliases(q, cid, vid, aliases)
                return vid, False
            vid = uuid.uuid4().hex
            index = _next_index(q, cid)
            q.run(
                "INSERT INTO art_versions (id, collection, idx, digest, size, file_count, created_at, description,"
                " metadata, run_project, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                *(vid, cid, index, digest, commit.size, len(commit.entries), time.time()),
                *(commit.description, metadata, run and run.project, run and run.run_id),
            )
            q.many(
                "INSERT INTO art_entries (version_id, path, digest, size, ref) VALUES (?, ?, ?, ?, ?)",
                [(vid, e.path, e.digest, e.size, e.ref) for e in commit.entries],
            )
            _move_aliases(q, cid, vid, aliases)
            return vid, True

        vid, new = self._write(work)
        return self.get(vid), new

    def resolve(self, project: str, name: str, alias: str = LATEST) -> VersionRecord:
        def work(q: Sql) -> VersionRecord:
            cid = self._existing(q, project, name)
            index = version_index(alias)
            args: tuple[Any, ...]
            if alias == LATEST:
                where, args = "v.idx = (SELECT MAX(idx) FROM art_versions WHERE collection = ?)", (cid,)
            elif index is not None:
                where, args = "v.idx = ?", (index,)
            else:
                where, args = (
                    "v.id = (SELECT version_id FROM art_aliases WHERE collection = ? AND alias = ?)",
                    (cid, alias),
                )
            records = self._select(q, f"v.collection = ? AND {where}", (cid, *args))
            if not records:
                raise ArtifactNotFound(_no_alias(q, cid, project, name, alias))
            return records[0]

        return self.dialect.read(work)

    def get(self, version_id: str) -> VersionRecord:
        return self.dialect.read(lambda q: self._get(q, version_id))

    def manifest(self, version_id: str) -> list[Entry]:
        def work(q: Sql) -> list[Entry]:
            record = self._get(q, version_id)
            rows = q.all(
                "SELECT path, digest, size, ref FROM art_entries WHERE version_id = ? ORDER BY path",
                record.source_id or record.id,
            )
            return [Entry(*row) for row in rows]

        return self.dialect.read(work)

    def versions(self, project: str, name: str) -> list[VersionRecord]:
        def work(q: Sql) -> list[VersionRecord]:
            return self._select(q, "v.collection = ?", (self._existing(q, project, name),), "v.idx")

        return self.dialect.read(work)

    def collections(self, project: str | None = None, type: str | None = None) -> list[CollectionRecord]:
        where = "c.entity = ?" + (" AND c.project = ?" if project is not None else "")
        where += " AND c.type = ?" if type is not None else ""
        args = [a for a in (self.entity, project, type) if a is not None]
        return self.dialect.read(lambda q: _collections(q, where, *args))

    def projects(self) -> list[str]:
        rows = self.dialect.read(
            lambda q: q.all(
                "SELECT DISTINCT project FROM art_collections WHERE entity = ? ORDER BY project", self.entity
            )
        )
        return [r[0] for r in rows]

    # -- edits -------------------------------------------------------------------------

    def set_aliases(self, version_id: str, aliases: Iterable[str]) -> VersionRecord:
        wanted = _user_aliases(aliases)

        def work(q: Sql) -> None:
            cid = self._collection_of(q, version_id)
            for (alias,) in q.all("SELECT alias FROM art_aliases WHERE version_id = ?", version_id):
                if alias not in wanted:
                    q.run("DELETE FROM art_aliases WHERE collection = ? AND alias = ?", cid, alias)
            _move_aliases(q, cid, version_id, wanted)

        self._write(work)
        return self.get(version_id)

    def update(self, version_id: str, changes: Mapping[str, Any]) -> VersionRecord:
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ValueError(f"only {' and '.join(EDITABLE)} of an artifact version can change, not {sorted(unknown)}")
        if "metadata" in changes and not isinstance(changes["metadata"], dict):
            raise ValueError(f"an artifact's metadata is a dict, not {type(changes['metadata']).__name__}")
        values = {k: json.dumps(v) if k == "metadata" else v for k, v in changes.items()}

        def work(q: Sql) -> None:
            self._collection_of(q, version_id)
            for column, value in values.items():  # column names from EDITABLE only
                q.run(f"UPDATE art_versions SET {column} = ? WHERE id = ?", value, version_id)

        self._write(work)
        return self.get(version_id)

    def delete(self, version_id: str, delete_aliases: bool = False) -> None:
        def work(q: Sql) -> None:
            record = self._get(q, version_id)
            user = [a for a in record.aliases if a != LATEST]
            if user and not delete_aliases:
                raise ArtifactConflict(
                    f"{record.name}:{record.version} has aliases {', '.join(user)}: "
                    "remove them first, or delete with delete_aliases=True"
                )
            links = self._select(q, "v.source_id = ?", (version_id,))
            if links:
                named = ", ".join(f"{r.project}/{r.name}:{r.version}" for r in links)
                raise ArtifactConflict(f"{record.name}:{record.version} is linked from {named}: unlink those first")
            for table, column in (
                ("art_aliases", "version_id"),
                ("art_entries", "version_id"),
                ("art_uses", "version_id"),
                ("art_versions", "id"),
            ):
                q.run(f"DELETE FROM {table} WHERE {column} = ?", version_id)

        self._write(work)

    def update_collection(self, project: str, name: str, changes: Mapping[str, Any]) -> CollectionRecord:
        unknown = set(changes) - set(COLLECTION_EDITABLE)
        if unknown:
            raise ValueError(
                f"only {' and '.join(COLLECTION_EDITABLE)} of an artifact collection can change, not {sorted(unknown)}"
            )
        new_name = check_artifact_name(changes["name"]) if "name" in changes else name
        description = changes.get("description")
        if description is not None and not isinstance(description, str):
            raise ValueError(f"a collection's description is a str, not {type(description).__name__}")

        def work(q: Sql) -> str:
            cid = self._existing(q, project, name)
            if new_name != name and q.one(_COLLECTION, self.entity, project, new_name):
                raise ArtifactConflict(f"{project}/{new_name} exists: rename {name!r} to another name")
            for column in COLLECTION_EDITABLE:  # column names from COLLECTION_EDITABLE only
                if column in changes:
                    value = new_name if column == "name" else description
                    q.run(f"UPDATE art_collections SET {column} = ? WHERE id = ?", value, cid)
            return cid

        cid = self._write(work)
        return self.dialect.read(lambda q: _collections(q, "c.id = ?", cid))[0]

    def delete_collection(self, project: str, name: str) -> None:
        def work(q: Sql) -> None:
            cid = self._existing(q, project, name)
            links = self._select(
                q, "v.collection <> ? AND v.source_id IN (SELECT id FROM art_versions WHERE collection = ?)", (cid, cid)
            )
            if links:
                named = ", ".join(f"{r.project}/{r.name}:{r.version}" for r in links)
                raise ArtifactConflict(f"{project}/{name} has versions linked from {named}: unlink those first")
            mine = "(SELECT id FROM art_versions WHERE collection = ?)"
            q.run("DELETE FROM art_aliases WHERE collection = ?", cid)
            q.run(f"DELETE FROM art_entries WHERE version_id IN {mine}", cid)
            q.run(f"DELETE FROM art_uses WHERE version_id IN {mine}", cid)
            q.run("DELETE FROM art_versions WHERE collection = ?", cid)
            q.run("DELETE FROM art_collections WHERE id = ?", cid)

        self._write(work)

    # -- lineage -----------------------------------------------------------------------

    def use(self, version_id: str, run: RunRef) -> None:
        def work(q: Sql) -> None:
            self._collection_of(q, version_id)
            q.run(
                "INSERT INTO art_uses (version_id, project, run_id) VALUES (?, ?, ?)"
                " ON CONFLICT (version_id, project, run_id) DO NOTHING",
                version_id,
                run.project,
                run.run_id,
            )

        self._write(work)

    def used_by(self, version_id: str) -> list[RunRef]:
        def work(q: Sql) -> list[RunRef]:
            self._collection_of(q, version_id)
            rows = q.all("SELECT project, run_id FROM art_uses WHERE version_id = ? ORDER BY seq", version_id)
            return [RunRef(*row) for row in rows]

        return self.dialect.read(work)

    def outputs(self, run: RunRef) -> list[VersionRecord]:
        return self.dialect.read(
            lambda q: self._select(
                q, "v.source_id IS NULL AND v.run_project = ? AND v.run_id = ?", (run.project, run.run_id), "v.seq"
            )
        )

    def inputs(self, run: RunRef) -> list[VersionRecord]:
        return self.dialect.read(
            lambda q: self._select(
                q,
                "u.project = ? AND u.run_id = ?",
                (run.project, run.run_id),
                "u.seq",
                "JOIN art_uses u ON u.version_id = v.id",
            )
        )

    # -- registry ----------------------------------------------------------------------

    def link(self, version_id: str, project: str, name: str, aliases: Iterable[str] = ()) -> VersionRecord:
        project, name = check_name("project", project), check_artifact_name(name)
        wanted = _user_aliases(aliases)

        def work(q: Sql) -> str:
            source = self._get(q, version_id)
            if source.source_id is not None:
                source = self._get(q, source.source_id)
            cid = self._collection(q, project, name, source.type, "portfolio")
            found = q.one("SELECT id FROM art_versions WHERE collection = ? AND digest = ?", cid, source.digest)
            if found:
                vid = found[0]
            else:
                vid = uuid.uuid4().hex
                q.run(
                    "INSERT INTO art_versions (id, collection, idx, digest, size, file_count, created_at, metadata,"
                    " source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    *(vid, cid, _next_index(q, cid), source.digest, source.size, source.file_count),
                    *(time.time(), "{}", source.id),
                )
            _move_aliases(q, cid, vid, wanted)
            return vid

        return self.get(self._write(work))

    def links(self, version_id: str) -> list[VersionRecord]:
        def work(q: Sql) -> list[VersionRecord]:
            self._collection_of(q, version_id)
            return self._select(q, "v.source_id = ?", (version_id,), "v.seq")

        return self.dialect.read(work)

    # -- bytes -------------------------------------------------------------------------

    def missing(self, digests: Iterable[str]) -> set[str]:
        return self.blobs.missing(digests)

    def put_blob(self, src: Path, digest: str, size: int, consume: bool = False) -> None:
        self.blobs.put(src, digest, size, consume)

    def referenced(self) -> set[str]:
        """The digests of every stored file some version names (what ``gc`` keeps)."""
        return self.dialect.read(self._referenced)

    def _referenced(self, q: Sql) -> set[str]:
        rows = q.all(
            "SELECT DISTINCT e.digest FROM art_entries e JOIN art_versions v ON v.id = e.version_id"
            " JOIN art_collections c ON c.id = v.collection WHERE c.entity = ? AND e.ref IS NULL",
            self.entity,
        )
        return {r[0] for r in rows}

    def remove_unreferenced(self, untouched_since: Mapping[str, float]) -> list[tuple[str, int]]:
        """Remove each blob of ``untouched_since`` that no version names and that was not
        written or added again after its time (``LocalBlobs.untouched``), inside a write
        transaction: a commit naming one waits for it, then finds the blob gone and is
        refused, never leaving a version without its file. Returns each removed blob's
        digest and the bytes that freed (none for a hard link whose twin stays)."""

        def work(q: Sql) -> list[tuple[str, int]]:
            names = self._referenced(q)
            removed = []
            for digest, since in untouched_since.items():
                st = None if digest in names else self.blobs.untouched(digest, since)
                if st is not None and self.blobs.remove(digest):
                    removed.append((digest, st.st_size if st.st_nlink <= 1 else 0))
            return removed

        return self._write(work)

    def blob_file(self, digest: str) -> Path:
        path = self.blobs.path(digest)
        if not path.is_file():
            raise FileNotFoundError(f"blob {digest} is not stored in {self.blobs.root}")
        return path

    # -- rows --------------------------------------------------------------------------

    def _collection(self, q: Sql, project: str, name: str, type_: str, kind: Kind) -> str:
        """The id of a collection, made if new; ``ArtifactConflict`` for another type or kind."""
        found = q.one(_COLLECTION, self.entity, project, name)
        if found is None:
            cid = uuid.uuid4().hex
            q.run(
                "INSERT INTO art_collections (id, entity, project, name, type, kind, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                *(cid, self.entity, project, name, type_, kind, time.time()),
            )
            return cid
        cid, has_type, has_kind = found
        if has_kind != kind:
            raise ArtifactConflict(
                f"{project}/{name} is a registry collection of links: link_artifact into it"
                if has_kind == "portfolio"
                else f"{project}/{name} holds logged artifacts, not registry links: link into another name"
            )
        if has_type != type_:
            raise ArtifactConflict(f"artifact {project}/{name} is of type {has_type!r}, not {type_!r}")
        return str(cid)

    def _select(
        self, q: Sql, where: str, args: tuple[Any, ...], order: str = "v.idx", join: str = ""
    ) -> list[VersionRecord]:
        """The versions of this entity matching ``where``, with their aliases."""
        rows = q.all(f"{_VERSION} {join} WHERE c.entity = ? AND {where} ORDER BY {order}", self.entity, *args)
        if not rows:
            return []
        aliases: dict[str, list[str]] = {}
        for vid, alias in q.all(
            "SELECT a.version_id, a.alias FROM art_aliases a WHERE a.version_id IN"
            f" (SELECT v.id FROM art_versions v JOIN art_collections c ON c.id = v.collection {join}"
            f" WHERE c.entity = ? AND {where}) ORDER BY a.alias",
            self.entity,
            *args,
        ):
            aliases.setdefault(vid, []).append(alias)
        return [_record(row, aliases.get(row[0], [])) for row in rows]

    def _get(self, q: Sql, version_id: str) -> VersionRecord:
        records = self._select(q, "v.id = ?", (version_id,))
        if not records:
            raise ArtifactNotFound(f"no artifact version with id {version_id!r}")
        return records[0]

    def _collection_of(self, q: Sql, version_id: str) -> str:
        """The collection id of one of this entity's versions; ``ArtifactNotFound``."""
        row = q.one(
            "SELECT v.collection FROM art_versions v JOIN art_collections c ON c.id = v.collection"
            " WHERE c.entity = ? AND v.id = ?",
            self.entity,
            version_id,
        )
        if row is None:
            raise ArtifactNotFound(f"no artifact version with id {version_id!r}")
        return str(row[0])

    def _existing(self, q: Sql, project: str, name: str) -> str:
        """The id of the collection ``project/name``; ``ArtifactNotFound`` saying what exists."""
        found = q.one(_COLLECTION, self.entity, project, name)
        if found is None:
            raise ArtifactNotFound(self._no_collection(q, project, name))
        return str(found[0])

    def _no_collection(self, q: Sql, project: str, name: str) -> str:
        names = [
            r[0]
            for r in q.all(
                "SELECT name FROM art_collections WHERE entity = ? AND project = ? ORDER BY name", self.entity, project
            )
        ]
        has = f"it has {', '.join(names)}" if names else "it has no artifacts"
        return f"no artifact {name!r} in project {project!r}; {has}"


def _user_aliases(aliases: Iterable[str]) -> list[str]:
    """The user aliases of a call, checked, in order, once each."""
    if isinstance(aliases, str):  # its letters would each become an alias
        raise TypeError(f"aliases are a list of strings, not the string {aliases!r}: write [{aliases!r}]")
    return list(dict.fromkeys(check_alias(a) for a in aliases))


def _collections(q: Sql, where: str, *args: Any) -> list[CollectionRecord]:
    """The collections matching ``where``, by project then name."""
    rows = q.all(
        "SELECT c.project, c.name, c.type, c.kind, c.created_at, COUNT(v.id), c.description, c.id,"
        " COALESCE(MAX(v.created_at), c.created_at)"
        " FROM art_collections c LEFT JOIN art_versions v ON v.collection = c.id"
        f" WHERE {where} GROUP BY c.id, c.project, c.name, c.type, c.kind, c.created_at, c.description"
        " ORDER BY c.project, c.name",
        *args,
    )
    return [CollectionRecord(*row) for row in rows]


def _next_index(q: Sql, cid: str) -> int:
    row = q.one("SELECT next_index FROM art_collections WHERE id = ?", cid)
    assert row is not None
    q.run("UPDATE art_collections SET next_index = next_index + 1 WHERE id = ?", cid)
    return int(row[0])


def _move_aliases(q: Sql, cid: str, vid: str, aliases: Iterable[str]) -> None:
    """Point each alias of the collection ``cid`` at the version ``vid``."""
    for alias in aliases:
        q.run(
            "INSERT INTO art_aliases (collection, alias, version_id) VALUES (?, ?, ?)"
            " ON CONFLICT (collection, alias) DO UPDATE SET version_id = excluded.version_id",
            cid,
            alias,
            vid,
        )


def _no_alias(q: Sql, cid: str, project: str, name: str, alias: str) -> str:
    indexes = [r[0] for r in q.all("SELECT idx FROM art_versions WHERE collection = ? ORDER BY idx", cid)]
    aliases = [r[0] for r in q.all("SELECT alias FROM art_aliases WHERE collection = ? ORDER BY alias", cid)]
    versions = ", ".join(f"v{i}" for i in indexes) or "none"
    return f"artifact {project}/{name} has no version {alias!r}; its versions: {versions}" + (
        f"; its aliases: {', '.join(aliases)}" if aliases else ""
    )


def _record(row: Row, aliases: list[str]) -> VersionRecord:
    (vid, project, name, type_, index, digest, size, count, created, description, metadata) = row[:11]
    run_project, run_id, source_id, latest = row[11:]
    return VersionRecord(
        id=vid,
        project=project,
        name=name,
        type=type_,
        index=int(index),
        digest=digest,
        size=int(size),
        file_count=int(count),
        created_at=float(created),
        description=description,
        metadata=json.loads(metadata),
        aliases=((LATEST,) if index == latest else ()) + tuple(aliases),
        logged_by=RunRef(run_project, run_id) if run_id is not None else None,
        source_id=source_id,
    )
