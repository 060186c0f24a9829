"""``Compare``, the anywidget: any project's runs as parallel coordinates over their config
columns and a chosen summary metric, with each parameter's importance for it; and
``ParallelWidget``, what it shares with the sweep panel (``widgets/sweep``).

Python reads the runs into ``_data`` (``model.py``; ``refresh()`` re-reads, ``poll=``
seconds follows the store); the page draws them (``js/compare/``), brushing an axis
filters the lines and sends the runs that pass (``contract.SelectRequest``), kept in
``selected``; ``curves()`` shows them in ``Curves``.
"""

from __future__ import annotations

import threading
from typing import Any

import anywidget
import traitlets as t

from ...sdk.lifecycle import current_run
from ...store.base import Store
from ..bundles import bundle
from ..pictures import Pictured
from ..pictures.svg import Picture
from ..table.model import same_rows
from .contract import CompareData, Parallel
from .model import compare_data
from .picture import compare_picture


class ParallelWidget(Pictured, anywidget.AnyWidget):
    """Base of the widgets built on parallel coordinates: their brushed selection, their
    re-reading (``refresh``, ``poll``) and ``curves()``. A subclass declares ``_data``,
    ``esm_name`` and ``data`` (what ``_data`` holds, typed), reads it in ``_read`` and passes
    the first reading as ``_data``."""

    selected = t.List(t.Unicode()).tag(sync=True)  # run ids, from the page's brushing
    data: Any
    esm_name = ""

    def __init__(self, **traits: Any) -> None:
        cls = type(self)
        if "_esm" not in cls.__dict__:
            cls._esm = bundle(self.esm_name)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.data = traits["_data"]
        super().__init__(**traits)
        self.on_msg(self._on_request)

    def _read(self, rev: int) -> Any:
        """The ``_data`` trait's value now, at revision ``rev``."""
        raise NotImplementedError

    @property
    def parallel(self) -> Parallel:
        """The parallel coordinates shown (axes, one line per run, importance)."""
        parallel: Parallel = self.data["parallel"]
        return parallel

    def refresh(self) -> None:
        """Re-read what the widget shows (new runs, new values); sends nothing if unchanged."""
        with self._lock:
            data = self._read(self.data["rev"] + 1)
            if not same_rows(data, self.data):
                self.data = data
                self.set_trait("_data", data)

    def _follow(self, every: float | None) -> None:
        """Re-read every ``every`` seconds on a thread while ``_live()`` says so."""
        if not every:
            return

        def poll() -> None:
            while self._live() and not self._stop.wait(every):
                try:
                    self.refresh()
                except Exception:  # a store hiccup must not kill the thread; the next poll retries
                    pass

        threading.Thread(target=poll, daemon=True, name=f"wbnb-{self.esm_name}-poll").start()

    def _live(self) -> bool:
        return True

    def close(self) -> None:
        if hasattr(self, "_stop"):  # not when the first read raised (a missing sweep): ipywidgets' __del__ closes it
            self._stop.set()
        super().close()

    def _on_request(self, _widget: Any, content: Any, _buffers: list[Any]) -> None:
        # From the page: read defensively, keep only ids of the lines shown.
        if isinstance(content, dict) and content.get("type") == "select" and isinstance(content.get("ids"), list):
            shown = {line["id"] for line in self.parallel["lines"]}
            self.selected = [i for i in content["ids"] if isinstance(i, str) and i in shown]

    def selected_runs(self) -> list[Any]:
        """The selected runs as ``wbnb.Api`` runs."""
        return [self.api.run(f"{self.project}/{rid}") for rid in self.selected]

    def curves(self, **kwargs: Any) -> Any:
        """A ``Curves`` of the selected runs (every run shown when none is selected);
        ``kwargs`` go to ``Curves``."""
        from ..curves import Curves

        ids = list(self.selected) or [line["id"] for line in self.parallel["lines"]]
        return Curves([f"{self.project}/{i}" for i in ids], store=self.api.store, **kwargs)


class Compare(ParallelWidget):
    """A project's runs as parallel coordinates: their config columns (those that vary)
    against a summary metric, brushed to filter, with each parameter's random-forest
    importance and correlation for the metric.

    ``project``: the project (default: the current run's, else the settings'). ``metric``:
    a summary key (default: the first numeric one; the page offers the others). ``store`` /
    ``dir``: where to read. ``poll``: seconds between re-reads (None: read once).
    """

    _data = t.Dict().tag(sync=True, ts=CompareData)
    data: CompareData
    metric = t.Unicode("").tag(sync=True)
    esm_name = "compare"

    def __init__(
        self,
        project: str | None = None,
        *,
        metric: str | None = None,
        store: Store | None = None,
        dir: str | None = None,
        poll: float | None = None,
        **kwargs: Any,
    ) -> None:
        from ...api import Api

        self.api = Api({"dir": dir} if dir else None, store=store)
        self.project = project or getattr(current_run(), "project", None) or self.api.default_project
        data = compare_data(self.api, self.project, metric)
        super().__init__(_data=data, metric=data["parallel"]["metric"], **kwargs)
        self.observe(lambda _change: self.refresh(), names="metric")
        self._follow(poll)

    def _read(self, rev: int) -> CompareData:
        return compare_data(self.api, self.project, self.metric or None, rev)

    def _picture(self) -> Picture:
        return compare_picture(self.data, list(self.selected))
