"""The artifact catalog of a PostgreSQL server: ``SqlCatalog`` over the server's
database (``dialect.py``'s ``PostgresDialect`` with the catalog's schema), one entity's
rows at a time (its ``entity`` column), and each entity's files below
``<root>/artifacts/<entity folder>/objects`` (blobs are not shared between entities:
which bytes a server holds must not tell one entity about another's).

- The tables are the local store's (``store/catalog/dialect.py``).
- A write takes the dialect's lock on its entity, so the server processes sharing the
  database commit one entity's artifacts one at a time.
"""

from __future__ import annotations

from pathlib import Path

from ...store.catalog.blobs import LocalBlobs
from ...store.catalog.sql import SqlCatalog
from ...store.names import check_name, folder_name
from .dialect import PostgresDialect


def postgres_catalog(dialect: PostgresDialect, root: Path, entity: str) -> SqlCatalog:
    """The catalog of ``entity``: its rows in ``dialect``'s database, its files below
    ``root`` (the server's ``--root``)."""
    entity = check_name("entity", entity)
    return SqlCatalog(dialect, LocalBlobs(root / "artifacts" / folder_name(entity) / "objects"), entity)
