"""The bytes of artifact files, stored once by content: ``<root>/<ab>/<digest>``
(``digest.py``).

A blob is written to a temporary file in ``<root>/tmp/`` and renamed to its digest's
name only once its bytes are whole and hashed, so a name under ``<ab>/`` always holds
the bytes its digest says; a process killed while adding leaves a temporary file that
nothing reads (``temps()`` lists them for gc). Adding a file reads it once: its bytes
are hashed as they are copied, or, where the file system allows, the new file shares
the source's (a hard link for ``policy="immutable"``: the user promises not to change
it; a reflink, a copy-on-write clone, otherwise) and is hashed by reading it once.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import threading
from collections.abc import Iterable, Iterator
from io import BufferedReader
from pathlib import Path
from typing import Literal

from .digest import check_digest, copy_file_digesting, digest_file, is_digest

try:
    from fcntl import ioctl
except ImportError:  # pragma: no cover - not POSIX: the store needs fcntl anyway
    ioctl = None  # type: ignore[assignment]

Policy = Literal["mutable", "immutable"]
_FICLONE = 0x40049409  # linux/fs.h: share a file's extents (btrfs, xfs, bcachefs)


def _copy_hashing(fin: BufferedReader, dst: Path) -> tuple[str, int]:
    """Copy the open file ``fin`` to the new file ``dst`` and hash the bytes on the way."""
    with open(dst, "x+b") as fout:
        return copy_file_digesting(fin, fout)


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
        self._tmp_made = False
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

    def sizes(self, digests: Iterable[str]) -> dict[str, int]:
        """The length of each of ``digests`` that is stored (the missing ones left out)."""
        out = {}
        for d in set(digests):
            try:
                st = self.path(d).stat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                out[d] = st.st_size
        return out

    def add(self, src: str | os.PathLike[str], policy: Policy = "mutable") -> tuple[str, int]:
        """Store the file ``src``, reading it once; return its digest and size. A blob
        already stored costs no new bytes. ``immutable``: hard-link ``src`` where it
        can (the store then shares the user's file: it must not change)."""
        tmp = self._temp()
        try:
            with open(src, "rb") as fin:  # opened once: src may be a pipe
                if policy == "immutable" and self._link(fin, tmp) or self._reflink(fin, tmp):
                    digest, size = digest_file(tmp)
                else:
                    digest, size = _copy_hashing(fin, tmp)
            self._place(tmp, digest)
        finally:
            tmp.unlink(missing_ok=True)
        return digest, size

    def put(self, src: str | os.PathLike[str], digest: str, size: int, consume: bool = False) -> None:
        """Store the file ``src`` as the blob ``digest`` (nothing to do if it is stored);
        ``ValueError`` when its bytes hash differently or are not ``size`` long.
        ``consume``: ``src`` is the caller's to give away (a finished upload), so it is
        hashed where it is and moved in, not copied (copied if it is on another disk)."""
        if self.has(digest):
            return
        tmp = self._temp()
        try:
            if consume and self._move(Path(src), tmp):
                got, got_size = digest_file(tmp)
            else:
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
                    if is_digest(f.name) and f.name.startswith(sub.name):
                        yield f.name

    def untouched(self, digest: str, since: float) -> os.stat_result | None:
        """The blob's stat if it is stored and was neither written nor added again after
        ``since`` (seconds since the epoch; ctime too: a hard-linked blob keeps its source's
        old mtime); None otherwise."""
        try:
            st = self.path(digest).lstat()
        except FileNotFoundError:
            return None
        return st if max(st.st_mtime, st.st_ctime) <= since else None

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
        if not self._tmp_made:  # once: a folder made per add costs as much as the add of a small file
            folder.mkdir(parents=True, exist_ok=True)
            self._tmp_made = True
        return folder / f"{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}"

    @staticmethod
    def _move(src: Path, tmp: Path) -> bool:
        """Move ``src`` to ``tmp``; False when they are on different file systems."""
        try:
            os.replace(src, tmp)
        except OSError as e:
            if e.errno == errno.EXDEV:
                return False
            raise
        return True

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
        """Give the whole, hashed ``tmp`` its digest's name, unless that blob exists
        whole (one of another length is damaged: ``tmp`` replaces it)."""
        final = self.path(digest)
        try:
            st = final.stat()
        except FileNotFoundError:
            pass
        else:
            if st.st_size == tmp.stat().st_size:  # the same bytes are there: the temp file goes
                if st.st_nlink == 1:
                    os.utime(final)  # added again: gc, which removes only untouched blobs, keeps it
                return
        try:
            os.replace(tmp, final)
        except FileNotFoundError:  # the first blob of its <ab> folder
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
