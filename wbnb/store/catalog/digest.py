"""The one content digest of artifacts: BLAKE3 (256 bits, 64 lowercase hex digits).

A file entry's digest, a version's ``manifest_digest``, a blob's name, the check of an
upload and of a download are all this hash. BLAKE3 rather than SHA-256: it is as
collision-resistant (a server deduplicates uploads by digest, so nobody may forge a
second file under a digest), and it runs about twice as fast on one core, so that
logging a checkpoint (hashed while it is copied into the store) costs about what a
``cp`` of it costs (``benchmarks/bench_artifacts.py`` prints the ratio).
"""

from __future__ import annotations

import os
import re
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from blake3 import blake3 as Hasher

CHUNK = 4 << 20  # bytes per read: hashing and copying at disk speed without a big buffer
_DIGEST = re.compile(r"[0-9a-f]{64}")
NAME = "BLAKE3"


def is_digest(text: object) -> bool:
    """Whether ``text`` has a digest's form (64 lowercase hex digits)."""
    return isinstance(text, str) and _DIGEST.fullmatch(text) is not None


def check_digest(digest: object) -> str:
    """``digest`` if it is a digest (64 lowercase hex digits); ``ValueError`` otherwise
    (a blob's name is never a path of the caller's)."""
    if not isinstance(digest, str) or not is_digest(digest):
        raise ValueError(f"not a {NAME} digest (64 lowercase hex digits): {digest!r}")
    return digest


def hasher() -> Hasher:
    """A new hash object (``update(bytes)``, ``hexdigest()``)."""
    from blake3 import blake3  # deferred: import wbnb does not load artifact code

    return blake3()


def digest_bytes(data: bytes | memoryview) -> str:
    """The digest of some bytes."""
    h = hasher()
    h.update(data)
    return h.hexdigest()


def digest_text(text: str) -> str:
    """The digest of a text's UTF-8 bytes (a reference's, when its bytes are not read)."""
    return digest_bytes(text.encode())


def digest_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The digest and size of a file, read once."""
    with open(path, "rb", buffering=0) as f:
        return copy_digesting(f, None)


def _buffer_size(f: IO[bytes]) -> int:
    """A read buffer for ``f``: one chunk, or what a smaller file needs (a zeroed 4 MiB
    buffer would cost more than a small file's copy)."""
    st = os.fstat(f.fileno())
    return min(CHUNK, st.st_size + 1) if stat.S_ISREG(st.st_mode) else CHUNK


def copy_digesting(fin: IO[bytes], fout: IO[bytes] | None) -> tuple[str, int]:
    """Read ``fin`` to its end, writing each piece to ``fout`` (if any) as it is hashed;
    return the digest and the number of bytes: the same bytes, read once. While a whole
    chunk is written (on a thread, started for files past one chunk), the next is read
    and hashed: both release the GIL, so copying a large file costs about its hash."""
    h = hasher()
    size = 0
    first = _buffer_size(fin)
    buffers = (bytearray(first), bytearray(CHUNK if first == CHUNK and fout is not None else 0))
    writing: Future[int] | None = None
    with ThreadPoolExecutor(1, thread_name_prefix="wbnb-blob") as writer:
        while n := fin.readinto(buffers[0]):  # type: ignore[attr-defined]  # buffers[0] is not being written
            view = memoryview(buffers[0])[:n]
            h.update(view)
            size += n
            if fout is None:
                continue
            if writing is not None:
                writing.result()  # buffers[1] is free again
            writing = writer.submit(fout.write, view) if n == CHUNK else None
            if writing is None:
                fout.write(view)  # a short chunk: the last, or a pipe's
            buffers = buffers[::-1]
        if writing is not None:
            writing.result()
    return h.hexdigest(), size


def copy_file_digesting(fin: IO[bytes], fout: IO[bytes]) -> tuple[str, int]:
    """Copy the file ``fin`` into the new, empty file ``fout`` (open for reading too) and return the digest and
    size of what landed there. Where the kernel can copy between the two
    (``copy_file_range``: Linux, regular files), it does, a chunk at a time on a thread,
    while the chunk before is read back from ``fout`` and hashed: no bytes pass through
    a Python write, and the digest is of the stored bytes even if the source changes
    meanwhile. Elsewhere, ``copy_digesting``."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is None or not stat.S_ISREG(os.fstat(fin.fileno()).st_mode):
        return copy_digesting(fin, fout)
    src, dst = fin.fileno(), fout.fileno()

    def copy(offset: int) -> int:  # one chunk from ``offset``: its length, 0 at the end
        done = 0
        while done < CHUNK:
            n = copy_range(src, dst, CHUNK - done, offset + done, offset + done)
            if n == 0:
                break
            done += n
        return done

    try:
        n = copy(0)
    except OSError:  # this pair of files cannot (another file system on an old kernel...)
        return copy_digesting(fin, fout)
    h = hasher()
    buf = bytearray(min(CHUNK, max(n, 1)))
    view = memoryview(buf)

    def hash_back(offset: int, length: int) -> int:  # what landed at ``offset``
        got = os.preadv(dst, [view[:length]], offset)
        h.update(view[:got])
        return got

    if n < CHUNK:  # the whole file in one chunk: no thread
        size = hash_back(0, n) if n else 0
        return h.hexdigest(), size
    size = 0
    with ThreadPoolExecutor(1, thread_name_prefix="wbnb-blob") as copier:
        while n:
            following = copier.submit(copy, size + n) if n == CHUNK else None
            size += hash_back(size, n)
            n = following.result() if following is not None else 0
    return h.hexdigest(), size
