"""What the artifact widgets read: a store's artifact catalog and the version an ``Artifact``
is."""

from __future__ import annotations

from ..artifacts.artifact import Artifact
from ..store.base import Store
from ..store.catalog.base import Catalog
from ..store.catalog.records import VersionRecord


def default_store(store: Store | None) -> Store:
    """``store``, or the local store the settings name."""
    if store is not None:
        return store
    from ..api import Api

    return Api().store


def catalog_of(store: Store) -> Catalog:
    """The artifact catalog of ``store``; ``ValueError`` when it keeps none."""
    catalog = getattr(store, "catalog", None)
    if not isinstance(catalog, Catalog):
        raise ValueError(f"{type(store).__name__} keeps no artifacts: pass catalog= (a wbnb Catalog)")
    return catalog


def logged_version(artifact: Artifact, catalog: Catalog) -> VersionRecord:
    """The version a logged ``Artifact`` is, read from ``catalog``; ``ValueError`` for a draft."""
    if artifact.id is None:
        raise ValueError(f"artifact {artifact.name!r} is a draft: log it (run.log_artifact) before drawing it")
    return catalog.get(artifact.id)
