"""``ArtifactCollection``: a named series of versions (or a registry collection of
links), what ``artifact.collection`` and ``Api().artifact_collection()`` return."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..store.catalog.records import CollectionRecord, VersionRecord
from ..store.filters import iso_time
from .home import Home

Make = Callable[[Home, VersionRecord], Any]  # Artifact.logged


class ArtifactCollection:
    """A collection: ``name``, ``type``, ``project``, ``entity``, ``description``,
    ``aliases`` and its ``versions()`` (oldest first)."""

    def __init__(self, home: Home, record: CollectionRecord, make: Make) -> None:
        self._home = home
        self._record = record
        self._make = make

    name = property(lambda self: self._record.name, doc="The collection's name.")
    type = property(lambda self: self._record.type, doc="The type of its artifacts.")
    project = property(lambda self: self._record.project, doc="The project (or registry) holding it.")
    entity = property(lambda self: self._home.entity, doc="Its entity.")
    description = property(lambda self: self._record.description, doc="Its description, if any.")
    created_at = property(lambda self: iso_time(self._record.created_at), doc="When it was made (ISO text).")

    def is_sequence(self) -> bool:
        """True for logged versions, False for a registry collection of links."""
        return self._record.kind == "sequence"

    def versions(self, per_page: int = 50) -> list[Any]:
        """Every version (``Artifact``), oldest first (``per_page``, wandb's page size: all
        come at once)."""
        return [self._make(self._home, v) for v in self._home.catalog.versions(self.project, self.name)]

    artifacts = versions

    @property
    def aliases(self) -> list[str]:
        """Every alias in use in the collection (``latest`` included)."""
        return sorted({a for v in self._home.catalog.versions(self.project, self.name) for a in v.aliases})

    def __repr__(self) -> str:
        return f"<ArtifactCollection {self.name} ({self.type})>"  # wandb's
