"""``ArtifactBrowser``, the anywidget: one collection's versions, their aliases, sizes and
lineage, a version's files and a metadata diff between two versions.

Python reads the collection once (``refresh()`` re-reads) into ``_data`` (``model.py``);
the page lists it, shows a selected version's details (who logged it, who used it), asks
for its files (``_answer``), and diffs the metadata of the two versions in ``compare``.
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets as t

from ...artifacts.artifact import Artifact
from ...artifacts.lineage import store_run_names
from ...store.base import Store
from ...store.catalog.base import Catalog
from ...store.catalog.records import VersionRecord
from ..bundles import bundle
from ..catalog import catalog_of, default_store, logged_version
from ..pictures import Pictured
from ..pictures.svg import Picture
from .contract import BrowserData
from .model import browser_data, files_reply
from .picture import browser_picture


class ArtifactBrowser(Pictured, anywidget.AnyWidget):
    """The versions of an artifact collection; click one for its lineage and files,
    pick two to compare their metadata.

    ``collection``: ``"project/name"``, ``"name"`` (in ``project``), or a logged
    ``Artifact`` or ``VersionRecord`` (its collection, that version selected). ``catalog`` / ``store``:
    where to read (default: the local store's catalog).
    """

    _data = t.Dict().tag(sync=True, ts=BrowserData)
    selected = t.Unicode("").tag(sync=True)  # a version id
    compare = t.List(t.Unicode()).tag(sync=True)  # two version ids

    def __init__(
        self,
        collection: str | VersionRecord | Artifact,
        *,
        project: str | None = None,
        catalog: Catalog | None = None,
        store: Store | None = None,
        **kwargs: Any,
    ) -> None:
        if catalog is None:
            store = default_store(store)
            catalog = catalog_of(store)
        self.catalog, self._store = catalog, store
        if isinstance(collection, Artifact):
            collection = logged_version(collection, catalog)
        if isinstance(collection, VersionRecord):
            self.project, self.name = collection.project, collection.name
            kwargs.setdefault("selected", collection.id)
        elif "/" in collection:
            self.project, self.name = collection.rsplit("/", 1)
        elif project is None:
            raise ValueError(f"ArtifactBrowser({collection!r}): say the project, as 'project/{collection}' or project=")
        else:
            self.project, self.name = project, collection
        if "_esm" not in ArtifactBrowser.__dict__:
            ArtifactBrowser._esm = bundle("artifacts")
        self.data = self._read()  # what ``_data`` holds, typed
        super().__init__(_data=self.data, **kwargs)
        self.on_msg(self._on_request)

    def _read(self) -> BrowserData:
        return browser_data(self.catalog, self.project, self.name, store_run_names(self._store))

    def refresh(self) -> None:
        """Re-read the collection (new versions, moved aliases)."""
        self.data = self._read()
        self.set_trait("_data", self.data)

    def version(self, which: str | None = None) -> VersionRecord:
        """A version by id (default: the selected one)."""
        return self.catalog.get(which or self.selected)

    def _on_request(self, _widget: Any, content: Any, _buffers: list[Any]) -> None:
        # From the page: read defensively, answer only for versions this browser lists.
        if isinstance(content, dict) and content.get("type") == "files":
            if any(v["id"] == content.get("version") for v in self.data["versions"]):
                self.send(files_reply(self.catalog, content["version"]))

    def _picture(self) -> Picture:
        listed = any(v["id"] == self.selected for v in self.data["versions"])
        files = files_reply(self.catalog, self.selected) if listed else None
        return browser_picture(self.data, self.selected, files)
