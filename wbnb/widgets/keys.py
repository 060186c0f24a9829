"""Which keys a widget shows: the names or globs its user passed as ``keys=``."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable


def key_patterns(keys: Iterable[str] | str | None) -> list[str] | None:
    """``keys=`` as a list of names or globs (a string is one of them); None: every key."""
    if isinstance(keys, str):
        return [keys]
    return list(keys) if keys else None


def wanted(key: str, patterns: list[str] | None) -> bool:
    """Whether to show ``key``: never one starting with ``_``; else one of ``patterns``
    (names or globs; None: every key)."""
    if key.startswith("_"):
        return False
    return patterns is None or any(key == p or fnmatch.fnmatchcase(key, p) for p in patterns)
