"""What ``get_entry`` / ``files()`` / ``manifest`` hand out: wandb's
``ArtifactManifestEntry`` (one file: ``path``, ``digest``, ``size``, ``ref``) and
``ArtifactManifest`` (entries by path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..store.catalog.records import Entry, manifest_digest


class ArtifactManifestEntry:
    """One file of an artifact: ``path``, ``digest``, ``size``, ``ref``. ``download(root=)``
    places just this file. A draft's file is hashed when its ``digest`` is first read
    (``add_file`` does not read the file: logging reads it once)."""

    def __init__(
        self,
        path: str,
        digest: str | None,
        size: int | None,
        ref: str | None,
        download: Callable[[Entry, str | None], str],
        artifact_id: str | None,
        hash_now: Callable[[], Entry] | None = None,
    ) -> None:
        self.path, self._digest, self._size, self.ref = path, digest, size, ref
        self._download, self._artifact_id, self._hash_now = download, artifact_id, hash_now

    def _hashed(self) -> None:
        if self._digest is None and self._hash_now is not None:
            e = self._hash_now()
            self._digest, self._size = e.digest, e.size

    @property
    def digest(self) -> str:
        """BLAKE3 (hex) of the file's bytes (or a reference's digest)."""
        self._hashed()
        assert self._digest is not None
        return self._digest

    @property
    def size(self) -> int | None:
        """Its size in bytes (None when a reference does not say)."""
        return self._size

    @property
    def name(self) -> str:
        """The file's path inside the artifact (wandb's ``File.name``)."""
        return self.path

    def download(self, root: str | os.PathLike[str] | None = None, skip_cache: bool | None = None) -> str:
        """Place this file under ``root`` (default: the artifact's download folder) and
        return its local path. Only for a logged artifact."""
        return self._download(self.record(), None if root is None else os.fspath(root))

    def ref_url(self) -> str:
        """``wandb-artifact://<artifact id>/<path>``: this file of this version."""
        if self._artifact_id is None:
            raise ValueError(f"entry {self.path!r}: only entries of a logged artifact have a ref_url")
        return f"wandb-artifact://{self._artifact_id}/{self.path}"

    def record(self) -> Entry:
        """The catalog's entry."""
        return Entry(self.path, self.digest, self.size, self.ref)

    def __repr__(self) -> str:
        where = f" ref={self.ref!r}" if self.ref else ""
        return f"<ArtifactManifestEntry {self.path!r} size={self.size}{where}>"


class ArtifactManifest:
    """A version's files by path (``entries``), as wandb's manifest offers them."""

    def __init__(self, entries: dict[str, ArtifactManifestEntry]) -> None:
        self.entries = entries

    def digest(self) -> str:
        """The version's digest (``records.manifest_digest``)."""
        return manifest_digest(e.record() for e in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def to_manifest_json(self) -> dict[str, Any]:
        """The manifest as JSON (wandb's shape: ``contents`` by path)."""
        return {"version": 1, "contents": {p: e.record().to_json() for p, e in self.entries.items()}}
