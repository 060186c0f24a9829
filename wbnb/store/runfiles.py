"""The files of a run, as wandb's ``Run.files()`` lists them: what every store's
``files()`` returns, and the one rule for a file name (``Api`` downloads and
``wbnb.restore`` both use it).

A run's files are:

- what it saved: its ``files/`` folder (``run.save``, ``run.dir``). The local store
  lists the folder; a server holds the copy its client uploaded when the run ended,
  described by the run's ``files`` metadata ``{name: {path, size, md5, updated_at}}``
  (``path``: the content-addressed media file);
- ``log_code``'s files, as ``code/<relative path>`` (the ``code`` record's manifest);
- the media files the history points to, named as wandb names them:
  ``media/<kind>/<key>_<step>_<hash>.<ext>`` (``images``, ``table``, ``audio``...).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ..errors import CommError

# wandb's folder of each media kind below media/
_KINDS = {
    "image": "images",
    "table": "table",
    "audio": "audio",
    "video": "videos",
    "html": "html",
    "plotly": "plotly",
    "object3d": "object3D",
}
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    """One file of a run: its ``name`` (a relative path), where its bytes are (``local``,
    a file on this machine, or ``media``, a store media path) and what is known of it."""

    name: str
    size: int
    updated_at: float | None = None
    local: Path | None = None
    media: str | None = None
    md5: str | None = None  # base64 of the MD5 digest, as wandb gives it; None: not computed

    @property
    def mimetype(self) -> str:
        """The file's MIME type, guessed from its name."""
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"


def relative_name(name: str) -> PurePosixPath:
    """``name`` as a path that stays inside the folder it is joined to; ``ValueError``
    for an absolute path, ``..`` or an empty name."""
    path = PurePosixPath(str(name).replace(os.sep, "/"))
    if not name or path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise ValueError(f"file name must be a relative path inside the run's files, got {name!r}")
    return path


class FileExists(CommError, ValueError):
    """``download()`` found the file there already, and neither ``replace`` nor
    ``exist_ok`` was given (wandb documents a ``ValueError`` and raises it as a
    ``CommError``: this is both)."""


def already_there(target: Path, replace: bool, exist_ok: bool) -> IO[str] | None:
    """wandb's ``File.download`` rule for ``target``: None when it is to be written (absent,
    or ``replace``); the file as it is, opened, with ``exist_ok``; ``FileExists`` otherwise."""
    if replace or not target.exists():
        return None
    if exist_ok:
        return open(target)
    raise FileExists(
        f"{target} already exists; pass replace=True to overwrite it or exist_ok=True to leave it as it is"
    )


def folder_files(folder: Path) -> list[StoredFile]:
    """The files below ``folder`` (a run's ``files/``), by relative path; none if it is missing."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        try:
            st = path.stat()
        except OSError:  # removed meanwhile
            continue
        if path.is_file():
            out.append(StoredFile(path.relative_to(folder).as_posix(), st.st_size, st.st_mtime, local=path))
    return out


def uploaded_files(manifest: Any) -> list[StoredFile]:
    """The saved files a server holds: the run's ``files`` metadata."""
    if not isinstance(manifest, Mapping):
        return []
    return [
        StoredFile(name, int(entry.get("size") or 0), entry.get("updated_at"), None, entry["path"], entry.get("md5"))
        for name, entry in manifest.items()
        if isinstance(entry, Mapping) and isinstance(entry.get("path"), str)
    ]


def code_files(code: Any, read_media: Callable[[str], bytes]) -> list[StoredFile]:
    """``log_code``'s files as ``code/<relative path>``, from the run's ``code`` record
    (its manifest is a media file; none when it cannot be read)."""
    if not isinstance(code, Mapping) or not isinstance(code.get("path"), str):
        return []
    try:
        manifest = json.loads(read_media(code["path"]))
    except (OSError, ValueError, KeyError):  # lost with a full disk, not uploaded, not JSON
        return []
    files = manifest.get("files") if isinstance(manifest, dict) else None
    return [
        StoredFile(f"code/{rel}", int(entry.get("size") or 0), media=entry["path"])
        for rel, entry in sorted((files or {}).items())
        if isinstance(entry, Mapping) and isinstance(entry.get("path"), str)
    ]


def media_files(rows: Iterable[tuple], summary: Mapping[str, Any] | None) -> list[StoredFile]:
    """The media files history rows (then the summary) point to, each once, named
    ``media/<kind>/<key>_<step>_<hash>.<ext>`` as wandb names them. Sizes are not known
    without reading the files: 0."""
    seen: set[str] = set()
    out = []

    def add(key: str, where: str, values: Iterable[Any]) -> None:
        for kind, path in _media_refs(values):
            if path in seen:
                continue
            seen.add(path)
            stem, _, ext = path.rpartition("/")[2].partition(".")
            out.append(StoredFile(f"media/{kind}/{key}_{where}_{stem[:20]}.{ext}", 0, media=path))

    for keys, step, _ts, _rt, values in rows:
        for key, value in zip(keys, values):
            if isinstance(value, (dict, list)):
                add(key, str(step), [value])
    for key, value in (summary or {}).items():
        if isinstance(value, (dict, list)):
            add(key, "summary", [value])
    return out


def _media_refs(values: Iterable[Any], kind: str = "") -> Iterator[tuple[str, str]]:
    """``(kind folder, media path)`` of each media file in logged values (lists of
    images included)."""
    for value in values:
        if isinstance(value, list):
            yield from _media_refs(value, kind)
        elif isinstance(value, dict):
            here = _KINDS.get(str(value.get("_type")), kind or "other")
            path = value.get("path")
            if isinstance(path, str) and path.startswith("media/"):
                yield here, path
            yield from _media_refs([v for v in value.values() if isinstance(v, (dict, list))], here)


def combined(*groups: Iterable[StoredFile]) -> list[StoredFile]:
    """Files of several sources by name (the first of a name wins), sorted."""
    by_name: dict[str, StoredFile] = {}
    for group in groups:
        for f in group:
            by_name.setdefault(f.name, f)
    return [by_name[name] for name in sorted(by_name)]


def file_digests(path: Path) -> tuple[str, str]:
    """``(sha256 hex, md5 base64)`` of a file, read once in chunks."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), base64.b64encode(md5.digest()).decode()
