"""``PostgresBackend``: the ``Backend`` interface over the database (``database.py``),
with the API keys it keeps, and media as content-addressed files below ``--root``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg

from ...store.base import Store
from ...store.catalog.dialect import CATALOG
from ...store.catalog.sql import SqlCatalog
from ...store.media import MediaStore
from ...store.names import check_name
from ...store.runmeta import RunMeta
from ...sweeps.sql import SWEEPS, SqlSweepBook
from ..backend import Backend, Counts, KeyRecord, Live
from . import runs
from .catalog import postgres_catalog
from .database import Database
from .dialect import PostgresDialect
from .ingest import ingest
from .known import Known
from .reads import PostgresStore

_KEY_COLUMNS = "key_id, entity, name, secret_hash, created_at, revoked"


class PostgresBackend(Backend):
    """Runs and keys in PostgreSQL at ``url`` (a libpq URL or conninfo string), media
    below ``root``. ``pool_size`` connections at most per process. ``Unavailable`` if
    the database cannot be reached (now, or by any later call)."""

    def __init__(self, url: str, root: str | Path, pool_size: int = 8) -> None:
        self._db = Database(url, pool_size)
        self.root = Path(root).expanduser().absolute()
        self._media = MediaStore(self.root)
        self._known = Known()
        self._catalog = PostgresDialect(self._db, CATALOG)
        self._sweeps = PostgresDialect(self._db, SWEEPS)

    def __repr__(self) -> str:
        return f"PostgresBackend(root={str(self.root)!r})"

    def close(self) -> None:
        """Close the database connections."""
        self._db.close()

    # -- keys --------------------------------------------------------------------------

    def add_key(self, record: KeyRecord) -> None:
        """Store a new key record; ValueError if its id is taken."""
        try:
            self._db.run(
                lambda conn: conn.execute(
                    f"INSERT INTO wbnb_keys ({_KEY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                    (record.key_id, record.entity, record.name, record.secret_hash, record.created_at, record.revoked),
                )
            )
        except psycopg.errors.UniqueViolation:
            raise ValueError(f"there is already a key {record.key_id!r}") from None

    def key(self, key_id: str) -> KeyRecord | None:
        """The record of one key id (revoked ones included), or None."""
        row = self._db.run(
            lambda conn: conn.execute(f"SELECT {_KEY_COLUMNS} FROM wbnb_keys WHERE key_id = %s", (key_id,)).fetchone()
        )
        return KeyRecord(*row) if row else None

    def keys(self) -> list[KeyRecord]:
        """Every key record, oldest first."""
        rows = self._db.run(
            lambda conn: conn.execute(f"SELECT {_KEY_COLUMNS} FROM wbnb_keys ORDER BY created_at, key_id").fetchall()
        )
        return [KeyRecord(*row) for row in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""
        row = self._db.run(
            lambda conn: conn.execute(
                "UPDATE wbnb_keys SET revoked = true WHERE key_id = %s RETURNING key_id", (key_id,)
            ).fetchone()
        )
        return row is not None

    # -- runs ----------------------------------------------------------------------------

    def store(self, entity: str) -> Store:
        """The read side of one entity's runs; ValueError for a bad entity name."""
        return PostgresStore(self._db, self._known, self._media, check_name("entity", entity))

    def open_run(
        self, entity: str, project: str, run_id: str, meta: RunMeta, resume: str | None
    ) -> tuple[RunMeta, Counts]:
        """Create or reopen a run (``resume`` as in ``LocalStore.open_run``); its state
        becomes "running". The client's ``meta`` loses the server's fields and takes
        the run's identity from the arguments (``client_meta``, as in ``FilesBackend``).
        A resumed run keeps its old metadata under the new, merges its config and
        counts one more ``resumed``."""
        return runs.open_run(self._db, entity, project, run_id, meta, resume)

    def counts(self, entity: str, project: str, run_id: str) -> Counts:
        """How many records of each stream the run holds; ``RunNotFound`` if none."""
        return runs.counts(self._db, entity, project, run_id)

    def ingest(self, entity: str, project: str, run_id: str, batch: dict[str, Any]) -> Counts:
        """Apply a batch in the wire format exactly once, in one transaction: what the
        run already holds is skipped, ``Gap`` (and nothing applied) when a chunk starts
        past it. ``meta`` replaces the metadata but for the server's fields
        (``client_meta``); a final ``state`` closes the run (again: a no-op). ValueError
        for a malformed batch."""
        return ingest(self._db, self._known, entity, project, run_id, batch)

    def update_run(self, entity: str, project: str, run_id: str, changes: Mapping[str, Any], live: Live) -> RunMeta:
        """Apply an edit in one transaction, the run's row locked (as ``ingest`` locks
        it: a batch cannot come in between the check and the write)."""
        return runs.update_run(self._db, entity, project, run_id, changes, live)

    def delete_run(self, entity: str, project: str, run_id: str, live: Live) -> None:
        """Delete a run's rows, records, key sets and itself in one transaction."""
        runs.delete_run(self._db, self._known, entity, project, run_id, live)

    # -- artifacts -----------------------------------------------------------------------

    def catalog(self, entity: str) -> SqlCatalog:
        """The entity's artifacts: its rows of the catalog tables, its files below
        ``<root>/artifacts/<entity>/``."""
        return postgres_catalog(self._catalog, self._media.root, entity)

    # -- sweeps --------------------------------------------------------------------------

    def sweeps(self, entity: str) -> SqlSweepBook:
        """The entity's sweeps: its rows of the sweep book's tables (made when the backend
        started); a write locks its sweep, across the server processes."""
        return SqlSweepBook(self._sweeps, check_name("entity", entity))

    # -- media ---------------------------------------------------------------------------

    def put_media(self, data: bytes, ext: str) -> str:
        """Store a file by content below ``root``; returns its ``media/...`` path."""
        return self._media.put(data, ext)

    def media(self, path: str) -> bytes:
        """Bytes of a ``media/...`` path; ValueError for anything else, FileNotFoundError."""
        return self._media.get(path)
