"""``ArtifactCollection``: a named series of versions (or a registry collection of
links), what ``artifact.collection`` and ``Api().artifact_collection()`` return.
Like wandb's, ``description`` and ``name`` are set on the object and kept by ``save()``;
``tags`` are accepted on the object only (a notice says so)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..data.base import warn_once
from ..store.catalog.records import CollectionRecord, VersionRecord
from ..store.filters import iso_time
from .home import Home

Make = Callable[[Home, VersionRecord], Any]  # Artifact.logged


class ArtifactCollection:
    """A collection: ``name``, ``type``, ``project``, ``entity``, ``description``,
    ``aliases`` and its ``versions()`` (oldest first); ``save()`` keeps a new
    ``description`` or ``name``, ``delete()`` deletes it with every version."""

    def __init__(self, home: Home, record: CollectionRecord, make: Make) -> None:
        self._home = home
        self._record = record  # as the catalog holds it: reads go by its name
        self._make = make
        self.name: str = record.name
        self.description: str | None = record.description
        self._tags: list[str] = []

    type = property(lambda self: self._record.type, doc="The type of its artifacts.")
    project = property(lambda self: self._record.project, doc="The project (or registry) holding it.")
    entity = property(lambda self: self._home.entity, doc="Its entity.")
    id = property(lambda self: self._record.id, doc="The catalog's id for it (kept across a rename).")
    created_at = property(lambda self: iso_time(self._record.created_at), doc="When it was made (ISO text).")
    updated_at = property(
        lambda self: iso_time(self._record.updated_at), doc="When its newest version was made (ISO text)."
    )

    @property
    def tags(self) -> list[str]:
        """wandb's collection tags: accepted on this object, not kept (a notice says so)."""
        return self._tags

    @tags.setter
    def tags(self, value: Iterable[str]) -> None:
        self._tags = [t for t in value if isinstance(t, str)]
        self._tags_not_kept()

    def _tags_not_kept(self) -> None:
        if self._tags:
            warn_once("collection-tags", "wbnb: artifact collection tags are not kept; use aliases or metadata")

    def is_sequence(self) -> bool:
        """True for logged versions, False for a registry collection of links."""
        return self._record.kind == "sequence"

    def save(self) -> None:
        """Keep a changed ``description`` and ``name`` (a rename takes every version and
        alias with it); ``ArtifactConflict`` when the new name is another collection's."""
        changes = {
            field: value
            for field, value in (("description", self.description), ("name", self.name))
            if value != getattr(self._record, field)
        }
        if changes:
            self._record = self._home.catalog.update_collection(self.project, self._record.name, changes)
        self._tags_not_kept()

    def delete(self) -> None:
        """Delete the collection with every version and alias (their files stay until
        ``wbnb artifact gc``); ``ArtifactConflict`` while a registry links to one of its
        versions (a registry collection's own links just go)."""
        self._home.catalog.delete_collection(self.project, self._record.name)

    def versions(self, per_page: int = 50) -> list[Any]:
        """Every version (``Artifact``), oldest first (``per_page``, wandb's page size: all
        come at once)."""
        return [self._make(self._home, v) for v in self._home.catalog.versions(self.project, self._record.name)]

    artifacts = versions

    @property
    def aliases(self) -> list[str]:
        """Every alias in use in the collection (``latest`` included)."""
        versions = self._home.catalog.versions(self.project, self._record.name)
        return sorted({a for v in versions for a in v.aliases})

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self.name} ({self.type})>"  # wandb's
