"""Content-addressed media files: the same bytes are stored once per store.

A file lives at ``media/<sha256[:2]>/<sha256>.<ext>`` below the store root; the
relative path is what records keep. Writes go to a temporary file that is renamed
into place, so readers and other processes never see a half-written file.

Derived files: a file that is slow to make (a video encoded from frames, a large
figure serialised) is made on the ``wbnb-media`` thread, so that ``log()`` does not
wait for it. Its record must name it before its bytes exist, so it is named after
what it is made *from*: ``key`` is the SHA-256 of that input (frames and settings),
and the same input is made and stored once. Until the thread has written it, the
record points to a file that is not there yet; readers already treat a missing
media file as "not available" (the spool may have lost it to a full disk), the
uploader waits for it (``wait_written``) and sends it under its content's name, and
a run's writer waits for its derived files when it closes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import queue

_EXT = re.compile(r"[a-z0-9]{1,8}")  # fullmatch: "$" would let "png\n" through
_KEY = re.compile(r"[0-9a-f]{64}")
_PATH = re.compile(r"media/[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{1,8}")


def check_media_path(rel: str) -> str:
    """``rel`` if it is a store-relative media path (``media/<ab>/<sha256>.<ext>``);
    ``ValueError`` otherwise (nothing outside ``media/`` is ever read)."""
    if not isinstance(rel, str) or not _PATH.fullmatch(rel):  # a record's path may be any JSON value
        raise ValueError(f"not a media path: {rel!r}")
    return rel


def media_path(data: bytes, ext: str) -> str:
    """Return the store-relative path that ``data`` is kept under."""
    ext = ext.lower().lstrip(".")
    if not _EXT.fullmatch(ext):
        raise ValueError(f"media extension must be 1-8 letters or digits, got {ext!r}")
    return derived_path(hashlib.sha256(data).hexdigest(), ext)


def derived_path(key: str, ext: str) -> str:
    """Return the store-relative path of a file named after ``key`` (a SHA-256, hex)."""
    ext = ext.lower().lstrip(".")
    if not _EXT.fullmatch(ext) or not _KEY.fullmatch(key):
        raise ValueError(f"media files are named <sha256, 64 hex>.<1-8 letters or digits>, got {key!r}.{ext!r}")
    return f"media/{key[:2]}/{key}.{ext}"


# Derived files being made, by absolute target path; each Event is set once its file is written
# (or its making failed). One worker thread for the process: making media is CPU work,
# and more threads would take more of the training loop's cores.
_pending: dict[str, threading.Event] = {}
_lock = threading.Lock()
# A job holds its input (a video's frames) until it is made: past this many waiting,
# put_later waits for the oldest, so a loop that logs faster than they are made slows
# down instead of filling memory.
MAX_PENDING = 16
_Job = tuple[Path, Callable[[], bytes], Callable[[Exception], None] | None]
_jobs: queue.SimpleQueue[_Job] | None = None  # made with the worker (queue costs ~1 ms to import)


def _make_derived(jobs: queue.SimpleQueue[_Job]) -> None:
    while True:
        target, produce, on_error = jobs.get()
        try:
            _write(target, produce())
        except Exception as e:  # the record stays; its file is missing, as if lost
            if on_error is None:
                warnings.warn(f"wbnb: could not make the media file {target}: {e!r}", RuntimeWarning, stacklevel=1)
            else:
                on_error(e)
        finally:
            with _lock:
                _pending.pop(os.path.abspath(target)).set()


def _forget_in_child() -> None:
    """A forked child has no worker, will never see its parent's jobs done, and may have
    forked while another thread held the lock."""
    global _jobs, _lock
    _pending.clear()
    _jobs, _lock = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_in_child)


def wait_written(target: Path | None = None) -> None:
    """Wait until the derived file ``target`` (or every derived file pending now, for
    None) is written or has failed; at once for a file that is not being made. Callers
    that must not wait long run this on a bounded thread (``finish`` does)."""
    with _lock:
        events = list(_pending.values()) if target is None else [_pending.get(os.path.abspath(target))]
    for event in events:
        if event is not None:
            event.wait()


def _write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file renamed into place."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        f = open(tmp, "wb")
    except FileNotFoundError:  # the first file under this prefix: make its folder once
        target.parent.mkdir(parents=True, exist_ok=True)
        f = open(tmp, "wb")
    with f:
        f.write(data)
    os.replace(tmp, target)


class MediaStore:
    """Writes and reads content-addressed files below ``root``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def put(self, data: bytes, ext: str) -> str:
        """Store ``data`` once and return its store-relative path."""
        rel = media_path(data, ext)
        target = self.root / rel
        if not target.exists():
            _write(target, data)
        return rel

    def put_later(
        self, key: str, ext: str, produce: Callable[[], bytes], on_error: Callable[[Exception], None] | None = None
    ) -> str:
        """Return the path of the derived file named after ``key`` (the SHA-256 of what
        ``produce`` makes its bytes from) and store ``produce()`` there on the media
        thread, unless that file exists or is being made. ``on_error`` hears of a failure
        (a warning otherwise); the path then stays missing. Waits while ``MAX_PENDING``
        files are waiting to be made."""
        global _jobs
        rel = derived_path(key, ext)
        target = self.root / rel
        absolute = os.path.abspath(target)
        while True:
            with _lock:
                if absolute in _pending or target.exists():
                    return rel
                if len(_pending) < MAX_PENDING:
                    _pending[absolute] = threading.Event()
                    if _jobs is None:
                        import queue

                        _jobs = queue.SimpleQueue()
                        threading.Thread(target=_make_derived, args=(_jobs,), name="wbnb-media", daemon=True).start()
                    _jobs.put((target, produce, on_error))
                    return rel
                oldest = next(iter(_pending.values()))
            oldest.wait()

    def get(self, rel: str) -> bytes:
        """Read the bytes behind a path that ``put`` returned."""
        return self.resolve(rel).read_bytes()

    def resolve(self, rel: str) -> Path:
        """Map a store-relative media path to a file, refusing anything outside ``media/``."""
        return self.root / check_media_path(rel)
