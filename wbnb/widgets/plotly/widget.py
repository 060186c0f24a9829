"""``PlotlyView``: the plotly figures runs logged, drawn by plotly.js, with a step slider
per (run, key); and ``PlotlyLoader``, the one hidden model per kernel that carries
plotly.js (``wbnb/static/plotlyjs.js``, ~4.7 MB).

As with ``VegaLoader``, the heavy code is held once per kernel, by a model that is never
displayed, and ``js/plotly/loader.ts`` imports it once per page (a Blob URL, cached on
``window`` by its content hash). Unlike vega it is made only when a ``PlotlyView`` has a
figure to show (``_plotly`` stays None until then), and the page imports it only for a
view that references it: a notebook without plotly figures carries and runs none of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

import anywidget
import traitlets as t
from ipywidgets import widget_serialization

from ...store.base import Store
from ..base import LiveWidget
from ..bundles import bundle
from ..contract import StepsSnapshot
from ..pictures.svg import Picture
from ..runs import resolve_runs
from ..steprecords import StepRecords
from .contract import FigureReply
from .figures import figure_of


class PlotlyLoader(anywidget.AnyWidget):
    """Hidden model holding plotly.js (see module doc). Use ``shared()``."""

    # No front end of its own: the figures' views import ``source`` when they draw one.
    _esm = "export default {};"
    source = t.Unicode("").tag(sync=True)
    version = t.Unicode("").tag(sync=True)  # content hash of ``source``: the page's cache key

    _shared: PlotlyLoader | None = None

    @classmethod
    def shared(cls) -> PlotlyLoader:
        """The kernel's one loader (made on first use, remade if its comm was closed: marimo
        closes a cell's comms when the cell runs again)."""
        inst = cls._shared
        if inst is None or inst.comm is None or getattr(inst.comm, "_closed", False):
            src = bundle("plotlyjs")
            inst = cls._shared = cls(source=src, version=hashlib.sha256(src.encode()).hexdigest()[:16])
        return inst


class PlotlyView(LiveWidget):
    """The plotly figures (``wbnb.Plotly``, or a plotly figure logged as it is) of one or
    many runs, each drawn by plotly.js as it was logged, with a step slider per (run, key);
    a list of figures under one key: each drawn, side by side; several runs side by side.

    ``runs``: a run, ``"project/run_id"`` or a list (default the current run); ``keys``:
    keys or globs (default every key holding a figure). ``steps_shown`` (series id ->
    step, a trait saved with the notebook) is the viewer's choice; absent: the newest.
    """

    esm_name = "plotly"

    _snapshot = t.Dict().tag(sync=True, ts=StepsSnapshot)
    _plotly = t.Instance(PlotlyLoader, allow_none=True).tag(sync=True, **widget_serialization)
    steps_shown = t.Dict().tag(sync=True, ts=dict[str, int])
    height = t.Int(360).tag(sync=True)  # px of a figure that sets no height of its own

    def __init__(
        self,
        runs: Any = None,
        keys: Iterable[str] | str | None = None,
        *,
        height: int = 360,
        live: bool = True,
        store: Store | None = None,
        min_interval: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self.figures = StepRecords(resolve_runs(runs, store), keys, "plotly")
        super().__init__(model=self.figures, live=live, min_interval=min_interval, height=height, **kwargs)
        self._load_plotly()

    def _load_plotly(self) -> None:
        """Reference the loader once there is a figure to draw (before the page hears of it)."""
        if self._plotly is None and self.figures.entries:
            self._plotly = PlotlyLoader.shared()

    def _publish_delta(self, seq: int, content: dict[str, Any], buffers: list[bytes]) -> None:
        self._load_plotly()
        super()._publish_delta(seq, content, buffers)

    def _publish_snapshot(self, seq: int, state: dict[str, Any]) -> None:
        self._load_plotly()
        super()._publish_snapshot(seq, state)

    def _answer(self, request: Mapping[str, Any]) -> tuple[FigureReply, list[bytes]] | None:
        found = self.figures.fetched(request)
        if found is None:
            return None
        fetch, entry, record = found
        data = b"" if record is None else self.figures.media(entry, record)
        reply: FigureReply = {
            "type": "figure",
            "req": fetch["req"],
            "id": fetch["id"],
            "step": fetch["step"],
            "index": fetch["index"],
            "found": bool(data),
        }
        return reply, [data] if data else []

    @property
    def figure_keys(self) -> list[str]:
        """The keys that hold figures, sorted."""
        return self.figures.keys_shown()

    def figure(self, key: str, run: int = 0, step: int | None = None, index: int = 0) -> dict[str, Any] | None:
        """Figure ``index`` (of a logged list; 0 for one figure) of ``key`` (run number
        ``run``, at ``step`` or the newest) as its JSON dict (``plotly.io.from_json`` makes
        it a figure again), or None."""
        return figure_of(self.figures, key, run, step, index)

    def _picture(self) -> Picture:
        from .picture import plotly_picture

        return plotly_picture(self.figures, dict(self.steps_shown))
