"""The download cache: artifact files a ``RemoteCatalog`` fetched from a server, kept
by digest so a second download of the same bytes (any version, any artifact) costs
no transfer, under a size budget (wandb's cache grows without bound).

Layout: ``<root>/objects/<ab>/<digest>``, and ``<root>/tmp/`` for downloads under way.
``<root>`` is ``$WBNB_CACHE_DIR/artifacts`` (default ``$XDG_CACHE_HOME/wbnb/artifacts``,
else ``~/.cache/wbnb/artifacts``); the budget is ``WBNB_ARTIFACT_CACHE_MAX`` (bytes, or
``500MB``, ``10GiB``...; default 10 GiB).

A download is hashed as it is written to ``tmp/`` and enters ``objects/`` (a rename)
only when it hashes to its digest, so a cached file is always whole. Least recently
used files go first when the cache is over budget: a file is touched whenever it is
used; a file being written (in ``tmp/``), the file just placed, and any file used in
the last ``RECENT`` seconds (another process may be copying it out) are never evicted.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path

from .digest import check_digest, hasher

GiB = 1 << 30
DEFAULT_MAX = 10 * GiB
RECENT = 60.0  # seconds a used file is safe from eviction
STALE_TEMP = 24 * 3600.0  # a download this old in tmp/ was abandoned (its process died)
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)(i?)b?\s*", re.IGNORECASE)
_UNIT = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_size(text: str) -> int:
    """Bytes from ``"1073741824"``, ``"500MB"`` (10^6), ``"10GiB"`` (2^30), ``"2g"``."""
    m = _SIZE.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a size: write bytes, or a number with KB, MB, GB, TB (or KiB, MiB...)")
    number, unit, binary = m.groups()
    return int(float(number) * (1024 if binary or unit.lower() == "" else 1000) ** _UNIT[unit.lower()])


def default_root() -> Path:
    """Where the cache lives unless told: ``$WBNB_CACHE_DIR/artifacts``, else the user's cache folder's."""
    base = os.environ.get("WBNB_CACHE_DIR")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "wbnb")
    return Path(base).expanduser() / "artifacts"


def default_budget() -> int:
    """``WBNB_ARTIFACT_CACHE_MAX``, or 10 GiB."""
    text = os.environ.get("WBNB_ARTIFACT_CACHE_MAX")
    return parse_size(text) if text else DEFAULT_MAX


class BlobCache:
    """Downloaded blobs by digest, at most ``max_bytes`` of them (the file just placed
    and those in use excepted)."""

    def __init__(self, root: str | os.PathLike[str] | None = None, max_bytes: int | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()
        self.max_bytes = max_bytes if max_bytes is not None else default_budget()
        self._size: int | None = None  # bytes in objects/ as last counted, plus what was placed since
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"BlobCache({str(self.root)!r}, max_bytes={self.max_bytes})"

    def path(self, digest: str) -> Path:
        """Where the blob ``digest`` is kept (whether or not it is)."""
        check_digest(digest)
        return self.root / "objects" / digest[:2] / digest

    def get(self, digest: str) -> Path | None:
        """The cached file of ``digest`` (touched: just used), or None."""
        path = self.path(digest)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def add(self, digest: str, chunks: Iterable[bytes]) -> Path:
        """Write ``chunks`` to a new file, hashing them; place it as ``digest`` if they
        hash to it (``ValueError`` otherwise, nothing kept), then evict what the budget
        needs. Returns the cached file."""
        path = self.path(digest)
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=digest[:12] + "-")
        tmp = Path(name)
        try:
            h, size = hasher(), 0
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    h.update(chunk)
                    f.write(chunk)
                    size += len(chunk)
            if h.hexdigest() != digest:
                raise ValueError(f"the bytes received for blob {digest} hash to {h.hexdigest()}: not cached")
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        with self._lock:
            if self._size is not None:
                self._size += size
            if self._size is None or self._size > self.max_bytes:
                self.evict(keep={digest})
        return path

    def evict(self, keep: Collection[str] = ()) -> int:
        """Count what the cache holds and remove the least recently used files until it
        is within its budget (90% of it, so the next downloads need no count); returns
        the bytes freed. Abandoned downloads in ``tmp/`` go too."""
        now = time.time()
        files = []
        for sub in _scan(self.root / "objects"):
            for f in _scan(sub.path):
                try:
                    st = f.stat()
                except FileNotFoundError:  # evicted by another process meanwhile
                    continue
                files.append((st.st_mtime, st.st_size, f.name, Path(f.path)))
        for f in _scan(self.root / "tmp"):
            try:
                if f.stat().st_mtime < now - STALE_TEMP:
                    os.unlink(f.path)
            except FileNotFoundError:
                pass
        total = sum(size for _, size, _, _ in files)
        freed = 0
        if total > self.max_bytes:
            target = self.max_bytes * 9 // 10
            for used, size, name, path in sorted(files):
                if total - freed <= target:
                    break
                if name in keep or used > now - RECENT:
                    continue
                path.unlink(missing_ok=True)
                freed += size
        self._size = total - freed
        return freed


def _scan(folder: str | Path) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except FileNotFoundError:
        return []
