"""References: artifact entries whose bytes live elsewhere (``add_reference``).

``file://`` references are hashed (``checksum=True``) and a directory is expanded into
one entry per file; other schemes (``s3://``, ``gs://``, ``https://``...) are kept as
they are, with the digest of their URI (wbnb does not talk to object stores).
``download()`` fetches ``file://`` and ``http(s)://`` references and checks hashed ones.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from ..store.catalog.digest import digest_file, digest_text, hasher
from ..store.catalog.records import Entry
from .hashing import copy_verified, temp_beside


def _local_path(uri: str) -> Path:
    return Path(url2pathname(unquote(urlparse(uri).path)))


def expand(uri: str, name: str | None, checksum: bool, max_objects: int | None) -> list[Entry]:
    """The entries of a reference; ``ValueError`` for a ``file://`` path that does not
    exist or a directory with more than ``max_objects`` files."""
    parsed = urlparse(uri)
    if not parsed.scheme:
        raise ValueError(f"add_reference: {uri!r} is not a URI: give 'file:///abs/path', 's3://bucket/key', ...")
    if parsed.scheme != "file":
        base = name or PurePosixPath(parsed.path).name or parsed.netloc
        return [Entry(base, digest_text(uri), None, uri)]
    path = _local_path(uri)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        if max_objects is not None and len(files) > max_objects:
            raise ValueError(
                f"add_reference: {uri} holds {len(files)} files, more than max_objects={max_objects}; "
                "raise max_objects or reference a smaller folder"
            )
        prefix = PurePosixPath(name) if name else PurePosixPath()
        return [_file_entry(str(prefix / p.relative_to(path).as_posix()), p, checksum) for p in files]
    if not path.is_file():
        raise ValueError(f"add_reference: {uri} names no file or folder ({path} does not exist)")
    return [_file_entry(name or path.name, path, checksum)]


def _file_entry(entry_path: str, path: Path, checksum: bool) -> Entry:
    uri = path.absolute().as_uri()
    if checksum:
        digest, size = digest_file(path)
        return Entry(entry_path, digest, size, uri)
    return Entry(entry_path, digest_text(uri), path.stat().st_size, uri)


def hashed(entry: Entry) -> bool:
    """Whether a reference's digest is its bytes' (so a download can be checked)."""
    return entry.ref is not None and entry.digest != digest_text(entry.ref)


def fetch(entry: Entry, dst: Path) -> None:
    """Put the bytes a reference names at ``dst`` (checked when hashed). ``FileNotFoundError``
    when a ``file://`` target is gone, ``ValueError`` for a scheme wbnb cannot fetch."""
    assert entry.ref is not None
    scheme = urlparse(entry.ref).scheme
    if scheme == "file":
        src = _local_path(entry.ref)
        if not src.is_file():
            raise FileNotFoundError(f"reference {entry.path!r}: {entry.ref} is gone")
        if hashed(entry):
            copy_verified(src, dst, entry.digest)
        else:
            _copy_plain(src, dst)
    elif scheme in ("http", "https"):
        _download_http(entry, dst)
    else:
        raise ValueError(
            f"reference {entry.path!r} ({entry.ref}): wbnb cannot fetch {scheme}:// references; "
            "fetch it with that store's own client (entry.ref holds the URI), "
            "or pass download(allow_missing_references=True)"
        )


def _copy_plain(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dst)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _download_http(entry: Entry, dst: Path) -> None:
    import requests  # deferred: only http(s) references need it

    assert entry.ref is not None
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_beside(dst)
    h = hasher()
    try:
        with requests.get(entry.ref, stream=True, timeout=(10, 60)) as r:
            r.raise_for_status()
            with open(tmp, "wb") as f:
                for chunk in r.iter_content(1 << 20):
                    h.update(chunk)
                    f.write(chunk)
        if hashed(entry) and h.hexdigest() != entry.digest:
            raise ValueError(f"reference {entry.path!r}: {entry.ref} changed since it was logged (digest differs)")
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)
