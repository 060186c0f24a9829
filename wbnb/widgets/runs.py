"""The runs a widget shows: ``RunRef``, resolved from whatever the user passed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..sdk.lifecycle import current_run
from ..store.base import Store
from ..store.runmeta import RunMeta
from .contract import RunInfo


@dataclass
class RunRef:
    """A run a widget shows, resolved from whatever the user passed."""

    store: Store
    project: str
    id: str
    name: str
    meta: RunMeta
    live: Any = None  # the kernel's own sdk Run while it is logging

    def info(self) -> RunInfo:
        """The run as a snapshot lists it."""
        return {"id": self.id, "name": self.name, "project": self.project}


def resolve_runs(runs: Any, store: Store | None = None) -> list[RunRef]:
    """Accept one run or a sequence of: the kernel's ``wbnb.Run``, an ``Api`` run,
    ``"project/run_id"`` (in ``store`` or the default local store)."""
    if runs is None:
        current = current_run()
        if current is None:
            raise ValueError("no run given and no current run: pass runs=, or call wbnb.init() first")
        runs = [current]
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence):
        runs = [runs]
    out = []
    for run in runs:
        if isinstance(run, str):
            project, sep, run_id = run.rpartition("/")
            if not sep or not project:
                raise ValueError(f"a run path is 'project/run_id', got {run!r}")
            project = project.rpartition("/")[2]  # "entity/project/id" works too
            st = store or _default_store()
            meta = st.run(project, run_id)
            out.append(RunRef(st, project, run_id, str(meta.get("name") or run_id), meta))
            continue
        run_store = getattr(run, "_store", None)
        if run_store is None or not hasattr(run, "project") or not hasattr(run, "id"):
            raise TypeError(f"expected a wbnb run (wbnb.init() or Api().run()) or 'project/id', got {run!r}")
        meta = getattr(run, "_meta", None) or run_store.run(run.project, run.id)
        live = run if hasattr(run, "add_listener") and run.state == "running" else None
        out.append(RunRef(run_store, run.project, run.id, str(run.name or run.id), meta, live))
    if not out:
        raise ValueError("no runs to show")
    return out


def _default_store() -> Store:
    from ..sdk.login import default_store

    return default_store()  # the logged-in server's, else the local folder
