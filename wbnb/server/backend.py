"""What ``wbnb server`` keeps its data in: one interface, two homes.

``files.py`` keeps runs in a folder (a ``LocalStore`` per entity below ``--root``),
``postgres/`` keeps runs, metrics and keys in PostgreSQL so several server
processes can share them. Media stay content-addressed files under ``--root`` in both.

The HTTP layer (``app.py``) only calls this interface; the wire format and the
exactly-once rule (chunks carry their start index, the backend keeps what is past its
counts) are in ``wbnb/store/wire.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store.base import Store, StoreError
from ..store.catalog.base import Catalog
from ..store.runmeta import RunMeta
from ..sweeps.records import SweepBook

Counts = dict[str, int]  # stream -> number of records the backend holds
Live = Callable[[RunMeta], bool]  # whether a run, by its stored metadata, is still being written


class Gap(Exception):
    """A chunk starts past what the backend holds; ``counts`` says where to resend from."""

    def __init__(self, counts: Counts) -> None:
        super().__init__(f"chunk would leave a gap; resend from {counts}")
        self.counts = counts


class Unavailable(StoreError):
    """The backend's own storage cannot be reached right now (the database is down):
    the server answers 503, which clients retry."""


@dataclass
class KeyRecord:
    """An API key as stored: never the secret, only its SHA-256."""

    key_id: str
    entity: str
    name: str
    secret_hash: str
    created_at: float
    revoked: bool = False


def silent_client(stale_after: float) -> str:
    """Why a server shows a run crashed: its client sent nothing for ``stale_after`` s."""
    return f"no word from its client for over {stale_after:g} s"


class Backend(ABC):
    """Runs grouped by entity, plus the API keys that grant access to an entity."""

    root: Path  # the server's ``--root``: media, artifact uploads in progress (``uploads.py``), files.py's runs

    # -- keys --------------------------------------------------------------------------

    @abstractmethod
    def add_key(self, record: KeyRecord) -> None:
        """Store a new key record."""

    @abstractmethod
    def key(self, key_id: str) -> KeyRecord | None:
        """The record of one key id (revoked ones included), or None."""

    @abstractmethod
    def keys(self) -> list[KeyRecord]:
        """Every key record, oldest first."""

    @abstractmethod
    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""

    # -- runs ----------------------------------------------------------------------------

    @abstractmethod
    def store(self, entity: str) -> Store:
        """The read side of one entity's runs (``Store`` methods; ``open_run`` unused)."""

    @abstractmethod
    def open_run(
        self, entity: str, project: str, run_id: str, meta: RunMeta, resume: str | None
    ) -> tuple[RunMeta, Counts]:
        """Create or reopen a run for writing (``resume`` as in ``init``: None/"never"
        refuses an existing run with ``StoreError``, "must" refuses a missing one,
        "allow" takes either). Returns the run's metadata and counts."""

    @abstractmethod
    def counts(self, entity: str, project: str, run_id: str) -> Counts:
        """How many records of each stream the backend holds; ``RunNotFound`` if none."""

    @abstractmethod
    def ingest(self, entity: str, project: str, run_id: str, batch: dict[str, Any]) -> Counts:
        """Apply a decoded batch exactly once (see ``wire.py``) and return the new counts.
        Raises ``Gap`` when a chunk starts past the counts, ``RunNotFound`` for a run
        never opened."""

    @abstractmethod
    def update_run(self, entity: str, project: str, run_id: str, changes: Mapping[str, Any], live: Live) -> RunMeta:
        """Apply an edit (checked with ``store/edits.py``'s ``check_edit``) atomically and return the new
        metadata; ``RunBusy`` when ``live`` says the run's client is still writing it
        (its next batch would write over the edit), ``RunNotFound``."""

    @abstractmethod
    def delete_run(self, entity: str, project: str, run_id: str, live: Live) -> None:
        """Delete a run and its records (media stay: shared by content); ``RunBusy``
        when ``live`` says it is still being written, ``RunNotFound``."""

    # -- artifacts -----------------------------------------------------------------------

    @abstractmethod
    def catalog(self, entity: str) -> Catalog:
        """One entity's artifacts (versions, aliases, links, lineage, and their files);
        no entity reads or writes another's. ``InvalidName`` for a bad entity name."""

    # -- sweeps --------------------------------------------------------------------------

    @abstractmethod
    def sweeps(self, entity: str) -> SweepBook:
        """One entity's sweeps and their trials (``sweeps/records.py``); no entity reads
        or writes another's. ``InvalidName`` for a bad entity name."""

    # -- media ---------------------------------------------------------------------------

    @abstractmethod
    def put_media(self, data: bytes, ext: str) -> str:
        """Store a file by content; returns its ``media/...`` path."""

    @abstractmethod
    def media(self, path: str) -> bytes:
        """Bytes of a ``media/...`` path; ValueError for anything else, FileNotFoundError."""

    def close_idle(self, idle_after: float, stale_after: float) -> None:  # noqa: B027 (default: nothing held)
        """Release what runs hold whose last write (open or batch) is ``idle_after``
        seconds old, so that abandoned runs cannot pile up; their next batch takes it
        again, unseen by the client. Mark those silent for ``stale_after`` crashed.
        Runs the backend holds nothing for (rows in a database) need nothing here."""

    def close(self) -> None:  # noqa: B027 (default: nothing held)
        """Release what the backend holds (open writers, connections)."""
