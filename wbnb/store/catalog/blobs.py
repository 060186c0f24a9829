"""The bytes of artifact files, stored once by content: ``<root>/<ab>/<sha256>``.

A blob is written to a temporary file in ``<root>/tmp/`` and renamed to its digest's
name only once its bytes are whole and hashed, so a name under ``<ab>/`` always holds
the bytes its digest says; a process killed while adding leaves a temporary file that
nothing reads (``temps()`` lists them for gc). Adding a file reads it once: its bytes
are hashed as they are copied, or, where the file system allows, the new file shares
the source's (a hard link for ``policy="immutable"``: the user promises not to change
it; a reflink, a copy-on-write clone, otherwise) and is hashed by reading it once.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from io import BufferedReader
from pathlib import Path
from typing import Literal

try:
    from fcntl import ioctl
except ImportError:  # pragma: no cover - not POSIX: the store needs fcntl anyway
    ioctl = None  # type: ignore[assignment]

Policy = Literal["mutable", "immutable"]
CHUNK = 4 << 20  # bytes per read: hashing and copying at disk speed without a big buffer
_FICLONE = 0x40049409  # linux/fs.h: share a file's extents (btrfs, xfs, bcachefs)
_DIGEST = re.compile(r"[0-9a-f]{64}")


def check_digest(digest: str) -> str:
    """``digest`` if it is a SHA-256 in lowercase hex; ``ValueError`` otherwise (a blob's
    name is never a path of the caller's)."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a SHA-256 digest (64 lowercase hex digits): {digest!r}")
    return digest


def _buffer_size(f: BufferedReader) -> int:
    """A read buffer for ``f``: one chunk, or what a smaller file needs (a zeroed 4 MiB
    buffer would cost more than a small file's copy)."""
    st = os.fstat(f.fileno())
    return min(CHUNK, st.st_size + 1) if stat.S_ISREG(st.st_mode) else CHUNK


def _hash_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        buf = bytearray(_buffer_size(f))
        view = memoryview(buf)
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


def _copy_hashing(fin: BufferedReader, dst: Path) -> tuple[str, int]:
    """Copy the open file ``fin`` to the new file ``dst`` and hash the bytes on the way:
    the same bytes, read once. While a whole chunk is written (on a thread, started for
    files past one chunk), the next is read and hashed: both release the GIL, so adding
    a large file costs about what hashing it does."""
    h = hashlib.sha256()
    size = 0
    first = _buffer_size(fin)
    buffers = (bytearray(first), bytearray(CHUNK if first == CHUNK else 0))
    writing: Future[int] | None = None
    with open(dst, "xb") as fout, ThreadPoolExecutor(1, thread_name_prefix="wbnb-blob") as writer:
        while n := fin.readinto(buffers[0]):  # buffers[0] is not being written
            view = memoryview(buffers[0])[:n]
            h.update(view)
            size += n
            if writing is not None:
                writing.result()  # buffers[1] is free again
            writing = writer.submit(fout.write, view) if n == CHUNK else None
            if writing is None:
                fout.write(view)  # a short chunk: the last, or a pipe's
            buffers = buffers[::-1]
        if writing is not None:
            writing.result()
    return h.hexdigest(), size


def _clone(fin: BufferedReader, dst: Path) -> bool:
    """Make ``dst`` a copy-on-write clone of the open regular file ``fin`` if the file
    system can (btrfs, xfs: no bytes copied)."""
    if ioctl is None:  # pragma: no cover
        return False
    with open(dst, "xb") as fout:
        try:
            ioctl(fout.fileno(), _FICLONE, fin.fileno())
            return True
        except OSError:
            pass
    dst.unlink()
    return False


class LocalBlobs:
    """Content-addressed files below ``root`` (created on the first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._clones = True  # until a reflink fails: this file system cannot (ext4)

    def __repr__(self) -> str:
        return f"LocalBlobs({str(self.root)!r})"

    def path(self, digest: str) -> Path:
        """Where the blob ``digest`` lives (whether or not it is stored)."""
        check_digest(digest)
        return self.root / digest[:2] / digest

    def has(self, digest: str) -> bool:
        """Whether the blob ``digest`` is stored."""
        return self.path(digest).is_file()

    def missing(self, digests: Iterable[str]) -> set[str]:
        """Which of ``digests`` have no stored blob."""
        return {d for d in set(digests) if not self.has(d)}

    def add(self, src: str | os.PathLike[str], policy: Policy = "mutable") -> tuple[str, int]:
        """Store the file ``src``, reading it once; return its digest and size. A blob
        already stored costs no new bytes. ``immutable``: hard-link ``src`` where it
        can (the store then shares the user's file: it must not change)."""
        tmp = self._temp()
        try:
            with open(src, "rb") as fin:  # opened once: src may be a pipe
                if policy == "immutable" and self._link(fin, tmp) or self._reflink(fin, tmp):
                    digest, size = _hash_file(tmp)
                else:
                    digest, size = _copy_hashing(fin, tmp)
            self._place(tmp, digest)
        finally:
            tmp.unlink(missing_ok=True)
        return digest, size

    def put(self, src: str | os.PathLike[str], digest: str, size: int) -> None:
        """Store the file ``src`` as the blob ``digest`` (nothing to do if it is stored);
        ``ValueError`` when its bytes hash differently or are not ``size`` long."""
        if self.has(digest):
            return
        tmp = self._temp()
        try:
            with open(src, "rb") as fin:
                got, got_size = _copy_hashing(fin, tmp)
            if got != digest or got_size != size:
                raise ValueError(
                    f"{src} does not hold blob {digest} ({size} bytes): its {got_size} bytes hash to {got}"
                )
            self._place(tmp, digest)
        finally:
            tmp.unlink(missing_ok=True)

    def digests(self) -> Iterator[str]:
        """Every stored blob's digest (in no order)."""
        if not self.root.is_dir():
            return
        for sub in os.scandir(self.root):
            if len(sub.name) == 2 and sub.is_dir():
                for f in os.scandir(sub.path):
                    if _DIGEST.fullmatch(f.name) and f.name.startswith(sub.name):
                        yield f.name

    def remove(self, digest: str) -> bool:
        """Delete a blob; False if it was not stored."""
        try:
            self.path(digest).unlink()
        except FileNotFoundError:
            return False
        return True

    def temps(self) -> Iterator[Path]:
        """Temporary files: those of adds in progress, or of processes killed while adding."""
        tmp = self.root / "tmp"
        if tmp.is_dir():
            yield from (Path(e.path) for e in os.scandir(tmp))

    # -- writing -----------------------------------------------------------------------

    def _temp(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}"

    @staticmethod
    def _link(fin: BufferedReader, tmp: Path) -> bool:
        if not stat.S_ISREG(os.fstat(fin.fileno()).st_mode):
            return False
        try:
            os.link(fin.name, tmp)
        except OSError:  # another file system, no hard links there, not permitted
            return False
        return True

    def _reflink(self, fin: BufferedReader, tmp: Path) -> bool:
        if not self._clones or not stat.S_ISREG(os.fstat(fin.fileno()).st_mode):
            return False
        self._clones = _clone(fin, tmp)  # a file system that cannot is not asked again
        return self._clones

    def _place(self, tmp: Path, digest: str) -> None:
        """Give the whole, hashed ``tmp`` its digest's name, unless that blob exists."""
        final = self.path(digest)
        if final.is_file():
            return  # the same bytes are there: the temp file goes
        try:
            os.replace(tmp, final)
        except FileNotFoundError:  # the first blob of its <ab> folder
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
