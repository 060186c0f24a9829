"""What the artifact widgets read: a store's artifact catalog, and runs' names for labels."""

from __future__ import annotations

from ..store.base import RunNotFound, Store
from ..store.catalog.base import Catalog
from ..store.catalog.records import RunRef


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


def run_name(store: Store | None, run: RunRef) -> str:
    """The run's display name (its id when the store has no such run)."""
    if store is None:
        return run.run_id
    try:
        return store.run(run.project, run.run_id).get("name") or run.run_id
    except RunNotFound:
        return run.run_id
