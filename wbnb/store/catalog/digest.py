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


def copy_digesting(fin: IO[bytes], fout: IO[bytes] | None) -> tuple[str, int]:
    """Read ``fin`` to its end, writing each piece to ``fout`` (if any) as it is hashed;
    return the digest and the number of bytes."""
    h = hasher()
    size = 0
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    while n := fin.readinto(buf):  # type: ignore[attr-defined]
        h.update(view[:n])
        if fout is not None:
            fout.write(view[:n])
        size += n
    return h.hexdigest(), size
