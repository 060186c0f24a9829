"""The files of an artifact not yet logged: what ``add_file`` / ``add_dir`` /
``new_file`` / ``add_reference`` / ``add`` collected, and putting their bytes into a
catalog when it is logged (``stage``).

A local file is read when the artifact is logged, not when it is added: its bytes are
hashed while they are copied into the store, once (or only hashed, when the store likely
has them already). A version made from the same bytes stores nothing new.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..progress import bytes_bar
from ..store.catalog.base import Catalog
from ..store.catalog.digest import digest_file
from ..store.catalog.records import Entry
from ..store.runfiles import relative_name
from .home import AddBlob, Policy
from .references import expand


@dataclass(frozen=True)
class Staged:
    """One entry of a draft: its ``entry`` (digest None until hashed) and where its
    bytes are: a local ``source`` file, or a catalog's blob (``origin``)."""

    path: str
    digest: str | None
    size: int | None
    ref: str | None = None
    source: Path | None = None
    origin: Catalog | None = None
    immutable: bool = False


def _digest(item: Staged) -> str | None:
    """The digest of a staged entry's bytes (hashing its file if not yet done)."""
    return digest_file(item.source)[0] if item.digest is None and item.source is not None else item.digest


def entry_name(name: str) -> str:
    """An entry path as the manifest keeps it: POSIX, relative, normalised (the rule of
    every stored file name, ``runfiles.relative_name``, which the server applies too)."""
    try:
        return str(relative_name(name))
    except ValueError:
        raise ValueError(
            f"artifact entry name {name!r} is not valid: give a relative path inside the artifact"
        ) from None


