"""Where a logged artifact lives (``Home``: its catalog, entity and store) and the calls
the layers above provide (``provide``): the public ``Run`` of a lineage edge
(``wbnb.api``) and logging a draft from ``Artifact.save()`` (the tracker). ``wbnb/__init__.py``
provides them, so this layer imports neither."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store.base import Store
from ..store.catalog.base import Catalog
from ..store.catalog.records import RunRef
from .draft import AddBlob


@dataclass(frozen=True)
class Home:
    """A catalog holding logged versions, the entity it belongs to, and the store of
    that entity's runs (for lineage, and ``wait()`` on a server's store); a catalog
    that a run logs into also has ``add_blob``."""

    catalog: Catalog
    entity: str
    store: Store
    add_blob: AddBlob | None = None  # a local catalog's hash-while-copy (``LocalBlobs.add``)


PublicRun = Callable[[Store, RunRef], Any]
SaveDraft = Callable[[Any, "str | None"], None]  # (a draft Artifact, project)
_provided: dict[str, Any] = {}


def provide(public_run: PublicRun, save_draft: SaveDraft) -> None:
    """Set what ``logged_by`` / ``used_by`` return runs as, and how ``save()`` logs a draft."""
    _provided.update(public_run=public_run, save_draft=save_draft)


def public_run(store: Store, ref: RunRef) -> Any:
    """The public ``Run`` of a lineage edge."""
    return _provided["public_run"](store, ref)


def save_draft(artifact: Any, project: str | None) -> None:
    """Log a draft from the current run (or a run made for it)."""
    _provided["save_draft"](artifact, project)
