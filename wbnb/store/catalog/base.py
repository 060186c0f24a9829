"""The ``Catalog`` interface: artifact versions by content, aliases, registry links and
lineage, and the bytes of their files, in one entity's store. Its homes: ``sql.py``
over SQLite (the local store, a spool, a ``wbnb server`` on files) or PostgreSQL
(``server/postgres/``), and ``remote.py`` over HTTP (a ``wbnb server``).

The rules every home keeps (``tests/store_catalog`` runs one suite against each):

- ``commit`` makes ``v0, v1, ...`` per collection. Content identical to *any* earlier
  version of the collection (the same ``manifest_digest``) makes no new version: that
  version gains the aliases. ``latest`` is always the newest version (never moves back).
- An alias names one version of its collection: setting it on another moves it there.
  ``latest`` and ``vN`` are the catalog's, never set by hand (``records.check_alias``).
- A collection has one type; committing under another is an ``ArtifactConflict``.
- A commit is atomic: a process killed during it leaves the catalog as before or as
  after, never a version without its manifest, aliases or output edge.
- A link (``link``) is a version of a registry collection (kind ``portfolio``) sharing
  its source's files; linking the same content again makes no new version.
- A collection's ``description`` and ``name`` can change (``update_collection``); its
  versions, aliases, links and lineage go with it under the new name. Deleting it
  (``delete_collection``) deletes every version and alias (blobs stay until ``gc``),
  refused (``ArtifactConflict``) while a registry collection links to one of its
  versions, as deleting that version would be.
- Lineage: the run that logged a version (its output edge) and the runs that used it
  (input edges, ``use``, recorded once per run).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .records import CollectionRecord, Commit, Entry, RunRef, VersionRecord


class Catalog(ABC):
    """The artifacts of one entity's store."""

    # -- versions ----------------------------------------------------------------------

    @abstractmethod
    def commit(self, commit: Commit) -> tuple[VersionRecord, bool]:
        """Make ``commit`` a version (or find the version with its digest, which gains its
        aliases and, if it has none, its run as the logger); return it and whether it is
        new. Every entry's blob (``ref`` None) must be stored already (``put_blob``):
        ``ArtifactConflict`` naming a missing one otherwise."""

    @abstractmethod
    def resolve(self, project: str, name: str, alias: str = "latest") -> VersionRecord:
        """The version that ``alias`` (``latest``, ``vN`` or a user alias) names in a
        collection; ``ArtifactNotFound`` saying what exists otherwise."""

    @abstractmethod
    def get(self, version_id: str) -> VersionRecord:
        """A version by its id; ``ArtifactNotFound``."""

    @abstractmethod
    def manifest(self, version_id: str) -> list[Entry]:
        """A version's entries in path order (a link's are its source's)."""

    @abstractmethod
    def versions(self, project: str, name: str) -> list[VersionRecord]:
        """Every version of a collection, oldest first; ``ArtifactNotFound`` for no collection."""

    @abstractmethod
    def collections(self, project: str | None = None, type: str | None = None) -> list[CollectionRecord]:
        """Collections (of one project, of one type), by project then name."""

    @abstractmethod
    def projects(self) -> list[str]:
        """Projects that hold artifact collections (registry projects included)."""

    # -- edits -------------------------------------------------------------------------

    @abstractmethod
    def set_aliases(self, version_id: str, aliases: Iterable[str]) -> VersionRecord:
        """Replace a version's user aliases; each moves from wherever it was in the collection."""

    @abstractmethod
    def update(self, version_id: str, changes: Mapping[str, Any]) -> VersionRecord:
        """Replace ``description`` and / or ``metadata`` (the only editable fields;
        ``ValueError`` for another)."""

    @abstractmethod
    def delete(self, version_id: str, delete_aliases: bool = False) -> None:
        """Delete a version (its blobs stay until ``gc``): ``ArtifactConflict`` when it
        has user aliases (unless ``delete_aliases``) or registry links pointing to it."""

    @abstractmethod
    def update_collection(self, project: str, name: str, changes: Mapping[str, Any]) -> CollectionRecord:
        """Replace a collection's ``description`` and / or ``name`` (the only editable
        fields; ``ValueError`` for another), and return it: ``ArtifactNotFound`` for no
        collection, ``InvalidName`` for a name wandb refuses, ``ArtifactConflict`` when
        the new name is another collection's."""

    @abstractmethod
    def delete_collection(self, project: str, name: str) -> None:
        """Delete a collection with all its versions and aliases (their blobs stay until
        ``gc``; a registry collection's links go, their sources stay): ``ArtifactNotFound``
        for no collection, ``ArtifactConflict`` naming the links while a registry
        collection links to one of its versions."""

    # -- lineage -----------------------------------------------------------------------

    @abstractmethod
    def use(self, version_id: str, run: RunRef) -> None:
        """Record that ``run`` used the version (once, however often it is called)."""

    @abstractmethod
    def used_by(self, version_id: str) -> list[RunRef]:
        """The runs that used a version, in the order they first did."""

    @abstractmethod
    def outputs(self, run: RunRef) -> list[VersionRecord]:
        """The versions a run logged, oldest first."""

    @abstractmethod
    def inputs(self, run: RunRef) -> list[VersionRecord]:
        """The versions a run used, in the order it first did."""

    # -- registry ----------------------------------------------------------------------

    @abstractmethod
    def link(self, version_id: str, project: str, name: str, aliases: Iterable[str] = ()) -> VersionRecord:
        """Link a version (a link's source, for a link) into the registry collection
        ``project/name`` (made, of the source's type, on first link)."""

    @abstractmethod
    def links(self, version_id: str) -> list[VersionRecord]:
        """The registry versions linking to a version."""

    # -- bytes -------------------------------------------------------------------------

    @abstractmethod
    def missing(self, digests: Iterable[str]) -> set[str]:
        """Which of ``digests`` have no stored blob."""

    @abstractmethod
    def put_blob(self, src: Path, digest: str, size: int, consume: bool = False) -> None:
        """Store the file ``src`` as the blob ``digest`` (nothing to do if it is
        stored); ``ValueError`` when its bytes do not hash to ``digest``. ``consume``:
        ``src`` is the caller's to give away (a finished upload), and may be moved in."""

    @abstractmethod
    def blob_file(self, digest: str) -> Path:
        """A local file holding the blob's bytes (the store's own, or a download in
        the cache); ``FileNotFoundError`` when it has none."""
