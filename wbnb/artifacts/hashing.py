"""SHA-256 of files, the digest every artifact entry carries (``records.Entry``)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file, read once."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


def text_digest(text: str) -> str:
    """The SHA-256 (hex) of a text: a reference's digest when its bytes are not read."""
    return hashlib.sha256(text.encode()).hexdigest()


def copy_verified(src: Path, dst: Path, digest: str) -> None:
    """Copy ``src`` to ``dst`` through a temp name beside it, hashing while copying;
    ``dst`` appears only when the bytes hash to ``digest`` (``ValueError`` naming
    ``src`` otherwise, and nothing is left behind)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.wbnb-tmp-{os.getpid()}")
    h = hashlib.sha256()
    try:
        with open(src, "rb", buffering=0) as fin, open(tmp, "wb") as fout:
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            while n := fin.readinto(buf):
                h.update(view[:n])
                fout.write(view[:n])
        if h.hexdigest() != digest:
            raise ValueError(
                f"{src} is damaged: its bytes hash to {h.hexdigest()}, not {digest}; "
                f"{dst} was not written. Log the artifact again from its source files"
            )
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
