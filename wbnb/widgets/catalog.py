"""What the artifact widgets read: a store's artifact catalog, the version an ``Artifact``
is, and runs' names for labels."""

from __future__ import annotations

from ..artifacts.artifact import Artifact
from ..store.base import RunNotFound, Store
from ..store.catalog.base import Catalog
from ..store.catalog.records import RunRef, VersionRecord


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


def run_name(store: Store | None, run: RunRef) -> str:
    """The run's display name (its id when the store has no such run)."""
    if store is None:
        return run.run_id
    try:
        return store.run(run.project, run.run_id).get("name") or run.run_id
    except RunNotFound:
        return run.run_id
