"""Carrying a spool's artifacts to a server: what ``log_artifact`` committed into the
spool's catalog (a run logged to a server, or offline) goes up behind the run, live
(``Pushes``, a thread) or later (``wbnb sync``), without duplicates.

Pushing a spool version: ask the server which of its blobs it lacks (``missing``) and
upload only those, commit it there (content the server has already is that version:
it gains the aliases, no duplicate), with its user aliases and its run (the output
edge); then the runs that used it (input edges) and its registry links. ``PushLog``
(``<spool>/artifacts/pushed.sqlite``) records each of these per server, so pushing
again sends nothing, and what changed since (an alias added, a new use, a new link)
is all that goes. A use of a *server's* version by a run (``use_artifact`` resolved on
the server) is recorded in the log too until it is on the server (``add_use``).

The log lives beside the spool's catalog, not in it: the catalog is the same in every
home, and only a spool pushes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from ..errors import StoreError
from .base import Catalog
from .records import LATEST, Commit, RunRef, VersionRecord, version_index

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pushed (
    server TEXT NOT NULL,  -- the server's URL
    kind   TEXT NOT NULL,  -- 'version' (key: spool version id), 'use' (spool version id, project, run id),
                           -- 'link' (spool link version id), 'server_use' (server version id, project, run id)
    key    TEXT NOT NULL,
    value  TEXT,           -- version: {"id": server id, "aliases": [...]}; link: its aliases;
                           -- server_use: false until pushed
    PRIMARY KEY (server, kind, key)
)
"""
_SEP = "\x1f"  # between the parts of a key: no name holds a control character


def _use_key(version_id: str, run: RunRef) -> str:
    return _SEP.join((version_id, run.project, run.run_id))


def user_aliases(v: VersionRecord) -> list[str]:
    """A version's aliases a user set (not ``latest`` or ``vN``), sorted."""
    return sorted(a for a in v.aliases if a != LATEST and version_index(a) is None)


class PushLog:
    """What of a spool's catalog each server holds (``<spool>/artifacts/pushed.sqlite``;
    every call its own connection, so threads and processes may share it)."""

    def __init__(self, spool: str | Path) -> None:
        self.path = Path(spool) / "artifacts" / "pushed.sqlite"

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30.0)) as db, db:
            db.execute(_SCHEMA)
            yield db

    def get(self, server: str, kind: str, key: str) -> Any:
        """The value recorded (JSON decoded), or ``...`` when nothing is."""
        with self._db() as db:
            row = db.execute(
                "SELECT value FROM pushed WHERE server=? AND kind=? AND key=?", (server, kind, key)
            ).fetchone()
        return ... if row is None else json.loads(row[0])

    def put(self, server: str, kind: str, key: str, value: Any) -> None:
        """Record ``key`` as pushed (or pending, for a server use) with ``value``."""
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO pushed VALUES (?, ?, ?, ?)", (server, kind, key, json.dumps(value)))

    def server_uses(self, server: str | None = None) -> list[tuple[str, str, RunRef]]:
        """Uses of a server's versions not pushed yet (of any server, for None):
        (server, server version id, run)."""
        with self._db() as db:
            rows = db.execute("SELECT server, key FROM pushed WHERE kind='server_use' AND value='false'").fetchall()
        out = []
        for url, key in rows:
            version_id, project, run_id = key.split(_SEP)
            if server is None or url == server:
                out.append((url, version_id, RunRef(project, run_id)))
        return out

    def add_use(self, server: str, version_id: str, run: RunRef) -> None:
        """Remember that ``run`` used the server's version ``version_id`` (pushed by ``Pusher.push_uses``)."""
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO pushed VALUES (?, 'server_use', ?, 'false')", (server, _use_key(version_id, run))
            )


@dataclass
class Pusher:
    """Pushes versions of the ``spool`` catalog to ``server`` (a ``RemoteCatalog``),
    recording them in ``log`` under the server's URL ``url``. ``server`` may be a
    callable making it: it is only made once there is something to send."""

    spool: Catalog
    server: Catalog | Callable[[], Catalog]
    log: PushLog
    url: str

    def _remote(self) -> Catalog:
        if not isinstance(self.server, Catalog):
            self.server = self.server()
        return self.server

    def _root(self, version_id: str) -> VersionRecord:
        """The logged version itself (a link's source for a link)."""
        v = self.spool.get(version_id)
        return self.spool.get(v.source_id) if v.source_id else v

    def pending(self, version_id: str) -> bool:
        """Whether pushing the version would send anything (read from the spool alone)."""
        v = self._root(version_id)
        return self._todo(v) != ([], [], False)

    def _todo(self, v: VersionRecord) -> tuple[list[RunRef], list[VersionRecord], bool]:
        """The uses and links of ``v`` the server lacks, and whether ``v`` itself (or its aliases) needs sending."""
        done = self.log.get(self.url, "version", v.id)
        commit = done is ... or done["aliases"] != user_aliases(v)
        uses = [r for r in self.spool.used_by(v.id) if self.log.get(self.url, "use", _use_key(v.id, r)) is ...]
        links = [k for k in self.spool.links(v.id) if self.log.get(self.url, "link", k.id) != user_aliases(k)]
        return uses, links, commit

    def push(self, version_id: str) -> tuple[str, VersionRecord | None]:
        """Send what the server lacks of a spool version (a link: of its source): blobs,
        the version and its aliases, its uses and links. Returns the server's id of the
        version (its source's, for a link) and its record when it was committed now."""
        v = self._root(version_id)
        uses, links, commit = self._todo(v)
        record = None
        if commit:
            record = self._commit(v)
            server_id = record.id
        else:
            server_id = self.log.get(self.url, "version", v.id)["id"]
        for run in uses:
            self._remote().use(server_id, run)
            self.log.put(self.url, "use", _use_key(v.id, run), True)
        for link in links:
            self._remote().link(server_id, link.project, link.name, user_aliases(link))
            self.log.put(self.url, "link", link.id, user_aliases(link))
        return server_id, record

    def _commit(self, v: VersionRecord) -> VersionRecord:
        remote = self._remote()
        entries = self.spool.manifest(v.id)
        sizes = {e.digest: e.size or 0 for e in entries if e.ref is None}
        for digest in sorted(remote.missing(sizes)):
            remote.put_blob(self.spool.blob_file(digest), digest, sizes[digest])
        aliases = user_aliases(v)
        commit = Commit(
            v.project, v.name, v.type, tuple(entries), v.description, v.metadata, tuple(aliases), v.logged_by
        )
        record, _ = remote.commit(commit)
        self.log.put(self.url, "version", v.id, {"id": record.id, "aliases": aliases})
        return record

    def push_uses(self) -> int:
        """Send the recorded uses of the server's own versions; returns how many went."""
        todo = self.log.server_uses(self.url)
        for _, version_id, run in todo:
            self._remote().use(version_id, run)
            self.log.put(self.url, "server_use", _use_key(version_id, run), True)
        return len(todo)


