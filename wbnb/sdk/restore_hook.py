"""``Run.restore`` without the tracker importing the public API: ``wbnb.restore``
(``wbnb/restore.py``) reads a run's files through ``wbnb.api``, a layer above the tracker,
so ``wbnb/__init__.py`` provides it here."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO

Restore = Callable[[str, "str | None", bool, "str | os.PathLike[str] | None"], "IO[str] | None"]
_provided: list[Restore] = []


def provide_restore(fn: Restore) -> None:
    """Make ``fn`` what ``restore`` calls."""
    _provided[:] = [fn]


def restore(
    name: str, run_path: str | None = None, replace: bool = False, root: str | os.PathLike[str] | None = None
) -> IO[str] | None:
    """``wbnb.restore(name, run_path, replace, root)``: a run's file, copied into ``root`` and opened."""
    if not _provided:
        raise RuntimeError("wbnb.restore is not available: import wbnb (not only wbnb.sdk)")
    return _provided[0](name, run_path, replace, root)
