"""``wbnb sync``: upload the runs of a local store that a server does not fully have
(offline runs, and server runs whose process ended before their spool was uploaded).

Uploading is idempotent (``store/wire.py``): a sync that is interrupted, or run twice,
or run while part of a run is already on the server, stores every step once.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .progress import ProgressBar
from .sdk import credentials
from .sdk.settings import Settings
from .store.base import StoreError
from .store.local import LocalStore
from .store.remote import Connection, RemoteStore, Unreachable
from .store.runmeta import RunMeta
from .store.uploader import pending_runs, record_count, sync_run


@dataclass
class SyncReport:
    """What one ``sync`` did: the runs the server now holds whole, and those it does
    not (``project/id`` -> why, and what to do next). The spool keeps every byte of both."""

    spool: Path
    synced: list[str] = field(default_factory=list)
    not_synced: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every run it tried is whole on the server (``wbnb sync`` exits 0)."""
        return not self.not_synced

    def summary(self) -> str:
        """The closing lines: how many runs synced, and each one that did not, why."""
        tried = len(self.synced) + len(self.not_synced)
        head = f"wbnb: synced {len(self.synced)} of {tried} runs"
        if self.ok:
            return head + "\n"
        lines = [f"{head}; {len(self.not_synced)} not (fully) synced, kept untouched in {self.spool}:"]
        lines += [f"  {path} ({self.spool / 'projects' / path}): {why}" for path, why in self.not_synced.items()]
        return "\n".join(lines) + "\n"


def sync(settings: Settings | None = None, only: Sequence[str] = (), stream: TextIO | None = None) -> SyncReport:
    """Upload every pending run of ``settings.dir`` (or just ``only``: ``project/id``
    names) to its server, and end with a summary line. A run that cannot be uploaded
    whole (damaged, its server unreachable or refusing it, records the server refused)
    is named in the report's ``not_synced`` with why; nothing of it is changed or
    deleted. Raises ``ValueError`` when no server is configured."""
    settings = settings or Settings.from_env()
    stream = stream or sys.stderr
    default = credentials.server_for(settings)
    spool = LocalStore(settings.dir)
    report = SyncReport(spool.root)
    todo = [m for m in pending_runs(spool) if not only or f"{m['project']}/{m['id']}" in only]
    if not todo:
        stream.write(f"wbnb: nothing to sync in {spool.root}\n")
        return report
    remotes: dict[str, RemoteStore] = {}
    down: dict[str, str] = {}  # server -> why none of its runs can be uploaded now
    for meta in todo:
        path = f"{meta['project']}/{meta['id']}"
        if meta.get("state") == "damaged":  # its metadata cannot be read: nothing to open it on a server with
            report.not_synced[path] = (
                f"skipped, damaged: {meta.get('reason')}. Repair or move its run.json, then run `wbnb sync` again"
            )
            continue
        url = (meta.get("remote") or {}).get("url") or (default.url if default else None)
        if url is None:
            raise ValueError("no server to sync to: pass --host, set WBNB_BASE_URL, or wbnb.login(host=...) first")
        try:
            if url in down:
                raise Unreachable(down[url])
            remote = remotes.get(url) or remotes.setdefault(url, _remote(url, settings))
            left_out = _upload(remote, spool, meta, stream)
        except (Unreachable, TimeoutError) as e:  # the rest of this server's runs would wait as long: not tried
            down[url] = str(e)
            report.not_synced[path] = f"not uploaded: {e}. Run `wbnb sync` again when the server is back"
            continue
        except (StoreError, ValueError) as e:  # refused (a bad key, a 4xx): the next run may still go
            report.not_synced[path] = f"not uploaded: {e}. Fix the cause, then run `wbnb sync` again"
            continue
        if left_out:  # uploaded, marked synced: the refused records live only in the spool
            report.not_synced[path] = f"{left_out}; only the spool holds them: keep it"
        else:
            report.synced.append(path)
    stream.write(report.summary())
    return report


def _upload(remote: RemoteStore, spool: LocalStore, meta: RunMeta, stream: TextIO) -> str | None:
    """``sync_run`` under a progress bar, which ends its line however the upload ends."""
    path = f"{meta['project']}/{meta['id']}"
    bar = ProgressBar(f"wbnb: sync {path}", record_count(spool.run_dir(meta["project"], meta["id"])), stream=stream)
    note = "not uploaded"
    try:
        left_out = sync_run(remote, spool, meta, bar.update)
        note = f"-> {remote.conn.base_url}/{remote.entity}"
    finally:
        bar.close(note)
    return left_out


def _remote(url: str, settings: Settings) -> RemoteStore:
    from .sdk.login import check_key

    server = credentials.server_for(settings.updated({"base_url": url}))
    if server is None or not server.key:
        raise ValueError(f"no API key for {url}: wbnb.login(key=..., host={url!r}) or set WBNB_API_KEY")
    return RemoteStore(Connection(server.url, server.key), check_key(server.url, server.key))
