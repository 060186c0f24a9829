"""``Artifact``: wandb's artifact, a draft until logged, then one version of a collection.

A draft collects files (``add_file``, ``add_dir``, ``new_file``, ``add_reference``,
``add``); ``run.log_artifact`` stores their bytes once by digest and commits a version
(``log_into``, the tracker's part). A logged artifact reads its catalog: ``download``,
``checkout``, ``verify``, ``file(s)``, ``get``, lineage, registry links, and edits of
``aliases`` / ``metadata`` / ``description`` kept by ``save()``. ``Api().artifact`` and
``use_artifact`` return the same class.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from ..data.base import warn_once
from ..store.catalog.records import (
    LATEST,
    ArtifactNotFound,
    Commit,
    Entry,
    RunRef,
    VersionRecord,
    check_alias,
    check_artifact_name,
    check_type,
)
from ..store.filters import iso_time
from . import download as dl
from .collection import ArtifactCollection
from .draft import Draft, Staged, entry_name
from .entry import ArtifactFile, ArtifactManifest, ArtifactManifestEntry
from .errors import ArtifactFinalizedError, ArtifactNotLoggedError, WrongArtifactType
from .home import Home, Policy, public_run, save_draft
from .lineage import MAX_NODES, Lineage, lineage, store_run_names
from .objects import find, rebuild, record_name, serialise
from .paths import default_root, target


def _metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"artifact metadata must be a dict, got {type(value).__name__}")
    for key, item in value.items():
        try:
            json.dumps(item, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"artifact metadata[{key!r}] cannot be kept: {e}") from None
    return dict(value)


def user_aliases(aliases: Iterable[str] | None) -> list[str]:
    """Aliases a user may set, checked, in order, without repeats; ``latest`` is the
    catalog's and is dropped (wandb code often passes it)."""
    if isinstance(aliases, str):
        aliases = [aliases]
    out: list[str] = []
    for alias in aliases or ():
        if alias != LATEST and check_alias(alias) not in out:
            out.append(alias)
    return out


