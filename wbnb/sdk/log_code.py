"""``run.log_code()``: keep the source files of a run with it, each stored once by content.

Each file goes through the run writer's media sink (``put``), so the same file logged by
a hundred runs is stored once. What was logged is a manifest, itself a media file::

    {"name": "source-mnist-train.py", "root": "/abs/path/logged/from",
     "files": {"train.py": {"path": "media/ab/<sha256>.py", "size": 1234}, ...}}

and the run records it twice (readers such as ``Api().run(...).files()`` list the files
as ``code/<relative path>`` from either):

- an event ``{"kind": "code", "name", "path": <manifest media path>, "files": <count>, "t"}``
  (the history of every ``log_code`` call; a server upload follows its ``path``), and
- ``run.json``'s ``code``: ``{"name", "path", "files"}`` of the latest call.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..store.base import RunWriter
from ..store.runmeta import CodeRecord
from .term import termwarn

PathFilter = Callable[[str, str], bool] | Callable[[str], bool]

# Folders that hold no source of the user's own: tools' caches, other trackers' and
# wbnb's own run folders, version control. A virtualenv is recognised by its pyvenv.cfg.
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "node_modules",
        "site-packages",
        ".venv",
        "venv",
        "wandb",
        ".wandb",
        "wbnb-runs",
    }
)


@dataclass(frozen=True)
class LoggedCode:
    """What ``log_code`` stored: its name, the manifest's media path and the relative
    paths of the files (wandb returns a code artifact here)."""

    name: str
    path: str
    files: tuple[str, ...]


def include_source(path: str, root: str = "") -> bool:
    """wandb's default: Python files, ``requirements.txt`` and Dockerfiles."""
    name = os.path.basename(path)
    return name.endswith(".py") or name.startswith("Dockerfile") or name == "requirements.txt"


def exclude_tooling(path: str, root: str) -> bool:
    """The default ``exclude_fn``: files under ``SKIPPED_DIRS`` or a virtualenv."""
    parent = os.path.dirname(path)
    while len(parent) > len(root):
        if _skipped_dir(parent):
            return True
        parent = os.path.dirname(parent)
    return False


def log_code(
    writer: RunWriter,
    project: str,
    store_dir: str,
    root: str | os.PathLike[str] | None = ".",
    name: str | None = None,
    include_fn: PathFilter = include_source,
    exclude_fn: PathFilter = exclude_tooling,
) -> LoggedCode | None:
    """Store the files below ``root`` that ``include_fn`` takes and ``exclude_fn`` does
    not (each called with the file's path, and ``root`` if it takes two arguments).

    ``store_dir`` (the run's store, when below ``root``) is never walked. Returns what was
    stored, or None (with a warning) when no file matched."""
    files: dict[str, dict[str, Any]] = {}
    base = os.path.abspath(root) if root is not None else ""
    if root is not None:
        store_root = os.path.abspath(store_dir)
        for path in _walk(base, include_fn, exclude_fn, prune=exclude_fn is exclude_tooling, skip=store_root):
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError as e:  # a file removed or unreadable meanwhile: the rest still go
                termwarn(f"log_code: cannot read {path} ({e.strerror or e}); left out")
                continue
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            files[rel] = {"path": _put(writer, data, os.path.splitext(path)[1]), "size": len(data)}
    if not files:
        termwarn(f"log_code: no files to log below {base or root!r}; no code was stored with the run")
        return None
    name = name or _default_name(project)
    manifest = {"name": name, "root": base, "files": files}
    path = writer.put(json.dumps(manifest, sort_keys=True).encode(), "json")
    record: CodeRecord = {"name": name, "path": path, "files": len(files)}
    writer.log_event({"kind": "code", **record, "t": time.time()})
    writer.save_meta(code=record)
    return LoggedCode(name, path, tuple(sorted(files)))


def _walk(root: str, include: PathFilter, exclude: PathFilter, prune: bool, skip: str) -> Iterator[str]:
    include2, exclude2 = _two_args(include), _two_args(exclude)
    for folder, dirs, names in os.walk(root):
        # Pruning keeps a big virtualenv or the store itself from being walked at all.
        dirs[:] = sorted(
            d for d in dirs if (full := os.path.join(folder, d)) != skip and not (prune and _skipped_dir(full))
        )
        for name in sorted(names):
            path = os.path.join(folder, name)
            # With the default exclude_fn, pruning has applied it already.
            if include2(path, root) and (prune or not exclude2(path, root)):
                yield path


def _two_args(fn: PathFilter) -> Callable[[str, str], bool]:
    """wandb passes ``root`` only to filters that take two arguments."""
    try:
        takes_root = len(inspect.signature(fn).parameters) >= 2
    except (TypeError, ValueError):  # a builtin without a signature
        takes_root = False
    return fn if takes_root else (lambda path, root: fn(path))  # type: ignore[call-arg,return-value]


def _skipped_dir(path: str) -> bool:
    return os.path.basename(path) in SKIPPED_DIRS or os.path.isfile(os.path.join(path, "pyvenv.cfg"))


def _put(writer: RunWriter, data: bytes, suffix: str) -> str:
    try:
        return writer.put(data, suffix.lstrip(".") or "bin")
    except ValueError:  # an extension the media store does not take (too long, odd characters)
        return writer.put(data, "bin")


def _default_name(project: str) -> str:
    """wandb's ``source-<project>-<program>``, with characters outside ``[A-Za-z0-9._-]``
    replaced."""
    program = sys.argv[0] if sys.argv and os.path.isfile(sys.argv[0]) else "notebook"
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"source-{project}-{os.path.basename(program)}")
