"""What ``get_entry`` / ``files()`` / ``manifest`` hand out: wandb's
``ArtifactManifestEntry`` (one file: ``path``, ``digest``, ``size``, ``ref``) and
``ArtifactManifest`` (entries by path)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store.catalog.records import Entry, manifest_digest


@dataclass(frozen=True)
class ArtifactManifestEntry:
    """One file of an artifact. ``download(root=)`` places just this file."""

    path: str
    digest: str
    size: int | None
    ref: str | None
    _download: Callable[[Entry, str | None], str]
    _artifact_id: str | None

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
        return f"<ArtifactManifestEntry {self.path!r} size={self.size} digest={self.digest[:12]}…{where}>"


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