class Draft:
    """The entries of an artifact being built, by path."""

    def __init__(self) -> None:
        self.items: dict[str, Staged] = {}
        self.removed: set[str] = set()  # paths an incremental draft drops from its base
        self._tmp: Path | None = None

    def tmp_dir(self) -> Path:
        """A folder for files the draft writes itself (``new_file``, ``add``), removed
        when the draft is garbage."""
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="wbnb-artifact-"))
            weakref.finalize(self, shutil.rmtree, self._tmp, True)
        return self._tmp

    def put(self, item: Staged, overwrite: bool = True) -> None:
        """Add (or with ``overwrite``, replace) an entry; ``ValueError`` for a path taken
        by other bytes (wandb's rule: the same bytes again are no conflict)."""
        old = self.items.get(item.path)
        if old is not None and not overwrite and old != item and _digest(old) != _digest(item):
            raise ValueError(
                f"artifact already has a file at {item.path!r} (from {old.source or old.ref}); "
                "pass overwrite=True to replace it, or another name="
            )
        self.items[item.path] = item
        self.removed.discard(item.path)

    def add_file(
        self, local_path: str | os.PathLike[str], name: str | None, is_tmp: bool, policy: Policy, overwrite: bool
    ) -> Staged:
        """Stage a local file at ``name`` (default: its file name)."""
        src = Path(local_path)
        if not src.is_file():
            raise ValueError(f"add_file: path is not a file: {os.fspath(local_path)!r}")
        if policy not in ("mutable", "immutable"):
            raise ValueError(f"add_file: policy must be 'mutable' or 'immutable', got {policy!r}")
        path = entry_name(name if name is not None else src.name)
        digest = None
        if is_tmp:  # wandb's is_tmp: the name becomes the content's digest, keeping the extension
            digest, _ = digest_file(src)
            pure = PurePosixPath(path)
            path = str(pure.with_name(digest[:20] + pure.suffix))
        item = Staged(path, digest, src.stat().st_size, source=src.absolute(), immutable=policy == "immutable")
        self.put(item, overwrite)
        return item

    def add_dir(
        self, local_path: str | os.PathLike[str], name: str | None, policy: Policy, merge: bool
    ) -> list[Staged]:
        """Stage every file below a folder, at ``name/<relative path>`` (or the relative
        path); a path already staged with other bytes is replaced with ``merge``, else refused."""
        root = Path(local_path)
        if not root.is_dir():
            raise ValueError(f"add_dir: path is not a directory: {os.fspath(local_path)!r}")
        prefix = PurePosixPath(entry_name(name)) if name else PurePosixPath()
        out = []
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                src = Path(dirpath, f)
                rel = src.relative_to(root).as_posix()
                out.append(self.add_file(src, str(prefix / rel), False, policy, overwrite=merge))
        return out

    def _local_file(self) -> Path:
        """A new file of the draft's own (its bytes only: the entry's path is kept apart,
        so entries ``a`` and ``a/b`` never meet on disk; the commit refuses that pair)."""
        return self.tmp_dir() / secrets.token_hex(8)

    @contextmanager
    def new_file(self, name: str, mode: str, encoding: str | None) -> Iterator[IO[Any]]:
        """Open a file the draft keeps at ``name``; staged when the block ends without error."""
        if mode not in ("x", "w", "xb", "wb"):
            raise ValueError(f"new_file: mode must be 'x' or 'w' (or 'xb' / 'wb'), got {mode!r}")
        path = entry_name(name)
        if mode.startswith("x") and path in self.items:
            raise ValueError(f"new_file: the artifact already has a file at {path!r}; use mode='w' to replace it")
        local = self._local_file()
        binary = mode.endswith("b")
        with open(local, "wb" if binary else "w", encoding=None if binary else encoding or "utf-8") as f:
            yield f
        self.put(Staged(path, None, local.stat().st_size, source=local), overwrite=True)

    def write(self, name: str, data: bytes) -> str:
        """Stage bytes at ``name`` (what ``add(obj)`` writes)."""
        path = entry_name(name)
        local = self._local_file()
        local.write_bytes(data)
        self.put(Staged(path, None, len(data), source=local), overwrite=True)
        return path

    def add_reference(self, uri: str, name: str | None, checksum: bool, max_objects: int | None) -> list[Staged]:
        """Stage the entries of a reference (``references.py``)."""
        items = [Staged(e.path, e.digest, e.size, e.ref) for e in expand(uri, name, checksum, max_objects)]
        for item in items:
            self.put(item)
        return items

    def remove(self, item: str, has_base: bool) -> None:
        """Drop a path, or every path below a folder; ``FileNotFoundError`` for neither
        (unless an incremental draft may drop it from the version it builds on)."""
        path = entry_name(item)
        gone = [p for p in self.items if p == path or p.startswith(path + "/")]
        for p in gone:
            del self.items[p]
        if has_base:
            self.removed.add(path)
        elif not gone:
            raise FileNotFoundError(f"No such file or directory: {path} (the artifact has no file or folder there)")

    def entry(self, path: str) -> Entry:
        """The entry at ``path``, hashing its file once if needed."""
        item = self.items[path]
        if item.digest is None:
            assert item.source is not None
            digest, size = digest_file(item.source)
            item = self.items[path] = replace(item, digest=digest, size=size)
        assert item.digest is not None
        return Entry(item.path, item.digest, item.size, item.ref)

    def entries(self) -> list[Entry]:
        """Every entry in path order (files hashed as needed)."""
        return [self.entry(p) for p in sorted(self.items)]

    def stage(
        self,
        catalog: Catalog,
        base: list[Entry],
        earlier: dict[str, int],
        add_blob: AddBlob | None = None,
        label: str = "log artifact",
    ) -> list[Entry]:
        """Put every entry's bytes into ``catalog`` (nothing for bytes it has) and return
        the manifest: ``base`` (an incremental draft's starting version) less what was
        removed, with the draft's entries on top. ``ValueError`` naming a file that is gone.

        A file is read once: hashed, then copied only if the catalog lacks it, where it
        likely has it (the collection's newest version has a file of that path and size:
        ``earlier``); otherwise copied into ``add_blob`` hashing as it goes. Past
        ``progress.BIG`` bytes of files, a bar (``label``) counts them."""
        merged = {e.path: e for e in base if not any(e.path == r or e.path.startswith(r + "/") for r in self.removed)}
        sizes = {}
        for path, item in self.items.items():
            if item.source is not None:
                try:
                    sizes[path] = item.source.stat().st_size
                except FileNotFoundError:
                    raise ValueError(f"artifact file {path!r}: {item.source} is gone since it was added") from None
        bar, done = bytes_bar(label, sum(sizes.values())), 0
        for path in sorted(self.items):
            item = self.items[path]
            if item.ref is None and item.digest is None and add_blob is not None and earlier.get(path) != item.size:
                assert item.source is not None
                digest, size = add_blob(item.source, "immutable" if item.immutable else "mutable")
                item = self.items[path] = replace(item, digest=digest, size=size)
            entry = self.entry(path)
            if item.ref is None and catalog.missing([entry.digest]):
                src = item.source or item.origin.blob_file(entry.digest)  # type: ignore[union-attr]
                catalog.put_blob(src, entry.digest, entry.size or 0)
            merged[path] = entry
            if bar is not None:
                done += sizes.get(path, 0)
                bar.update(done >> 20)
        if bar is not None:
            bar.close()
        return [merged[p] for p in sorted(merged)]
