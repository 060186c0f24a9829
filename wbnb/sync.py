"""``wbnb sync``: upload the runs of a local store that a server does not fully have
(offline runs, and server runs whose process ended before their spool was uploaded).

Uploading is idempotent (``store/wire.py``): a sync that is interrupted, or run twice,
or run while part of a run is already on the server, stores every step once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .progress import ProgressBar
from .sdk import credentials
from .sdk.settings import Settings
from .store.base import RunNotFound, StoreError
from .store.catalog.push import Pusher, PushLog, logged_versions, unreachable
from .store.local import LocalStore
from .store.remote import Connection, RemoteStore, Unreachable
from .store.runmeta import RunMeta
from .store.uploader import pending_runs, record_count, sync_run


@dataclass
class SyncReport:
    """What one ``sync`` did: the runs the server now holds whole, and those it does
    not (``project/id`` -> why, and what to do next); the same of the artifact versions
    logged into the spool (``project/name:vN``). The spool keeps every byte of all."""

    spool: Path
    synced: list[str] = field(default_factory=list)
    not_synced: dict[str, str] = field(default_factory=dict)
    artifacts: list[str] = field(default_factory=list)
    artifacts_not_pushed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every run and artifact it tried is on the server (``wbnb sync`` exits 0)."""
        return not self.not_synced and not self.artifacts_not_pushed

    def summary(self) -> str:
        """The closing lines: how many runs and artifact versions went up, and each one that did not, why."""
        lines = []
        tried = len(self.synced) + len(self.not_synced)
        if tried or not (self.artifacts or self.artifacts_not_pushed):
            head = f"wbnb: synced {len(self.synced)} of {tried} runs"
            if not self.not_synced:
                lines.append(head)
            else:
                lines.append(f"{head}; {len(self.not_synced)} not (fully) synced, kept untouched in {self.spool}:")
                lines += [
                    f"  {path} ({self.spool / 'projects' / path}): {why}" for path, why in self.not_synced.items()
                ]
        if self.artifacts or self.artifacts_not_pushed:
            tried = len(self.artifacts) + len(self.artifacts_not_pushed)
            head = f"wbnb: pushed {len(self.artifacts)} of {tried} artifact versions"
            if not self.artifacts_not_pushed:
                lines.append(head)
            else:
                lines.append(f"{head}; {len(self.artifacts_not_pushed)} not, kept in {self.spool / 'artifacts'}:")
                lines += [f"  {name}: {why}" for name, why in self.artifacts_not_pushed.items()]
        return "\n".join(lines) + "\n"


def sync(settings: Settings | None = None, only: Sequence[str] = (), stream: TextIO | None = None) -> SyncReport:
    """Upload every pending run of ``settings.dir`` (or just ``only``: ``project/id``
    names) to its server, then push the artifact versions logged into it (by those
    runs, for ``only``) that the server lacks, and end with a summary. A run or version
    that cannot be uploaded whole (damaged, its server unreachable or refusing it,
    records the server refused) is named in the report's ``not_synced`` /
    ``artifacts_not_pushed`` with why; nothing of it is changed or deleted. Raises
    ``ValueError`` when no server is configured."""
    settings = settings or Settings.from_env()
    stream = stream or sys.stderr
    default = credentials.server_for(settings)
    spool = LocalStore(settings.dir)
    report = SyncReport(spool.root)
    todo = [m for m in pending_runs(spool) if not only or f"{m['project']}/{m['id']}" in only]
    remotes: dict[str, RemoteStore] = {}
    down: dict[str, str] = {}  # server -> why none of its runs can be uploaded now

    def server_url(meta: RunMeta | None) -> str:
        url = ((meta or {}).get("remote") or {}).get("url") or (default.url if default else None)
        if url is None:
            raise ValueError("no server to sync to: pass --host, set WBNB_BASE_URL, or wbnb.login(host=...) first")
        return url

    def remote_for(url: str) -> RemoteStore:
        if url in down:
            raise Unreachable(down[url])
        return remotes.get(url) or remotes.setdefault(url, _remote(url, settings))

    for meta in todo:
        path = f"{meta['project']}/{meta['id']}"
        if meta.get("state") == "damaged":  # its metadata cannot be read: nothing to open it on a server with
            report.not_synced[path] = (
                f"skipped, damaged: {meta.get('reason')}. Repair or move its run.json, then run `wbnb sync` again"
            )
            continue
        url = server_url(meta)
        try:
            left_out = _upload(remote_for(url), spool, meta, stream)
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
    _push_artifacts(spool, only, server_url, remote_for, down, report)
    if not todo and not report.artifacts and not report.artifacts_not_pushed:
        stream.write(f"wbnb: nothing to sync in {spool.root}\n")
        return report
    stream.write(report.summary())
    return report


def _push_artifacts(
    spool: LocalStore,
    only: Sequence[str],
    server_url: Callable[[RunMeta | None], str],
    remote_for: Callable[[str], RemoteStore],
    down: dict[str, str],
    report: SyncReport,
) -> None:
    """Push the spool's artifact versions the server lacks (each to the server of the
    run that logged it; what changed since an earlier push only), then the recorded uses
    of the server's own versions. A server is asked nothing when nothing is pending."""
    if not (spool.root / "artifacts").is_dir():
        return
    catalog, log = spool.catalog, PushLog(spool.root)
    pushers: dict[str, Pusher] = {}

    def pusher(url: str) -> Pusher:
        return pushers.get(url) or pushers.setdefault(url, Pusher(catalog, lambda: remote_for(url).catalog, log, url))

    for v in logged_versions(catalog):
        run = v.logged_by
        if only and (run is None or f"{run.project}/{run.run_id}" not in only):
            continue
        try:
            meta = spool.run(run.project, run.run_id) if run is not None else None
        except RunNotFound:
            meta = None
        url = server_url(meta)
        p = pusher(url)
        if not p.pending(v.id):
            continue
        name = f"{v.project}/{v.name}:{v.version}"
        try:
            p.push(v.id)
        except Exception as e:
            if unreachable(e) or isinstance(e, Unreachable):
                down.setdefault(url, str(e))
                report.artifacts_not_pushed[name] = f"not pushed: {e}. Run `wbnb sync` again when the server is back"
            elif isinstance(e, (StoreError, ValueError, FileNotFoundError)):  # refused, or a blob lost from the spool
                report.artifacts_not_pushed[name] = f"not pushed: {e}. Fix the cause, then run `wbnb sync` again"
            else:
                raise
            continue
        report.artifacts.append(name)
    for url in {url for url, _, _ in log.server_uses()}:
        try:
            pusher(url).push_uses()
        except Exception as e:
            if not (unreachable(e) or isinstance(e, (StoreError, ValueError))):
                raise
            report.artifacts_not_pushed[f"uses of artifacts on {url}"] = f"not pushed: {e}. Run `wbnb sync` again"


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
