"""``wbnb.restore(name, run_path=)``: bring back a file saved with a run (``run.save`` /
``run.dir``), as wandb's ``restore`` downloads it: copied into ``root`` and opened.

A run's files live in its ``files/`` folder: in the local store, or, for a run logged
to a server, in the spool of the machine that logged it (files are not uploaded).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import IO, Any

from ..errors import CommError


def restore(
    name: str, run_path: str | None = None, replace: bool = False, root: str | os.PathLike[str] | None = None
) -> IO[str] | None:
    """Copy the file ``name`` saved with the run ``run_path`` (default: the current run)
    into ``root`` (default: the current run's ``dir``, else the working directory) and
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
    target = base / _relative(name)
    if target.exists() and not replace:
        return open(target)
    folder = files_dir(run_path, run)
    source = folder / _relative(name)
    if not source.is_file():
        raise ValueError(f"restore: run {run_path} has no file {name!r}; its files: {saved_files(folder)}")
    if source.resolve() != target.resolve():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return open(target)


def files_dir(run_path: str, current: Any = None) -> Path:
    """The ``files/`` folder of the run at ``run_path`` (the current run's own ``dir``
    when the path names it)."""
    if current is not None and not getattr(current, "disabled", False):
        if run_path.strip("/") in (current.path, f"{current.project}/{current.id}", current.id):
            return Path(current.dir)
    from ..api import Api

    overrides = {"dir": current.settings.dir} if current is not None else None
    found = Api(overrides).run(run_path)
    store = found._store
    run_dir = getattr(store, "run_dir", None)
    spool = getattr(store, "spool", None)
    if run_dir is None and spool is not None:
        from ..store.local import LocalStore

        run_dir = LocalStore(spool).run_dir  # a server run logged from this machine
    if run_dir is None:
        raise CommError(f"restore: the files of run {run_path} stay on the machine that logged it")
    return Path(run_dir(found.project, found.id)) / "files"


def saved_files(folder: Path) -> list[str]:
    """The relative paths of the files below ``folder``, sorted (empty if it is missing)."""
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _relative(name: str) -> Path:
    """``name`` as a path that stays inside the folder it is joined to."""
    path = Path(name)
    if not name or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"restore: name must be a relative path inside the run's files, got {name!r}")
    return path
