"""``wbnb sync``: upload the runs of a local store that a server does not fully have
(offline runs, and server runs whose process ended before their spool was uploaded).

Uploading is idempotent (``store/wire.py``): a sync that is interrupted, or run twice,
or run while part of a run is already on the server, stores every step once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from .progress import ProgressBar
from .sdk import credentials
from .sdk.settings import Settings
from .store.local import LocalStore
from .store.remote import Connection, RemoteStore
from .store.uploader import pending_runs, record_count, sync_run


def sync(settings: Settings | None = None, only: Sequence[str] = (), stream: TextIO | None = None) -> int:
    """Upload every pending run of ``settings.dir`` (or just ``only``: ``project/id``
    names) to its server; returns how many runs were uploaded. A damaged run (its
    ``run.json`` unreadable) is skipped with a line saying why. Raises ``ValueError``
    when no server is configured, ``ServerError`` / ``AuthError`` when one refuses."""
    settings = settings or Settings.from_env()
    stream = stream or sys.stderr
    default = credentials.server_for(settings)
    spool = LocalStore(settings.dir)
    todo = [m for m in pending_runs(spool) if not only or f"{m['project']}/{m['id']}" in only]
    if not todo:
        stream.write(f"wbnb: nothing to sync in {spool.root}\n")
        return 0
    remotes: dict[str, RemoteStore] = {}
    synced = 0
    for meta in todo:
        path = f"{meta['project']}/{meta['id']}"
        if meta.get("state") == "damaged":  # its metadata cannot be read: nothing to open it on a server with
            stream.write(f"wbnb: skipped {path}, damaged: {meta.get('reason')}\n")
            continue
        url = (meta.get("remote") or {}).get("url") or (default.url if default else None)
        if url is None:
            raise ValueError("no server to sync to: pass --host, set WBNB_BASE_URL, or wbnb.login(host=...) first")
        remote = remotes.get(url) or remotes.setdefault(url, _remote(url, settings))
        bar = ProgressBar(f"wbnb: sync {path}", record_count(spool.run_dir(meta["project"], meta["id"])), stream=stream)
        left_out = sync_run(remote, spool, meta, bar.update)
        bar.close(f"-> {url}/{remote.entity}")
        if left_out:
            stream.write(f"wbnb: {path}: {left_out}\n")
        synced += 1
    return synced


def _remote(url: str, settings: Settings) -> RemoteStore:
    from .sdk.login import check_key

    server = credentials.server_for(settings.updated({"base_url": url}))
    if server is None or not server.key:
        raise ValueError(f"no API key for {url}: wbnb.login(key=..., host={url!r}) or set WBNB_API_KEY")
    return RemoteStore(Connection(server.url, server.key), check_key(server.url, server.key))
