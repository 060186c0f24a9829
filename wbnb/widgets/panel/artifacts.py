"""``RunArtifacts``: the RunPanel's section on a run's artifacts, the versions it used
and logged, as text (markup from escaped strings, drawn by the header's view, which keeps
only text and simple markup)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import anywidget
import traitlets

from ...store.catalog.base import Catalog
from ...store.catalog.records import LATEST, RunRef, VersionRecord
from ..bundles import bundle
from ..catalog import catalog_of
from ..pictures import Pictured
from ..pictures.svg import MUTED, Picture, text
from ..runs import RunRef as WidgetRun

SHOWN = 8  # versions listed per direction; the rest are counted
WIDTH = 720


def version_text(v: VersionRecord, project: str) -> str:
    """``name:vN`` (``project/`` first when it is another project's), its user aliases."""
    name = f"{v.name}:{v.version}" if v.project == project else f"{v.project}/{v.name}:{v.version}"
    aliases = [a for a in v.aliases if a != LATEST]
    return f"{name} ({', '.join(aliases)})" if aliases else name


def artifact_lines(inputs: Sequence[VersionRecord], outputs: Sequence[VersionRecord], project: str) -> list[str]:
    """``used: ...`` and ``logged: ...`` lines (only those that have versions)."""
    lines = []
    for label, versions in (("used", inputs), ("logged", outputs)):
        if versions:
            shown = [version_text(v, project) for v in versions[:SHOWN]]
            more = f", … {len(versions) - SHOWN} more" if len(versions) > SHOWN else ""
            lines.append(f"{label}: {', '.join(shown)}{more}")
    return lines


class RunArtifacts(Pictured, anywidget.AnyWidget):
    """The artifact versions a run used and logged (``refresh()`` re-reads them)."""

    value = traitlets.Unicode("").tag(sync=True)  # markup, as RunHeader's

    def __init__(self, ref: WidgetRun, catalog: Catalog, **kwargs: Any) -> None:
        if "_esm" not in RunArtifacts.__dict__:
            RunArtifacts._esm = bundle("header")  # the header's view: text and simple markup
        self.run, self.catalog = RunRef(ref.project, ref.id), catalog
        self.lines: list[str] = []
        super().__init__(**kwargs)
        self.refresh()

    def refresh(self) -> None:
        """Read the run's inputs and outputs again."""
        self.lines = artifact_lines(self.catalog.inputs(self.run), self.catalog.outputs(self.run), self.run.project)
        rows = "".join(f"<div class='wbnb-artifact-line'>{escape(line)}</div>" for line in self.lines)
        self.value = f"<div class='wbnb-run-artifacts' style='font:12px sans-serif;color:#444'>{rows}</div>"

    def flush(self) -> None:
        """Bring the lists up to date (the panel calls it with its parts)."""
        self.refresh()

    def _picture(self) -> Picture:
        body = [text(4, 14 + 16 * i, line, fill=MUTED, width=WIDTH - 8) for i, line in enumerate(self.lines)]
        return Picture(WIDTH, 4 + 16 * len(self.lines), "".join(body))


def run_artifacts(ref: WidgetRun) -> RunArtifacts | None:
    """The section for a run that has used or logged artifacts (None otherwise, or when
    its store keeps no artifacts)."""
    try:
        catalog = catalog_of(ref.store)
    except ValueError:
        return None
    run = RunRef(ref.project, ref.id)
    if not catalog.inputs(run) and not catalog.outputs(run):
        return None
    return RunArtifacts(ref, catalog)
