"""What ``get_entry`` / ``files()`` / ``manifest`` hand out: wandb's
``ArtifactManifestEntry`` (one file: ``path``, ``digest``, ``size``, ``ref``),
``ArtifactManifest`` (entries by path) and ``ArtifactFile`` (one file as ``files()``
lists it: wandb's public ``File``, downloaded to ``.`` and opened)."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..store.catalog.records import Entry, manifest_digest
from ..store.runfiles import already_there, relative_name


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

    @property
    def birth_artifact_id(self) -> str | None:
        """The id of the logged version this entry belongs to (None in a draft)."""
        return self._artifact_id

    def ref_target(self) -> str:
        """The URI a reference points at; ``ValueError`` for a stored file (as wandb)."""
        if self.ref is None:
            raise ValueError(f"entry {self.path!r} is not a reference: only references have a ref_target()")
        return self.ref

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


class ArtifactFile:
    """One file of a logged artifact as ``artifact.files()`` lists it (wandb's public
    ``File``): ``name``, ``path``, ``size``, ``digest``, ``mimetype``, ``path_uri``, and
    ``download(root=".", replace=, exist_ok=)`` returning it opened, as wandb does."""

    def __init__(self, entry: ArtifactManifestEntry) -> None:
        self._entry = entry

    name = property(lambda self: self._entry.path, doc="Its path inside the artifact.")
    path = name
    size = property(lambda self: self._entry.size or 0, doc="Its size in bytes (0 when a reference does not say).")
    digest = property(lambda self: self._entry.digest, doc="The digest of its bytes (or a reference's).")
    mimetype = property(lambda self: mimetypes.guess_type(self.name)[0], doc="Its MIME type, guessed from its name.")
    path_uri = property(lambda self: self._entry.ref or "", doc="A reference's URI; '' for a stored file.")

    def download(
        self, root: str | os.PathLike[str] = ".", replace: bool = False, exist_ok: bool = False, api: Any = None
    ) -> IO[str]:
        """Place the file at ``root/<name>`` (verified) and return it opened for reading.
        A file already there raises ``FileExists`` (a ``ValueError``) unless ``replace``
        (overwrite it) or ``exist_ok`` (open it as it is); ``api`` is wandb's, unused."""
        target = Path(root) / relative_name(self.name)
        there = already_there(target, replace, exist_ok)
        return there if there is not None else open(self._entry.download(root))

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.mimetype}) {self.size} bytes>"
