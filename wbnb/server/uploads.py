"""Artifact files arriving in chunks (``routes/artifacts.py``): one partial file per
entity and digest, ``<root>/uploads/<entity>/<digest>.part``, appended under an
exclusive ``flock`` (one upload of a blob at a time, across the server's processes),
handed to the entity's catalog once whole, and dropped when its client gave up."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from ..store.catalog.digest import check_digest
from ..store.names import folder_name
from .backend import Backend

log = logging.getLogger("wbnb.server")
ABANDONED = 7 * 24 * 3600.0  # seconds a partial file lies untouched before it is taken for abandoned
SWEEP_EVERY = 3600.0


class Busy(Exception):
    """Another request is appending to this upload right now."""


def partial(backend: Backend, entity: str, digest: str) -> Path:
    """Where an upload of ``digest`` gathers (a checked digest and entity: names, never paths)."""
    return backend.root / "uploads" / folder_name(entity) / f"{check_digest(digest)}.part"


@contextmanager
def appending(path: Path) -> Iterator[int]:
    """The partial file, open for writing and locked; ``Busy`` while another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(path.name) from None
        yield fd
    finally:
        os.close(fd)


def write_at(fd: int, data: bytes, at: int) -> int:
    """Write all of ``data`` at offset ``at``; its length."""
    view, done = memoryview(data), 0
    while done < len(view):
        done += os.pwrite(fd, view[done:], at + done)
    return done


def drop_abandoned(backend: Backend, older_than: float = ABANDONED) -> int:
    """Remove partial files untouched for ``older_than`` seconds that no request is
    appending to; returns how many went."""
    old, dropped = time.time() - older_than, 0
    for path in (backend.root / "uploads").glob("*/*.part"):
        try:
            if path.stat().st_mtime >= old:
                continue
            with appending(path):
                path.unlink()
                dropped += 1
        except (Busy, FileNotFoundError):
            continue
    return dropped


async def dropping_abandoned(backend: Backend) -> None:
    """``drop_abandoned`` every ``SWEEP_EVERY`` seconds, until cancelled."""
    while True:
        await asyncio.sleep(SWEEP_EVERY)
        try:
            await run_in_threadpool(drop_abandoned, backend)
        except OSError as e:  # the disk away: the next round tries again
            log.warning("dropping abandoned uploads failed: %s", e)
