"""A run's files as the public API gives them, wandb's ``File`` and ``Files``::

    run = wbnb.Api().run("mnist/abc123")
    [f.name for f in run.files()]                      # ["code/train.py", "model.pt", ...]
    run.file("model.pt").download(root="ckpt", replace=True)

Which files a run has is the store's to say (``store/runfiles.py``); this module only
wraps them and downloads them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, overload

from .errors import CommError
from .store.base import Store
from .store.filters import iso_time
from .store.runfiles import StoredFile, already_there, relative_name

if TYPE_CHECKING:
    from collections.abc import Sequence


class NoSuchFile(CommError, ValueError):
    """The run has no file of that name."""


class File:
    """One file of a run: ``name``, ``size``, ``url`` / ``direct_url``, ``md5``,
    ``mimetype``, ``updated_at``, and ``download()``."""

    def __init__(self, store: Store, stored: StoredFile) -> None:
        self._store = store
        self._file = stored

    def __repr__(self) -> str:
        return f"<File {self.name} ({self.mimetype}) {self.size} bytes>"

    name = property(lambda self: self._file.name, doc="Its path among the run's files: model.pt, code/train.py...")
    mimetype = property(lambda self: self._file.mimetype, doc="Its MIME type, guessed from its name.")
    updated_at = property(
        lambda self: iso_time(self._file.updated_at), doc="When it last changed (ISO 8601, UTC), if known."
    )

    @property
    def size(self) -> int:
        """Its size in bytes (a history media file's is asked of the store when wanted)."""
        if self._file.size or self._file.media is None:
            return self._file.size
        try:
            return self._store.media_size(self._file.media)
        except (OSError, KeyError):  # lost (a full disk when logged), or not on the server
            return 0

    @property
    def url(self) -> str:
        """Where its bytes are: a ``file://`` URL on this machine, else the server's."""
        if self._file.local is not None:
            return self._file.local.as_uri()
        assert self._file.media is not None
        return self._store.media_url(self._file.media)

    direct_url = url

    @property
    def md5(self) -> str | None:
        """Base64 of its MD5 digest, as wandb gives it: known for uploaded files, else
        computed from the bytes when asked."""
        if self._file.md5 is not None:
            return self._file.md5
        digest = hashlib.md5()
        if self._file.local is not None:
            with open(self._file.local, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
        else:
            digest.update(self._read())
        return base64.b64encode(digest.digest()).decode()

    def download(
        self, root: str | os.PathLike[str] = ".", replace: bool = False, exist_ok: bool = False, api: Any = None
    ) -> IO[str]:
        """Copy the file to ``root/<name>`` and return it opened for reading (as
        wandb does). A file already there raises ``FileExists`` unless ``replace``
        (overwrite it) or ``exist_ok`` (open it as it is). ``api`` is accepted for
        wandb compatibility."""
        target = Path(root) / relative_name(self.name)
        if (there := already_there(target, replace, exist_ok)) is not None:
            return there
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self._file.local
        if source is None or source.resolve() != target.resolve():
            # Complete or not at all: a download that fails leaves no half file to be taken for it.
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            try:
                if source is not None:
                    shutil.copyfile(source, tmp)
                else:
                    tmp.write_bytes(self._read())
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
        return open(target)

    def _read(self) -> bytes:
        assert self._file.media is not None
        return self._store.media(self._file.media)


class _RunPath(Protocol):
    """What ``Files`` needs of the public ``Run`` it lists (api.py): its path."""

    @property
    def path(self) -> Sequence[str]: ...


class Files(Sequence[File]):
    """The files ``Run.files()`` found: a list-like sequence of ``File``."""

    def __init__(self, run: _RunPath, files: list[File]) -> None:
        self.run = run
        self._files = files

    @overload
    def __getitem__(self, index: int) -> File: ...
    @overload
    def __getitem__(self, index: slice) -> list[File]: ...

    def __getitem__(self, index: int | slice) -> File | list[File]:
        return self._files[index]

    def __len__(self) -> int:
        return len(self._files)

    def __repr__(self) -> str:
        return f"<Files {'/'.join(self.run.path)} ({len(self)})>"
