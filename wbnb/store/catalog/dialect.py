"""What ``SqlCatalog`` (and the sweeps' ``SqlSweepBook``) needs of a database:
transactions over one SQL text.

Statements are written once, with ``?`` placeholders and types both SQLite and
PostgreSQL read the same way (``text``, ``bigint``, ``double precision``; JSON as text).
A dialect is given the ``Schema`` of its tables (the catalog's is ``CATALOG``) and says
the rest: its placeholder, its auto-numbered key (``{serial}`` in the schema's text), and
how a write transaction keeps out other writers (SQLite ``BEGIN IMMEDIATE``, PostgreSQL
an advisory lock), so that a commit reads the collection and writes its next version
without another commit in between.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Row = tuple[Any, ...]

# The catalog's tables; every statement must be safe to repeat. ``entity`` scopes a
# collection (and through it everything else) to one entity of a shared database; a
# local store's catalog is one entity's, "". ``seq`` orders what was made or first used.
SCHEMA = """
CREATE TABLE IF NOT EXISTS art_collections (
    id          text PRIMARY KEY,
    entity      text NOT NULL,
    project     text NOT NULL,
    name        text NOT NULL,
    type        text NOT NULL,
    kind        text NOT NULL,
    created_at  double precision NOT NULL,
    description text,
    next_index  bigint NOT NULL DEFAULT 0,
    UNIQUE (entity, project, name)
);
CREATE TABLE IF NOT EXISTS art_versions (
    seq         {serial},
    id          text NOT NULL UNIQUE,
    collection  text NOT NULL,
    idx         bigint NOT NULL,
    digest      text NOT NULL,
    size        bigint NOT NULL,
    file_count  bigint NOT NULL,
    created_at  double precision NOT NULL,
    description text,
    metadata    text NOT NULL,
    source_id   text,
    run_project text,
    run_id      text,
    UNIQUE (collection, idx),
    UNIQUE (collection, digest)
);
CREATE INDEX IF NOT EXISTS art_versions_run ON art_versions (run_project, run_id);
CREATE INDEX IF NOT EXISTS art_versions_source ON art_versions (source_id);
CREATE TABLE IF NOT EXISTS art_entries (
    version_id text NOT NULL,
    path       text NOT NULL,
    digest     text NOT NULL,
    size       bigint,
    ref        text,
    PRIMARY KEY (version_id, path)
);
CREATE TABLE IF NOT EXISTS art_aliases (
    collection text NOT NULL,
    alias      text NOT NULL,
    version_id text NOT NULL,
    PRIMARY KEY (collection, alias)
);
CREATE INDEX IF NOT EXISTS art_aliases_version ON art_aliases (version_id);
CREATE TABLE IF NOT EXISTS art_uses (
    seq        {serial},
    version_id text NOT NULL,
    project    text NOT NULL,
    run_id     text NOT NULL,
    UNIQUE (version_id, project, run_id)
);
CREATE INDEX IF NOT EXISTS art_uses_run ON art_uses (project, run_id);
"""


@dataclass(frozen=True)
class Schema:
    """The tables a dialect keeps: ``text``, statements separated by ``;`` (each safe to
    repeat: ``IF NOT EXISTS``), ``{serial}`` for an auto-numbered key; ``version``, what
    SQLite records once they are made (raise it when the text changes, so that existing
    files get the new tables); ``name``, what error messages call the database."""

    name: str
    text: str
    version: int

    def statements(self, serial: str) -> list[str]:
        """The text as single statements, with the dialect's auto-numbered key."""
        return [s.strip() for s in self.text.replace("{serial}", serial).split(";") if s.strip()]


CATALOG = Schema("artifact catalog", SCHEMA, 1)


class Sql(Protocol):
    """One transaction's statements (``?`` placeholders)."""

    def all(self, sql: str, *args: Any) -> list[Row]:
        """Every row ``sql`` selects."""

    def one(self, sql: str, *args: Any) -> Row | None:
        """The first row ``sql`` selects, or None."""

    def run(self, sql: str, *args: Any) -> int:
        """Execute ``sql``; the number of rows it changed."""

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Execute ``sql`` once per row of arguments."""


class Dialect(ABC):
    """A database holding the tables of one ``Schema``."""

    @abstractmethod
    def read(self, work: Callable[[Sql], T]) -> T:
        """``work`` on one consistent snapshot of the tables."""

    @abstractmethod
    def write(self, work: Callable[[Sql], T], scope: str) -> T:
        """``work`` in one transaction, committed when it returns and rolled back when it
        raises; no other write of ``scope`` runs in between (the catalog's scope is an
        entity, a sweep book's one sweep)."""

    def close(self) -> None:  # noqa: B027 (default: nothing held)
        """Release connections."""
