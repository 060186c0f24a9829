"""Copying an artifact file out of the store, checked against its digest on the way."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from ..store.catalog.digest import copy_file_digesting


def temp_beside(path: Path) -> Path:
    """A temp name beside ``path`` of this process's thread: threads (and processes)
    placing the same file at once never write through one temp file."""
    return path.with_name(f".{path.name}.wbnb-tmp-{os.getpid()}-{threading.get_ident()}")


def copy_verified(src: Path, dst: Path, digest: str) -> None:
    """Copy ``src`` to ``dst`` through a temp name beside it, hashing while copying;
    ``dst`` appears only when the bytes hash to ``digest`` (``ValueError`` naming
    ``src`` otherwise, and nothing is left behind)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dst)
    try:
        with open(src, "rb", buffering=0) as fin, open(tmp, "w+b") as fout:
            got, _ = copy_file_digesting(fin, fout)
        if got != digest:
            raise ValueError(
                f"{src} is damaged: its bytes hash to {got}, not {digest}; "
                f"{dst} was not written. Log the artifact again from its source files"
            )
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
