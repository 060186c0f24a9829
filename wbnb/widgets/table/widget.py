"""``RunTable``: every run of a project in a sortable, filterable table.

    from wbnb.widgets import RunTable
    table = RunTable("mnist", filter="summary.val_acc > 0.8 and config.lr < 1e-3", sort="-summary.val_acc")
    table                              # click headers to sort, type a filter, choose columns
    table.selected                     # run ids of the rows selected in the browser
    table.curves()                     # a Curves of the selected runs, following the selection

Columns: ``name``, ``state``, ``created``, ``duration``, ``tags``, then ``config.*`` and
``summary.*`` (nested dicts flattened with ``.``; media records left out). Python reads
the run documents once (``refresh()`` re-reads, ``poll=`` seconds follows new runs) and
sends them as columns in the ``_data`` trait, numeric ones as float64 bytes; sorting and
filtering happen in the browser (``js/lib/sort.ts``, ``js/lib/filter.ts``). ``filter``,
``sort``, ``columns`` and ``selected`` sync both ways; ``filter_error`` says why the
front end could not parse ``filter`` (empty when it could, or before any view drew).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import anywidget
import traitlets as t

from ...sdk.lifecycle import current_run
from ...store.base import Store
from ...store.filters import run_runtime
from ..bundles import bundle
from ..pictures import Pictured

BASE_COLUMNS = ("name", "state", "created", "duration", "tags")


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        if "_type" in value:  # a logged media record: not a table value
            return
        keys = value.keys()
        if set(keys) == {"value"} or ("value" in value and "desc" in value):  # wandb-style config entry
            _flatten(prefix, value["value"], out)
            return
        for k in keys:
            _flatten(f"{prefix}.{k}", value[k], out)
    elif isinstance(value, (list, tuple)):
        out[prefix] = [v if isinstance(v, (int, float, str, bool)) or v is None else str(v) for v in value]
    else:
        out[prefix] = value


def run_row(meta: Mapping[str, Any], summary: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The flat row of one run: column key -> value."""
    row: dict[str, Any] = {
        "id": meta.get("id"),
        "name": meta.get("name") or meta.get("id"),
        "state": meta.get("state"),
        "created": meta.get("created_at"),
        "duration": run_runtime(meta),
        "tags": [str(x) for x in meta.get("tags") or ()],
    }
    for k, v in (meta.get("config") or {}).items():
        if not str(k).startswith("_"):
            _flatten(f"config.{k}", v, row)
    for k, v in (summary if summary is not None else meta.get("summary") or {}).items():
        if not str(k).startswith("_"):
            _flatten(f"summary.{k}", v, row)
    return row


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def columnar(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows -> the ``_data`` wire format: ``{n, ids, columns: [{key, type, values}]}``.

    Numeric columns (``num``, and ``time`` / ``dur`` for created / duration) carry
    float64 bytes with NaN for missing; the others a JSON list with ``None``."""
    keys: dict[str, None] = dict.fromkeys(BASE_COLUMNS)
    config: dict[str, None] = {}
    summary: dict[str, None] = {}
    for row in rows:
        for k in row:
            if k.startswith("config."):
                config[k] = None
            elif k.startswith("summary."):
                summary[k] = None
    keys.update(dict.fromkeys(sorted(config)))
    keys.update(dict.fromkeys(sorted(summary)))
    columns = []
    for key in keys:
        values = [row.get(key) for row in rows]
        present = [v for v in values if v is not None]
        if key == "tags":
            kind = "list"
        elif key == "created":
            kind = "time"
        elif key == "duration":
            kind = "dur"
        elif present and all(_is_number(v) for v in present):
            kind = "num"
        elif present and all(isinstance(v, str) for v in present):
            kind = "str"
        else:
            kind = "any"
        if kind in ("num", "time", "dur"):
            nums = array("d", (math.nan if v is None else float(v) for v in values))
            columns.append({"key": key, "type": kind, "values": memoryview(nums.tobytes())})
        else:
            clean = [v if v is None or isinstance(v, (str, bool, list)) or _finite(v) else str(v) for v in values]
            columns.append({"key": key, "type": kind, "values": clean})
    return {"n": len(rows), "ids": [str(row.get("id")) for row in rows], "columns": columns}


def _finite(v: Any) -> bool:
    return _is_number(v) and math.isfinite(v)


class RunTable(Pictured, anywidget.AnyWidget):
    """All runs of a project, one row each; sorted, filtered and chosen in the browser.

    ``project``: the project name (default: the current run's, else the settings').
    ``store``: a ``Store`` (default the local one, or ``dir=``). ``filter``: an expression
    (``summary.acc > 0.8 and config.lr < 1e-3``, ``tags has baseline``, ``name ~ resnet``).
    ``sort``: ``"-summary.acc"`` or a list of such keys (``-`` descending). ``columns``:
    the columns shown, in order (default all). ``poll``: seconds between re-reads of the
    store to follow new runs (None: read once; ``refresh()`` re-reads).
    """

    _data = t.Dict().tag(sync=True)
    filter = t.Unicode("").tag(sync=True)
    filter_error = t.Unicode("").tag(sync=True)
    sort = t.List(t.Unicode()).tag(sync=True)
    columns = t.List(t.Unicode()).tag(sync=True)
    selected = t.List(t.Unicode()).tag(sync=True)
    height = t.Int(420).tag(sync=True)

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
            _data=self._read(),
            filter=filter,
            sort=list(sort or ["-created"]),
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

    def _read(self) -> dict[str, Any]:
        rows = []
        for run in self.api.runs(self.project, order=None):  # "project" or "entity/project"
            meta, summary = run.meta, None
            if meta.get("state") == "running" or "summary" not in meta:
                summary = run.summary  # rebuilt from the rows logged so far
            rows.append(run_row(meta, summary))
        rows.sort(key=lambda r: r.get("created") or 0.0, reverse=True)
        return columnar(rows)

    def refresh(self) -> None:
        """Re-read the project's runs (new runs, states, summaries)."""
        data = self._read()
        with self._lock:
            if data != self._data:  # an unchanged project sends nothing
                self._data = data

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
            project=self.project,
            filter=self.filter,
            sort=list(self.sort),
            columns=list(self.columns),
            selected=list(self.selected),
        )

    def _on_selected(self, change: dict[str, Any]) -> None:
        for fn in list(self._links):
            fn(list(change["new"]))
