"""Placing a version's files in a folder, checking them, and the no-op fast path.

``place`` copies each file from its blob (or fetches a reference) through a temp name,
hashing while copying: a damaged blob raises, naming the file, and never leaves a wrong
file in place. It then writes a small marker (per version, each file's size and mtime),
so placing a version already in place costs one ``stat`` per file and writes nothing. The
marker is kept beside the download cache (``marker_file``), not in the folder: a download
holds exactly the artifact's files, as wandb's does (code lists it with ``os.listdir``).
``verify`` hashes what is there; ``remove_extras`` is ``checkout``'s clean-up.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path

from ..progress import bytes_bar
from ..store.catalog.cache import default_root as cache_root
from ..store.catalog.digest import digest_file, digest_text
from ..store.catalog.records import Entry
from ..store.runfiles import relative_name
from .hashing import copy_verified, temp_beside
from .references import fetch, hashed

_KEEP = 16  # versions a marker remembers (several may be placed in one folder)


class ArtifactFileError(ValueError):
    """A downloaded file or a stored blob is not what the manifest says."""


def marker_file(root: Path) -> Path:
    """Where the marker of the folder ``root`` is kept: ``placed/`` beside the download
    cache, named by the folder's absolute path."""
    name = digest_text(os.path.abspath(root))[:32]
    return cache_root().parent / "placed" / f"{name}.json"


def _marker(root: Path) -> dict[str, list[list]]:
    try:
        data = json.loads(marker_file(root).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def in_place(root: Path, key: str) -> bool:
    """Whether the files placed for ``key`` are all there unchanged (by size and mtime)."""
    listed = _marker(root).get(key)
    if listed is None:
        return False
    for path, size, mtime_ns in listed:
        try:
            st = os.stat(root / path)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime_ns:
            return False
    return True


def _remember(root: Path, key: str, entries: list[Entry]) -> None:
    marker = {k: v for k, v in _marker(root).items() if k != key}
    listed = []
    for e in entries:
        st = os.stat(root / e.path)
        listed.append([e.path, st.st_size, st.st_mtime_ns])
    marker[key] = listed
    where = marker_file(root)
    tmp = temp_beside(where)
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(dict(list(marker.items())[-_KEEP:])))
        os.replace(tmp, where)
    except OSError:  # a cache folder not writable: only the no-op fast path is lost
        tmp.unlink(missing_ok=True)


def place(
    entries: list[Entry],
    root: Path,
    key: str,
    blob_file: Callable[[str], Path],
    allow_missing_references: bool = False,
    label: str = "download",
) -> None:
    """Make ``root`` hold ``entries`` (other files are left alone). A file already there
    with the right bytes is kept; anything else is copied in, verified."""
    if in_place(root, key):
        return
    root.mkdir(parents=True, exist_ok=True)
    total = sum(e.size or 0 for e in entries)
    bar = bytes_bar(label, total)
    done = 0
    placed = []
    for e in entries:
        dst = root / relative_name(e.path)  # a manifest from a server is not trusted to stay inside root
        if not _holds(dst, e):
            if e.ref is None:
                copy_verified(_blob(blob_file, e), dst, e.digest)
            else:
                try:
                    fetch(e, dst)
                except (OSError, ValueError) as error:
                    if not allow_missing_references:
                        raise
                    warnings.warn(f"{label}: {error}; left out", RuntimeWarning, stacklevel=3)
                    continue
        placed.append(e)
        done += e.size or 0
        if bar is not None:
            bar.update(done >> 20)
    if bar is not None:
        bar.close()
    _remember(root, key, placed)


def _blob(blob_file: Callable[[str], Path], e: Entry) -> Path:
    try:
        return blob_file(e.digest)
    except FileNotFoundError:
        raise ArtifactFileError(f"artifact file {e.path!r}: its stored bytes (blob {e.digest}) are missing") from None


def _holds(path: Path, e: Entry) -> bool:
    """Whether ``path`` already has ``e``'s bytes (hashed only when its size matches)."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if e.size is not None and size != e.size:
        return False
    if e.ref is not None and not hashed(e):
        return True  # an unhashed reference: its size is all there is to compare
    return digest_file(path)[0] == e.digest


def verify(entries: list[Entry], root: Path, name: str) -> None:
    """``ArtifactFileError`` (a ``ValueError``) naming each file of ``root`` that is
    missing, changed or not in the artifact; nothing when it matches exactly."""
    problems = []
    expected = {e.path: e for e in entries}
    for e in entries:
        path = root / relative_name(e.path)
        if not path.is_file():
            problems.append(f"missing: {e.path}")
        elif (e.ref is None or hashed(e)) and digest_file(path)[0] != e.digest:
            problems.append(f"changed: {e.path}")
    for rel in _files_below(root):
        if rel not in expected:
            problems.append(f"not in the artifact: {rel}")
    if problems:
        raise ArtifactFileError(f"{root} does not match artifact {name}: " + "; ".join(problems))


def remove_extras(entries: list[Entry], root: Path) -> list[str]:
    """Delete the files of ``root`` not in ``entries`` (and folders left empty); return them."""
    expected = {e.path for e in entries}
    extra = [rel for rel in _files_below(root) if rel not in expected]
    for rel in extra:
        (root / rel).unlink()
    for dirpath, _, _ in os.walk(root, topdown=False):
        if Path(dirpath) != root and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return extra


def _files_below(root: Path) -> list[str]:
    out = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            out.append(Path(dirpath, f).relative_to(root).as_posix())
    return sorted(out)
