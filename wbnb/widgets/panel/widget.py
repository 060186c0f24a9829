"""``RunPanel``: one run at a glance, and what a notebook shows for a run.

A thin composite: a text-only header (name, project/id, state, duration, and the
run's cell exceptions, interrupts and alerts), the artifact versions it used and logged
(``artifacts.py``, once it has any), the run's curves by section, a component per kind
of media it has logged (images, confusion matrices, histograms; found from its summary,
so nothing is read to decide), and its system metrics. Each part is its own small model;
the charting code is shared by all of them through the one ``VegaLoader``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from ...store.base import Store
from ..confusion import ConfusionMatrix
from ..curves import Curves
from ..gallery import Gallery
from ..header import RunHeader
from ..histograms import Histograms
from ..pictures import Pictured, live_runs
from ..pictures.svg import Picture
from ..runs import resolve_runs
from ..system import System
from .artifacts import RunArtifacts, run_artifacts
from .picture import panel_picture

MEDIA = {"image": Gallery, "confusion_matrix": ConfusionMatrix, "histogram": Histograms}


def media_kinds(summary: dict[str, Any]) -> set[str]:
    """The ``_type``s of media among a summary's values (lists of them included, and
    within ``define_metric``'s aggregations: ``{"last": <image>}``)."""
    kinds: set[str] = set()
    for value in summary.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                kinds |= {item["_type"]} if isinstance(item.get("_type"), str) else media_kinds(item)
    return kinds


class RunPanel(Pictured, ipywidgets.VBox):
    """Header, the artifacts it used and logged, curves, media and system metrics of one
    run (live while it logs).
    Displayed, it carries one static picture of all its parts (``Pictured``). An
    ``ipywidgets.VBox`` of its parts: no contract or front end of its own."""

    def __init__(self, run: Any = None, *, store: Store | None = None, live: bool = True, **kwargs: Any) -> None:
        refs = resolve_runs(run, store)
        if len(refs) != 1:
            raise ValueError(f"RunPanel shows one run, got {len(refs)}; compare several with Curves([...])")
        self.ref = refs[0]
        target = self.ref.live or f"{self.ref.project}/{self.ref.id}"
        store = store or self.ref.store
        self.header = RunHeader(self.ref, live=live)
        self.curves = Curves(target, store=store, live=live)
        self.artifacts: RunArtifacts | None = run_artifacts(self.ref)  # made once the run has some
        parts: list[Any] = [self.header, *([self.artifacts] if self.artifacts else []), self.curves]
        summary = self.ref.live.summary.as_dict() if self.ref.live is not None else self.ref.meta.get("summary") or {}
        parts += [cls(target, store=store, live=live) for kind, cls in MEDIA.items() if kind in media_kinds(summary)]
        if self._has_system(store):
            parts.append(System(target, store=store, live=live))
        super().__init__(parts, **kwargs)

    def _has_system(self, store: Store) -> bool:
        if self.ref.live is not None:
            return bool(self.ref.live.settings.system_interval)
        return bool(store.rows(self.ref.project, self.ref.id, "system")[0])

    def flush(self) -> None:
        """Bring every part (and the header's state) up to date now."""
        self.header.refresh()
        if self.artifacts is None and (section := run_artifacts(self.ref)) is not None:
            self.artifacts = section  # the run logged or used its first artifact since
            self.set_trait("children", (self.header, section, *self.children[1:]))
        for part in self.children[1:]:
            part.flush()

    def _following(self) -> list[Any]:
        return live_runs([self.ref])

    def _freshen(self) -> None:
        self.flush()

    def _redraw_sources(self) -> list[tuple[Any, tuple[str, ...]]]:
        return [src for part in self.children[1:] for src in part._redraw_sources()]

    def _picture(self) -> Picture:
        return panel_picture(self.header._picture(), [part._still_picture() for part in self.children[1:]])
