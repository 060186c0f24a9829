"""``RunTable``, the anywidget: every run of a project in a sortable, filterable table.

Python reads the run documents once (``refresh()`` re-reads, ``poll=`` seconds follows new
runs) and sends them as columns in the ``_data`` trait (``model.py``); sorting and
filtering happen in the browser only (``js/table/``, see ``contract.py`` for why), which
writes what it shows back into ``_shown`` for the static picture. ``filter``, ``sort``,
``columns`` and ``selected`` sync both ways; ``filter_error`` says why the front end could
not parse ``filter`` (empty when it could, or before any view drew).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import anywidget
import traitlets as t

from ...sdk.lifecycle import current_run
from ...store.base import Store
from ..bundles import bundle
from ..pictures import Pictured
from .contract import Shown, TableData
from .model import ORDER, read_project, same_rows


class RunTable(Pictured, anywidget.AnyWidget):
    """All runs of a project, one row each; sorted, filtered and chosen in the browser.

    ``project``: the project name (default: the current run's, else the settings').
    ``store``: a ``Store`` (default the local one, or ``dir=``). ``filter``: an expression
    (``summary.acc > 0.8 and config.lr < 1e-3``, ``tags has baseline``, ``name ~ resnet``).
    ``sort``: ``"-summary.acc"`` or a list of such keys (``-`` descending). ``columns``:
    the columns shown, in order (default all). ``poll``: seconds between re-reads of the
    store to follow new runs (None: read once; ``refresh()`` re-reads).
    """

    _data = t.Dict().tag(sync=True, ts=TableData)
    filter = t.Unicode("").tag(sync=True)
    filter_error = t.Unicode("").tag(sync=True)
    sort = t.List(t.Unicode()).tag(sync=True)
    columns = t.List(t.Unicode()).tag(sync=True)
    selected = t.List(t.Unicode()).tag(sync=True)
    height = t.Int(420).tag(sync=True)
    # What the page shows, written by the page (None until a page has drawn the table).
    _shown = t.Dict(default_value=None, allow_none=True).tag(sync=True, ts=Shown)

    def __init__(
        self,
        project: str | None = None,
        *,
        store: Store | None = None,
        dir: str | None = None,
        filter: str = "",
        sort: str | Iterable[str] | None = None,
        columns: Iterable[str] | None = None,
        poll: float | None = None,
        height: int = 420,
        **kwargs: Any,
    ) -> None:
        from ...api import Api

        self.api = Api({"dir": dir} if dir else None, store=store)
        if project is None:
            project = getattr(current_run(), "project", None) or self.api.default_project
        self.project = project
        if isinstance(sort, str):
            sort = [s.strip() for s in sort.split(",") if s.strip()]
        if "_esm" not in RunTable.__dict__:
            RunTable._esm = bundle("table")
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._links: list[Callable[[list[str]], None]] = []
        super().__init__(
            _data=read_project(self.api, self.project),
            filter=filter,
            sort=list(sort or ORDER),
            columns=list(columns or []),
            height=height,
            **kwargs,
        )
        self.observe(self._on_selected, names="selected")
        self._poller: threading.Thread | None = None
        if poll:
            self._poller = threading.Thread(
                target=self._poll, args=(float(poll),), daemon=True, name="wbnb-runtable-poll"
            )
            self._poller.start()

    # -- reading -------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.api.store

    def refresh(self) -> None:
        """Re-read the project's runs (new runs, states, summaries)."""
        data = read_project(self.api, self.project)
        with self._lock:
            if not same_rows(data, self._data):  # an unchanged project sends nothing
                data["rev"] = self._data["rev"] + 1
                self.set_trait("_data", data)

    def _poll(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.refresh()
            except Exception:  # a store hiccup must not kill the thread; the next poll retries
                pass

    def close(self) -> None:
        self._stop.set()
        super().close()

    # -- for Python users ----------------------------------------------------------------

    @property
    def run_ids(self) -> list[str]:
        """Every run id in the table (in Python's order: newest first)."""
        return list(self._data.get("ids", []))

    @property
    def all_columns(self) -> list[str]:
        """Every column key the runs have (``columns`` is the ones shown)."""
        return [c["key"] for c in self._data.get("columns", [])]

    def selected_runs(self) -> list[Any]:
        """The selected runs as ``wbnb.Api`` runs."""
        return [self.api.run(f"{self.project}/{rid}") for rid in self.selected]

    def link(self, target: Any) -> Any:
        """Make the selection drive ``target``: a callable (called with the selected run
        ids), or a container widget (``ipywidgets.Box``) whose one child becomes a
        ``Curves`` of the selected runs. Returns ``target``."""
        if callable(target) and not hasattr(target, "children"):
            self._links.append(target)
            target(list(self.selected))
            return target
        if hasattr(target, "children"):
            box = target

            def show(ids: list[str]) -> None:
                from ..curves import Curves

                old = list(box.children)
                box.children = (
                    [Curves([f"{self.project}/{i}" for i in ids], store=self.store, live=False)] if ids else []
                )
                for child in old:
                    child.close()

            self._links.append(show)
            show(list(self.selected))
            return box
        raise TypeError(f"link() takes a callable or a container widget, got {target!r}")

    def curves(self) -> Any:
        """A box showing a ``Curves`` of the selected runs, remade when the selection
        changes (Curves takes its runs when it is made)."""
        import ipywidgets

        return self.link(ipywidgets.VBox())

    def _picture(self) -> Any:
        from .picture import table_picture

        return table_picture(
            self._data,
            self._shown,
            project=self.project,
            filter=self.filter,
            sort=list(self.sort),
            columns=list(self.columns),
            selected=list(self.selected),
        )

    def _on_selected(self, change: dict[str, Any]) -> None:
        for fn in list(self._links):
            fn(list(change["new"]))