class Artifact:
    """A set of files versioned by content: a dataset, a model, evaluation results.

    ``Artifact(name, type, description=None, metadata=None, incremental=False)`` makes a
    draft; add files, then ``run.log_artifact(artifact, aliases=[...])``.
    """

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        incremental: bool = False,
        use_as: str | None = None,
    ) -> None:
        self._name = check_artifact_name(name)
        self._type = check_type(type)
        self._description = description
        self._metadata = _metadata(metadata)
        self._incremental = bool(incremental)
        self._use_as = use_as
        self._aliases: list[str] = []
        self._draft: Draft | None = Draft()
        self._home: Home | None = None
        self._record: VersionRecord | None = None
        self._source: VersionRecord | None = None
        self._entries: list[Entry] | None = None
        self._deleted = False
        self._ttl: timedelta | None = None
        self._tags: list[str] = []
        self._home_project: str | None = None  # new_draft's: where save() outside a run logs it
        self._logging = threading.Lock()  # threads logging this one object take turns

    @classmethod
    def logged(cls, home: Home, record: VersionRecord) -> Artifact:
        """The ``Artifact`` of a version a catalog holds."""
        artifact = cls(record.name, record.type)
        artifact._become(home, record)
        return artifact

    def _become(self, home: Home, record: VersionRecord) -> None:
        self._draft = None
        self._home, self._record = home, record
        self._source = home.catalog.get(record.source_id) if record.source_id else record
        self._name, self._type = record.name, record.type
        self._description, self._metadata = record.description, dict(record.metadata)
        self._aliases = list(record.aliases)
        self._entries = None

    # -- state -------------------------------------------------------------------------

    def is_draft(self) -> bool:
        """True until the artifact is logged."""
        return self._draft is not None

    def _logged(self, attr: str) -> tuple[Home, VersionRecord]:
        if self._home is None or self._record is None:
            raise ArtifactNotLoggedError(attr)
        return self._home, self._record

    def _editable(self, attr: str) -> Draft:
        if self._draft is None:
            raise ArtifactFinalizedError(attr, self.name)
        return self._draft

    # -- identity ----------------------------------------------------------------------

    @property
    def id(self) -> str | None:
        """The version's id in its catalog (None for a draft)."""
        return self._record.id if self._record else None

    @property
    def name(self) -> str:
        """``collection:vN`` once logged; the name given for a draft."""
        return f"{self._record.name}:{self._record.version}" if self._record else self._name

    @property
    def version(self) -> str:
        """``vN``, the version within its collection."""
        return self._logged("version")[1].version

    @property
    def entity(self) -> str:
        """The entity the artifact belongs to."""
        return self._logged("entity")[0].entity

    @property
    def project(self) -> str:
        """The project (or registry project, for a link) the version is in."""
        return self._logged("project")[1].project

    @property
    def qualified_name(self) -> str:
        """``entity/project/collection:vN``."""
        return f"{self.entity}/{self.project}/{self.name}"

    @property
    def url(self) -> str:
        """wandb's web page of the version: "" here, wandb's answer when it has no web app
        to point at (wbnb draws artifacts in the notebook, and ``wbnb artifact ls`` lists them)."""
        self._logged("url")
        return ""

    @property
    def collection(self) -> ArtifactCollection:
        """The collection this version belongs to."""
        home, record = self._logged("collection")
        return self._collection(home, record)

    @staticmethod
    def _collection(home: Home, record: VersionRecord) -> ArtifactCollection:
        for c in home.catalog.collections(record.project):
            if c.name == record.name:
                return ArtifactCollection(home, c, Artifact.logged)
        raise ArtifactNotFound(f"artifact collection {record.project}/{record.name} is gone")

    @property
    def linked_artifacts(self) -> list[Artifact]:
        """The registry links of this version (empty for a link)."""
        home, record = self._logged("linked_artifacts")
        return [] if record.source_id else [Artifact.logged(home, r) for r in home.catalog.links(record.id)]

    @property
    def is_link(self) -> bool:
        """True for a version linked into a registry collection."""
        return bool(self._logged("is_link")[1].source_id)

    @property
    def source_entity(self) -> str:
        """The entity of the version a link shares its files with (itself otherwise)."""
        return self.entity

    @property
    def source_project(self) -> str:
        """The project of the source version."""
        return self._src("source_project").project

    @property
    def source_name(self) -> str:
        """``collection:vN`` of the source version (a draft's name, for a draft)."""
        src = self._source
        return f"{src.name}:{src.version}" if src else self._name

    @property
    def source_version(self) -> str:
        """``vN`` of the source version."""
        return self._src("source_version").version

    @property
    def source_qualified_name(self) -> str:
        """``entity/project/collection:vN`` of the source version."""
        return f"{self.source_entity}/{self.source_project}/{self.source_name}"

    @property
    def source_collection(self) -> ArtifactCollection:
        """The collection of the source version."""
        return self._collection(self._logged("source_collection")[0], self._src("source_collection"))

    @property
    def source_artifact(self) -> Artifact:
        """The version a link shares its files with (itself for a version that is no link)."""
        home, record = self._logged("source_artifact")
        return self if not record.source_id else Artifact.logged(home, self._src("source_artifact"))

    def _src(self, attr: str) -> VersionRecord:
        self._logged(attr)
        assert self._source is not None
        return self._source

    @property
    def type(self) -> str:
        """The artifact's type (``dataset``, ``model``...)."""
        return self._type

    def expect_type(self, type: str | None, call: str) -> None:
        """``WrongArtifactType`` (a ``ValueError``) naming ``call`` unless ``type`` is None
        or this artifact's type (the ``type=`` of wandb's calls)."""
        if type is not None and type != self._type:
            raise WrongArtifactType(f"{call}: artifact {self.name} is of type {self._type!r}, not {type!r}")

    @property
    def state(self) -> str:
        """``PENDING`` (a draft), ``COMMITTED`` or ``DELETED``."""
        return "DELETED" if self._deleted else "PENDING" if self._record is None else "COMMITTED"

    @property
    def incremental(self) -> bool:
        """Whether logging builds on the collection's latest version."""
        return self._incremental

    @property
    def use_as(self) -> str | None:
        """The name given with ``use_as`` (kept for wandb code)."""
        return self._use_as

    @property
    def created_at(self) -> str | None:
        """When the version was made (ISO text, UTC)."""
        return iso_time(self._logged("created_at")[1].created_at)

    @property
    def updated_at(self) -> str | None:
        """wandb's time of the last edit; the catalog keeps no edit time, so ``created_at``
        (what wandb returns for a version never edited)."""
        return self.created_at

    @property
    def ttl(self) -> timedelta | None:
        """wandb's time-to-live: None here, as wbnb never deletes a version on its own."""
        return self._ttl

    @ttl.setter
    def ttl(self, value: timedelta | None) -> None:
        if value is not None and not isinstance(value, timedelta):
            raise TypeError(f"artifact ttl must be a datetime.timedelta or None, got {type(value).__name__}")
        if value is not None and value.total_seconds() <= 0:
            raise ValueError(f"artifact ttl must be positive, got {value}")
        if value is not None:
            warn_once(
                "artifact-ttl",
                "wbnb: artifact ttl is not applied: versions stay until deleted "
                "(artifact.delete(), or `wbnb artifact gc --keep-last N`)",
            )
        self._ttl = value

    @property
    def tags(self) -> list[str]:
        """wandb's version tags: accepted on this object, not kept (a notice says so);
        aliases and metadata are kept."""
        self._logged("tags")
        return self._tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        self._logged("tags")
        self._tags = [t for t in value if isinstance(t, str)]
        self._tags_not_kept()

    def _tags_not_kept(self) -> None:
        if self._tags:
            warn_once("artifact-tags", "wbnb: artifact tags are not kept; use aliases or metadata")

    # -- editable ----------------------------------------------------------------------

    @property
    def description(self) -> str | None:
        """Free text; edit, then ``save()`` a logged artifact."""
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"artifact description must be a str or None, got {type(value).__name__}")
        self._description = value

    @property
    def metadata(self) -> dict[str, Any]:
        """A JSON-able dict; edit, then ``save()`` a logged artifact."""
        return self._metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any] | None) -> None:
        self._metadata = _metadata(value)

    @property
    def aliases(self) -> list[str]:
        """The version's aliases (``latest`` on the newest): a list to edit, then ``save()``.
        A draft has none yet: give them to ``log_artifact(aliases=)``."""
        self._logged("aliases")
        return self._aliases

    @aliases.setter
    def aliases(self, value: Iterable[str]) -> None:
        self._logged("aliases")
        user_aliases(value)  # refuse a bad one now, not at save()
        self._aliases = list(value)

    # -- content -----------------------------------------------------------------------

    def _manifest_entries(self) -> list[Entry]:
        if self._draft is not None:
            return self._draft.entries()
        if self._entries is None:
            home, record = self._logged("manifest")
            self._entries = home.catalog.manifest(record.id)
        return self._entries

    def _entry(self, e: Entry) -> ArtifactManifestEntry:
        return ArtifactManifestEntry(e.path, e.digest, e.size, e.ref, self._download_entry, self.id)

    @property
    def manifest(self) -> ArtifactManifest:
        """The files by path (hashing a draft's files)."""
        return ArtifactManifest({e.path: self._entry(e) for e in self._manifest_entries()})

    @property
    def digest(self) -> str:
        """The digest (BLAKE3) of the sorted ``path:digest`` lines (a draft's files are hashed)."""
        return self._record.digest if self._record else self.manifest.digest()

    @property
    def size(self) -> int:
        """Bytes of the files stored (references not counted)."""
        if self._record:
            return self._record.size
        return sum(e.size or 0 for e in self._manifest_entries() if e.ref is None)

    @property
    def file_count(self) -> int:
        """How many files the version has."""
        return self._logged("file_count")[1].file_count

    def get_entry(self, name: str) -> ArtifactManifestEntry:
        """The file at ``name``; ``KeyError`` naming it (and what there is) otherwise."""
        path = entry_name(name)
        if self._draft is not None and path in self._draft.items:
            return self._entry(self._draft.entry(path))
        for e in self._manifest_entries():
            if e.path == path:
                return self._entry(e)
        paths = [e.path for e in self._manifest_entries()]
        raise KeyError(
            f"artifact {self.name} has no file {name!r}; it has {paths[:10]}{' ...' if len(paths) > 10 else ''}"
        )

    get_path = get_entry

    def files(self, names: list[str] | None = None, per_page: int = 50) -> list[ArtifactFile]:
        """The logged version's files (only ``names`` when given), as wandb's ``File``:
        ``name``, ``size``, ``download(root=".", replace=, exist_ok=)``."""
        self._logged("files")
        wanted = None if names is None else set(names)
        return [ArtifactFile(self._entry(e)) for e in self._manifest_entries() if wanted is None or e.path in wanted]

    # -- building a draft --------------------------------------------------------------

    def add_file(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        is_tmp: bool | None = False,
        skip_cache: bool | None = False,
        policy: Policy = "mutable",
        overwrite: bool = False,
    ) -> ArtifactManifestEntry:
        """Add a local file at ``name`` (default: its file name). Its bytes are read when
        the artifact is logged; ``policy="immutable"`` promises they will not change,
        so the store may link rather than copy them."""
        item = self._editable("add_file").add_file(local_path, name, bool(is_tmp), policy, overwrite)
        return self._staged(item)

    def add_dir(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        skip_cache: bool | None = False,
        policy: Policy = "mutable",
        merge: bool = False,
    ) -> None:
        """Add every file below a folder, at ``name/<relative path>`` (or the relative path).
        A path already added with other bytes is ``ValueError``, or replaced with ``merge=True``."""
        self._editable("add_dir").add_dir(local_path, name, policy, merge)

    @contextmanager
    def new_file(
        self, name: str, mode: str = "x", encoding: str | None = None, policy: Policy = "mutable"
    ) -> Iterator[IO[Any]]:
        """Open a new file to write that the artifact keeps at ``name``; ``mode="x"``
        refuses a name already taken, ``"w"`` replaces it. (``policy``, wandb's, changes
        nothing: the file is the artifact's own, in a folder of its own.)"""
        with self._editable("new_file").new_file(name, mode, encoding) as f:
            yield f

    def add_reference(
        self, uri: str, name: str | None = None, checksum: bool = True, max_objects: int | None = None
    ) -> list[ArtifactManifestEntry]:
        """Add a reference: ``file://`` paths are hashed (a folder adds each file);
        other URIs are kept as they are, with the digest of the URI as their digest."""
        items = self._editable("add_reference").add_reference(str(uri), name, checksum, max_objects)
        return [self._staged(i) for i in items]

    def add(self, obj: Any, name: str, overwrite: bool = False) -> ArtifactManifestEntry:
        """Add a wbnb value (``Table``, ``Image``...) at ``name.<type>.json``; ``get(name)``
        rebuilds it."""
        draft = self._editable("add")
        if not overwrite and (path := record_name(obj, name)) in draft.items:
            return self._staged(draft.items[path])  # wandb's: the object already there stays
        return self._staged(draft.items[serialise(obj, name, draft.write)])

    def __setitem__(self, name: str, obj: Any) -> None:
        self.add(obj, name)

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def remove(self, item: str | ArtifactManifestEntry) -> None:
        """Drop a file (or every file below a folder) from the draft."""
        path = item.path if isinstance(item, ArtifactManifestEntry) else item
        self._editable("remove").remove(path, has_base=self._incremental)

    def _staged(self, item: Staged) -> ArtifactManifestEntry:
        draft = self._draft
        assert draft is not None
        hash_now = lambda: draft.entry(item.path)  # read the file only if asked
        return ArtifactManifestEntry(item.path, item.digest, item.size, item.ref, self._download_entry, None, hash_now)

    def new_draft(self) -> Artifact:
        """A draft with this version's files, to change and log as a new version (of the
        source's collection: ``save()`` outside a run logs it into the source's project)."""
        home, _ = self._logged("new_draft")
        draft = Artifact(self.source_name.split(":")[0], self._type, self._description, dict(self._metadata))
        draft._home_project = self.source_project
        assert draft._draft is not None
        for e in self._manifest_entries():
            draft._draft.put(Staged(e.path, e.digest, e.size, e.ref, origin=home.catalog))
        return draft

    # -- logging (the tracker's part) ----------------------------------------------------

    def log_into(self, home: Home, project: str, run: RunRef | None, aliases: Iterable[str] | None) -> bool:
        """Store the draft's bytes in ``home``'s catalog and commit it as a version of
        ``project/name`` logged by ``run``; the artifact becomes that version. An artifact
        already logged gains the aliases. Returns whether the version is new. Threads
        logging one object take turns: the second finds it logged and adds its aliases."""
        with self._logging:
            return self._log_into(home, project, run, aliases)

    def _log_into(self, home: Home, project: str, run: RunRef | None, aliases: Iterable[str] | None) -> bool:
        catalog = home.catalog
        wanted = user_aliases(aliases)
        if self._draft is None:
            entries = self._manifest_entries()
        else:
            latest = self._latest(home, project)
            earlier = {e.path: e.size or 0 for e in latest if e.ref is None}
            entries = self._draft.stage(
                catalog, latest if self._incremental else [], earlier, home.add_blob, f"log artifact {self._name}"
            )
        commit = Commit(
            project, self._name, self._type, tuple(entries), self._description, self._metadata, tuple(wanted), run
        )
        record, new = catalog.commit(commit)
        self._become(home, record)
        return new

    def _latest(self, home: Home, project: str) -> list[Entry]:
        try:
            latest = home.catalog.resolve(project, self._name, LATEST)
        except ArtifactNotFound:
            return []
        return home.catalog.manifest(latest.id)

    def save(self, project: str | None = None, settings: Any = None) -> None:
        """Keep edits of a logged version's ``aliases``, ``metadata`` and ``description``;
        a draft is logged from the current run (or a run made for it)."""
        if self._draft is not None:
            save_draft(self, project or self._home_project)
            return
        home, record = self._logged("save")
        self._tags_not_kept()
        aliases = user_aliases(a for a in self._aliases if a != LATEST)
        if aliases != [a for a in record.aliases if a != LATEST]:
            record = home.catalog.set_aliases(record.id, aliases)
        changes = {
            k: v
            for k, v in (("description", self._description), ("metadata", self._metadata))
            if v != getattr(record, k)
        }
        if changes:
            record = home.catalog.update(record.id, changes)
        self._become(home, record)

    def wait(self, timeout: int | None = None) -> Artifact:
        """Return once the version is where every reader finds it (on a server, once
        pushed from the spool); here it is as soon as it is logged."""
        home, record = self._logged("wait")
        home.store.wait_artifact(record.id, timeout)
        return self

    def delete(self, delete_aliases: bool = False) -> None:
        """Delete this version (its bytes go at ``wbnb artifact gc``). A version with
        aliases needs ``delete_aliases=True``; one linked into a registry is refused.
        For a link (as wandb): only the link goes, with its aliases; its source stays."""
        home, record = self._logged("delete")
        home.catalog.delete(record.id, delete_aliases or bool(record.source_id))
        self._deleted = True

    def unlink(self) -> None:
        """Remove this link from its registry collection (its source stays);
        ``ValueError`` for a version that is no link."""
        if not self.is_link:
            raise ValueError(f"artifact {self.qualified_name!r} is not a link: to delete it, use delete()")
        self.delete()

    def link(self, target_path: str, aliases: list[str] | None = None) -> Artifact:
        """Link this version into a registry collection (``wandb-registry-<registry>/<name>``
        or ``model-registry/<name>``): no copy; returns the linked version."""
        home, record = self._logged("link")
        entity, project, name = target(target_path)
        if entity not in (None, home.entity):
            raise ValueError(f"link target {target_path!r}: entity {entity!r} is not this artifact's ({home.entity!r})")
        return Artifact.logged(home, home.catalog.link(record.id, project, name, user_aliases(aliases)))

    # -- lineage -----------------------------------------------------------------------

    def written_here(self) -> bool:
        """Whether the version lives in a catalog this process logs into (the local
        store's, or a server store's spool) rather than one it only reads."""
        return self._home is not None and self._home.add_blob is not None

    def mark_used(self, run: RunRef) -> None:
        """Record that ``run`` used this version (its input edge; once per run)."""
        home, record = self._logged("use")
        home.catalog.use(record.id, run)

    def logged_by(self) -> Any:
        """The run that logged the version (a public ``Run``), or None."""
        home, record = self._logged("logged_by")
        ref = record.logged_by or (self._source.logged_by if self._source else None)
        return public_run(home.store, ref) if ref else None

    def used_by(self) -> list[Any]:
        """The runs that used the version (public ``Run``s), in the order they first did."""
        home, record = self._logged("used_by")
        return [public_run(home.store, ref) for ref in home.catalog.used_by(record.id)]

    # -- files on disk -----------------------------------------------------------------

    def download(
        self,
        root: str | os.PathLike[str] | None = None,
        allow_missing_references: bool = False,
        skip_cache: bool | None = None,
        path_prefix: str | None = None,
        multipart: bool | None = None,
    ) -> str:
        """Place the version's files under ``root`` (default ``./artifacts/<name>:vN``)
        and return it. A version already in place there is not touched (one ``stat``
        per file); each file copied is verified against its digest."""
        home, record = self._logged("download")
        where = Path(root if root is not None else default_root(self.source_name))
        key = f"{record.digest}:{path_prefix or ''}"
        if not dl.in_place(where, key):
            entries = [e for e in self._manifest_entries() if not path_prefix or e.path.startswith(path_prefix)]
            dl.place(entries, where, key, home.catalog.blob_file, allow_missing_references, self.name)
        return os.fspath(where)

    def _download_entry(self, entry: Entry, root: str | None) -> str:
        home, record = self._logged("download")
        where = Path(root if root is not None else default_root(self.source_name))
        key = f"{record.digest}:{entry.path}"
        if not dl.in_place(where, key):
            dl.place([entry], where, key, home.catalog.blob_file, label=self.name)
        return os.fspath(where / entry.path)

    def checkout(self, root: str | None = None) -> str:
        """``download`` into ``root`` (default ``./artifacts/<collection>``), then delete
        the files there that are not the version's."""
        self._logged("checkout")
        root = root if root is not None else default_root(self.source_name.split(":")[0])
        self.download(root)
        dl.remove_extras(self._manifest_entries(), Path(root))
        return root

    def verify(self, root: str | None = None) -> None:
        """Check that ``root`` (default: the download folder) holds exactly the version's
        files: ``ValueError`` naming each one missing, changed or not in the artifact."""
        self._logged("verify")
        where = Path(root if root is not None else default_root(self.source_name))
        dl.verify(self._manifest_entries(), where, self.name)

    def file(self, root: str | None = None) -> str:
        """Download the one file of a single-file artifact and return its path."""
        entries = self._manifest_entries()
        if len(entries) != 1:
            raise ValueError(
                f"artifact {self.name} has {len(entries)} files, not one: call download(), "
                "or get_entry(name).download() for one of them"
            )
        self._logged("file")
        return self._download_entry(entries[0], root)

    def get(self, name: str) -> Any:
        """The wbnb value ``add(obj, name)`` kept (a ``Table``, an ``Image``...), its
        files placed in the download folder; None when there is none (as wandb)."""
        self._logged("get")
        path = find(name, [e.path for e in self._manifest_entries()])
        if path is None:
            return None
        record = json.loads(Path(self.get_entry(path).download()).read_bytes())
        return rebuild(record, lambda p: Path(self.get_entry(p).download()))

    def lineage(self, depth: int = 2, max_nodes: int = MAX_NODES) -> Lineage:
        """The runs and artifact versions within ``depth`` steps of this version, both
        ways (who logged it, who used it, what they logged and used...), at most
        ``max_nodes``. A ``Lineage`` ending a notebook cell draws itself as a graph;
        ``wbnb.widgets.LineageGraph(artifact)`` does too."""
        home, rec = self._logged("lineage")
        return lineage(home.catalog, rec, depth, max_nodes=max_nodes, run_names=store_run_names(home.store))

    def __repr__(self) -> str:
        return f"<Artifact {self.id or self.name}>"
