"""``wbnb.restore(name, run_path=)``: bring back a file of a run (saved with ``run.save`` /
``run.dir``, or ``code/...`` from ``log_code``), as wandb's ``restore`` downloads it:
copied into ``root`` and opened.

It is the public API's ``Api().run(run_path).file(name).download()`` (one listing of a
run's files: ``store/runfiles.py``), except for the run this process is logging, whose
files are read where it writes them: a server keeps a run's saved files once it ends.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Any

from .store.runfiles import relative_name


def restore(
    name: str, run_path: str | None = None, replace: bool = False, root: str | os.PathLike[str] | None = None
) -> IO[str] | None:
    """Copy the file ``name`` of the run ``run_path`` (default: the current run) into
    ``root`` (default: the current run's ``dir``, else the working directory) and
    return it opened for reading. A file already there is opened as it is unless
    ``replace``. Returns None for a disabled run; raises ``ValueError`` naming the
    run's files when it has no such file."""
    run = sys.modules["wbnb"].run
    if getattr(run, "disabled", False):
        return None
    if run_path is None:
        if run is None:
            raise ValueError("restore: pass run_path='entity/project/run_id' (there is no current run to restore from)")
        run_path = run.path
    base = Path(root if root is not None else run.dir if run is not None else os.getcwd())
    target = base / relative_name(name)
    if target.exists() and not replace:
        return open(target)
    return _public_run(run_path, run).file(name).download(root=base, replace=True)


def _public_run(run_path: str, current: Any) -> Any:
    """The public ``Run`` at ``run_path``; the current run's from the store it writes
    into (for a server run, its spool: nothing is uploaded before it ends)."""
    from .api import Api, Run

    if current is not None and run_path.strip("/") in (current.path, f"{current.project}/{current.id}", current.id):
        store = current._store
        spool = getattr(store, "spool", None)
        if spool is not None:
            from .store.local import LocalStore

            store = LocalStore(spool)
        return Run(store, store.run(current.project, current.id))
    overrides = {"dir": current.settings.dir} if current is not None else None
    return Api(overrides).run(run_path)
