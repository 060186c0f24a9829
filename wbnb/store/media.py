"""Content-addressed media files: the same bytes are stored once per store.

A file lives at ``media/<sha256[:2]>/<sha256>.<ext>`` below the store root; the
relative path is what records keep. Writes go to a temporary file that is renamed
into place, so readers and other processes never see a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path

_EXT = re.compile(r"[a-z0-9]{1,8}")  # fullmatch: "$" would let "png\n" through


def media_path(data: bytes, ext: str) -> str:
    """Return the store-relative path that ``data`` is kept under."""
    ext = ext.lower().lstrip(".")
    if not _EXT.fullmatch(ext):
        raise ValueError(f"media extension must be 1-8 letters or digits, got {ext!r}")
    digest = hashlib.sha256(data).hexdigest()
    return f"media/{digest[:2]}/{digest}.{ext}"


class MediaStore:
    """Writes and reads content-addressed files below ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def put(self, data: bytes, ext: str) -> str:
        """Store ``data`` once and return its store-relative path."""
        rel = media_path(data, ext)
        target = self.root / rel
        if target.exists():
            return rel
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            f = open(tmp, "wb")
        except FileNotFoundError:  # the first file under this prefix: make its folder once
            target.parent.mkdir(parents=True, exist_ok=True)
            f = open(tmp, "wb")
        with f:
            f.write(data)
        os.replace(tmp, target)
        return rel

    def get(self, rel: str) -> bytes:
        """Read the bytes behind a path that ``put`` returned."""
        return self.resolve(rel).read_bytes()

    def resolve(self, rel: str) -> Path:
        """Map a store-relative media path to a file, refusing anything outside ``media/``."""
        if not re.fullmatch(r"media/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,8}", rel):
            raise ValueError(f"not a media path: {rel!r}")
        return self.root / rel
