"""``RunPanel``: one run at a glance, laid out like a dashboard, and what a notebook shows
for a run.

One anywidget whose traits hold references to its parts' models (``_header``,
``_artifacts``, ``_parts``) and the layout of their cells (``_sections``, ``layout.py``);
its page (``js/panel/``) draws the header, then the sections in a grid, mounting each
part's own view class over that part's model for one key per cell. The parts: a text-only
header (name, project/id, state, duration, and the run's cell exceptions, interrupts and
alerts), the artifact versions it used and logged (``artifacts.py``, once it has any), one
component per kind of value the run logged (``widgets/kinds.py``: one ``Curves`` for every
scalar, one ``Gallery`` for every image key, ... found from the run's summary, so nothing
is read to decide), and its system metrics. While the run is live the header's look (each
second) re-reads the summary: a key logged for the first time gets its cell then, and a
new kind its part. The charting code is shared by all of them through the one
``VegaLoader``; the viewer's layout choices are the ``arrangement`` trait.
"""

from __future__ import annotations

import threading
from typing import Any

import anywidget
import traitlets as t
from ipywidgets import Widget, widget_serialization

from ...store.base import Store
from ..bundles import bundle
from ..curves import Curves
from ..header import RunHeader
from ..kinds import component, one_key_each, summary_kinds
from ..pictures import Pictured, live_runs
from ..pictures.svg import Picture
from ..runs import resolve_runs
from ..system import System
from .artifacts import RunArtifacts, run_artifacts
from .contract import Arrangement, PanelCell, PanelSection
from .layout import cell, sections
from .picture import panel_picture


class RunPanel(Pictured, anywidget.AnyWidget):
    """Header, the artifacts it used and logged, a panel per logged key in sections by
    ``prefix/``, and system metrics of one run (live while it logs).

    ``arrangement``: the viewer's choices (collapsed sections, the enlarged panel, hidden
    panels), kept
    in the notebook's widget state. Displayed, it carries one static picture of all its
    parts (``Pictured``)."""

    _header = t.Instance(RunHeader).tag(sync=True, **widget_serialization)
    _artifacts = t.Instance(RunArtifacts, allow_none=True).tag(sync=True, **widget_serialization)
    _parts = t.Dict(t.Instance(Widget)).tag(sync=True, ts=dict[str, str], **widget_serialization)
    _sections: t.List[PanelSection] = t.List().tag(sync=True, ts=list[PanelSection])
    arrangement = t.Dict({"collapsed": [], "enlarged": "", "hidden": []}).tag(sync=True, ts=Arrangement)

    def __init__(self, run: Any = None, *, store: Store | None = None, live: bool = True, **kwargs: Any) -> None:
        refs = resolve_runs(run, store)
        if len(refs) != 1:
            raise ValueError(f"RunPanel shows one run, got {len(refs)}; compare several with Curves([...])")
        self.ref = refs[0]
        self._target = self.ref.live or f"{self.ref.project}/{self.ref.id}"
        self._store = store or self.ref.store
        self._live = live
        self._lock = threading.Lock()  # the header's thread and the kernel's both re-read the keys
        self._made = False  # the header's thread may look before the parts are made
        self.header = RunHeader(self.ref, live=live, on_look=self._look)
        self.artifacts: RunArtifacts | None = run_artifacts(self.ref)  # made once the run has some
        # One part per component, made when the run first logs a kind it draws; Curves from
        # the start (a run just begun logs scalars first).
        self.parts: dict[str, Any] = {"curves": Curves(self._target, store=self._store, live=live)}
        self.system: System | None = None
        if self._has_system():
            self.system = self.parts["system"] = System(self._target, store=self._store, live=live)
            self.system.observe(self._relayout, names=["loading"])  # its keys, once a long history is in
        if "_esm" not in RunPanel.__dict__:
            RunPanel._esm = bundle("panel")
        super().__init__(_header=self.header, _artifacts=self.artifacts, **kwargs)
        self._made = True
        self._look()

    @property
    def curves(self) -> Curves:
        """The part drawing the run's scalars."""
        return self.parts["curves"]

    @property
    def sections(self) -> list[PanelSection]:
        """The sections and their cells, as the page draws them."""
        return list(self._sections)

    def _has_system(self) -> bool:
        if self.ref.live is not None:
            return bool(self.ref.live.settings.system_interval)
        return bool(self._store.rows(self.ref.project, self.ref.id, "system")[0])

    def _summary(self) -> dict[str, Any]:
        if self.ref.live is not None:
            return self.ref.live.summary.as_dict()
        return self.ref.meta.get("summary") or {}  # the header re-reads it while the run is live

    def _part(self, cls: type, key: str) -> str:
        """The name of the part of class ``cls`` that draws ``key``, made if need be."""
        name = cls.__name__.lower()
        if one_key_each(cls):
            name = f"{name}:{key}"
        if name not in self.parts:
            args = (self._target, key) if one_key_each(cls) else (self._target,)
            self.parts[name] = cls(*args, store=self._store, live=self._live)
        return name

    def _look(self) -> bool:
        """Re-read the run's keys (its summary, the system metrics' part) and lay out their
        cells; True when something changed. The header calls it at each look while live."""
        if not self._made:
            return False
        with self._lock:
            cells: list[PanelCell] = []
            for key, kind in summary_kinds(self._summary()).items():
                cls = component(kind)
                if cls is None:  # a component not installed: its kind is not drawn
                    continue
                name = self._part(cls, key)
                cells.append(cell(name, self.parts[name].esm_name, key))
            system: list[PanelCell] = []
            if self.system is not None:
                with self.system._feed.lock:  # its feed's thread adds keys meanwhile
                    system = [cell("system", System.esm_name, key) for key in self.system.metric_keys]
            laid = sections(cells, system)
            if set(self.parts) != set(self._parts):
                self._parts = dict(self.parts)
            if laid == self._sections:
                return False
            self._sections = laid
            return True

    def _relayout(self, _change: Any = None) -> None:
        self._look()

    def flush(self) -> None:
        """Bring every part (and the header's state) up to date now."""
        self.header.refresh()
        if self.artifacts is None and (section := run_artifacts(self.ref)) is not None:
            self.artifacts = self._artifacts = section  # the run logged or used its first artifact since
        if self.artifacts is not None:
            self.artifacts.flush()
        for part in list(self.parts.values()):
            part.flush()
        self._look()

    def close(self) -> None:
        """Close the panel and its parts (a panel whose constructor failed has none yet)."""
        parts = getattr(self, "parts", {})
        for part in [getattr(self, "header", None), getattr(self, "artifacts", None), *parts.values()]:
            if part is not None:
                part.close()  # the header's thread and the parts' feeds stop
        super().close()

    def _drawn(self) -> list[Any]:
        """The parts in the order the page draws their sections (for the picture)."""
        named = [c["part"] for s in self._sections for c in s["cells"]]
        return [self.parts[name] for name in dict.fromkeys(named)]

    def _following(self) -> list[Any]:
        return live_runs([self.ref])

    def _freshen(self) -> None:
        self.flush()

    def _redraw_sources(self) -> list[tuple[Any, tuple[str, ...]]]:
        return [src for part in self.parts.values() for src in part._redraw_sources()]

    def _picture(self) -> Picture:
        head = [self.header._picture(), *([self.artifacts._picture()] if self.artifacts else [])]
        return panel_picture(head, [(type(p).__name__, p._still_picture()) for p in self._drawn()])