def logged_versions(spool: Catalog) -> list[VersionRecord]:
    """Every version logged into a spool's catalog, oldest first per collection (links
    are pushed with the versions they link to)."""
    return [v for c in spool.collections() if c.kind == "sequence" for v in spool.versions(c.project, c.name)]


def unreachable(e: BaseException) -> bool:
    """Whether a push failed because the server could not be reached (or answered
    5xx / 429): it is tried again later. Anything else is a refusal."""
    if isinstance(e, (requests.ConnectionError, requests.Timeout, TimeoutError)):
        return True
    return isinstance(e, StoreError) and (getattr(e, "status", 0) >= 500 or getattr(e, "status", 0) == 429)


class Push:
    """A push under way in the background (``Pushes.push``): ``wait()`` for it."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._done = threading.Event()
        self._result: VersionRecord | None = None
        self._error: BaseException | None = None

    @property
    def done(self) -> bool:
        """Whether it ended (pushed, or refused)."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> VersionRecord | None:
        """The server's version once it is pushed (None for a use); ``TimeoutError`` if
        that takes longer than ``timeout`` seconds (it goes on), the server's refusal if
        it refused."""
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.what} is not on the server yet (it goes on in the background)")
        if self._error is not None:
            raise self._error
        return self._result

    def _finish(self, result: VersionRecord | None = None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._done.set()


class Pushes:
    """A thread pushing spool versions to one server as they are logged (never on the
    caller's thread): each ``push`` is retried with backoff while the server is away;
    a refusal ends it (said by ``Push.wait``). What is not pushed when the process ends
    is left for ``wbnb sync``: the spool's log says what is missing."""

    def __init__(self, pusher: Pusher) -> None:
        self.pusher = pusher
        self._queue: list[tuple[Push, Callable[[], VersionRecord | None]]] = []
        self._unsaid: list[Push] = []  # pushes asked for whose end no closing run has heard
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def push(self, version_id: str) -> Push:
        """Push a spool version (and what of it the server lacks) in the background."""
        handle = Push(f"artifact version {version_id}")

        def work() -> VersionRecord | None:
            server_id, record = self.pusher.push(version_id)
            return record or self.pusher._remote().get(server_id)

        return self._add(handle, work)

    def use(self, version_id: str, run: RunRef) -> Push:
        """Record that ``run`` used the server's version ``version_id``, in the spool's
        log first (durable), then on the server in the background."""
        self.pusher.log.add_use(self.pusher.url, version_id, run)

        def work() -> None:
            self.pusher.push_uses()

        return self._add(Push(f"the use of {version_id} by {run.project}/{run.run_id}"), work)

    def _add(self, handle: Push, work: Callable[[], VersionRecord | None]) -> Push:
        with self._cond:
            self._queue.append((handle, work))
            self._unsaid.append(handle)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="wbnb-artifact-push", daemon=True)
                self._thread.start()
            self._cond.notify()
        return handle

    def wait_all(self, timeout: float) -> list[str]:
        """Wait at most ``timeout`` seconds for every push asked for; what is still
        under way or was refused, said once (for a closing run)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            handles, self._unsaid = self._unsaid, []
        out = []
        for h in handles:
            try:
                h.wait(max(deadline - time.monotonic(), 0.0))
            except Exception as e:  # refused, or still under way: said; the spool keeps it for `wbnb sync`
                out.append(f"{h.what}: {e}")
        return out

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                handle, work = self._queue[0]
            delay = 0.5
            while True:
                try:
                    handle._finish(work())
                    break
                except Exception as e:
                    if not unreachable(e):
                        handle._finish(error=e)
                        break
                    time.sleep(delay)
                    delay = min(delay * 2, 10.0)
            with self._cond:
                self._queue.pop(0)
