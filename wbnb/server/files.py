"""``FilesBackend``: a server's runs in a folder, one ``LocalStore`` per entity.

Layout below ``--root``::

    keys.json                  key records (no secrets), mode 0600, replaced atomically
    keys.lock                  flock serialising changes to keys.json across processes
    media/<ab>/<sha256>.<ext>  every entity's files, stored once by content
    entities/<entity>/         a LocalStore: projects/<project>/<run_id>/... (folder names: store/names.py),
                               artifacts/ (its catalog and artifact files), sweeps/ (its sweep book)
    uploads/<entity>/<sha256>.part  artifact files arriving in chunks (routes/artifacts.py)

The server process is the runs' only writer: it keeps a ``LocalRunWriter`` open per
live run (holding the run's flock, as a training process would locally) and its
counts in memory. Counts are read from the logs themselves when a run is opened, so a
server that was killed restarts with exactly what is on disk.

An open writer holds nine file descriptors and its logs' preallocated windows, so a
client that vanishes must not keep one forever: at most ``max_open`` writers stay open
(the least recently written is closed first), and ``close_idle`` closes those of runs
that went quiet. Such a run stays live and ``running`` (its lock is free, but this
server does not recover it as a dead writer's: it knows better) and its next batch
reopens it unseen by the client; a run quiet for ``stale_after`` is marked crashed by
the store's own recovery, as a dead training process's run would be.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..store.base import RunBusy, StoreError
from ..store.catalog.sql import SqlCatalog
from ..store.local import LocalRunWriter, LocalStore
from ..store.media import MediaStore
from ..store.names import check_name, folder_name
from ..store.rowread import read_rows
from ..store.rows import check_continues
from ..store.runmeta import RunMeta, omit
from ..store.wal import read_records
from ..store.wire import FINAL_STATES, RECORD_STREAMS, ROW_STREAMS, STREAMS, decode_rows
from ..sweeps.books import book_for
from ..sweeps.records import SweepBook
from .backend import Backend, Counts, Gap, KeyRecord, Live, silent_client
from .meta import readable

log = logging.getLogger("wbnb.server")

# Metadata the server sets itself: the writer's identity (shown to readers; the run's
# lock, not a pid, says whether a writer is alive; pid_started is from older stores) and
# the lifecycle fields that open/close maintain.
SERVER_OWNED = ("state", "pid", "pid_started", "host", "resumed", "ended_at", "exit_code")
_OPEN_RETRIES = 5  # a reader recovering a crashed run holds its flock for a moment

RunKey = tuple[str, str, str]  # (entity, project, run_id)


def client_meta(meta: RunMeta, entity: str, project: str, run_id: str) -> RunMeta:
    """A client's metadata with the server-owned keys dropped and the run's identity
    taken from the URL (a client cannot file a run under another name)."""
    return {**omit(meta, SERVER_OWNED), "entity": entity, "project": project, "id": run_id}


class _EntityStore(LocalStore):
    """One entity's runs; media come from the server's shared media folder. Metadata
    is read through ``readable``, and a run this server keeps live is never taken for
    a dead writer's (its writer may be closed while it is quiet)."""

    def __init__(self, root: Path, media: MediaStore, live: Callable[[str, str], bool]) -> None:
        super().__init__(root)
        self._shared = media
        self._live = live

    def media(self, path: str) -> bytes:
        return self._shared.get(path)

    def _load(self, d: Path) -> RunMeta:
        return readable(super()._load(d))

    def _recover_if_dead(self, d: Path, meta: RunMeta, reason: str | None = None) -> RunMeta:
        if self._live(*self.names_of(d)):
            return meta
        return super()._recover_if_dead(d, meta, reason)


@dataclass
class _Run:
    """A run this process is touching: its lock and, while it is live (opened by a
    client that has not ended it), its counts and maybe an open writer."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    writer: LocalRunWriter | None = None
    live: bool = False
    counts: Counts = field(default_factory=dict)  # valid while ``live``
    used: float = 0.0  # time.monotonic() of the last open or batch


def default_max_open() -> int:
    """How many writers to keep open: what the process's file descriptor limit allows
    (about 10 each, a quarter of the limit kept for connections), at most 128."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 128
    return max(8, min(128, soft * 3 // 4 // 10))


class FilesBackend(Backend):
    """Runs, media and keys in a folder; one server process per folder. At most
    ``max_open`` run writers are open at once (``default_max_open()``)."""

    def __init__(self, root: str | os.PathLike[str], max_open: int | None = None) -> None:
        self.root = Path(root).expanduser().absolute()
        (self.root / "entities").mkdir(parents=True, exist_ok=True)
        self._media = MediaStore(self.root)
        self._keys_path = self.root / "keys.json"
        self._keys_cache: tuple[tuple[int, int, int], dict[str, KeyRecord]] | None = None
        self._stores: dict[str, _EntityStore] = {}
        self._runs: dict[RunKey, _Run] = {}
        self._lock = threading.Lock()
        self.max_open = max_open or default_max_open()

    def __repr__(self) -> str:
        return f"FilesBackend({str(self.root)!r})"

    # -- keys ----------------------------------------------------------------------------

    def add_key(self, record: KeyRecord) -> None:
        with self._keys_locked() as keys:
            keys[record.key_id] = record

    def key(self, key_id: str) -> KeyRecord | None:
        return self._read_keys().get(key_id)

    def keys(self) -> list[KeyRecord]:
        return sorted(self._read_keys().values(), key=lambda r: r.created_at)

    def revoke_key(self, key_id: str) -> bool:
        with self._keys_locked() as keys:
            record = keys.get(key_id)
            if record is None:
                return False
            record.revoked = True
            return True

    def _read_keys(self) -> dict[str, KeyRecord]:
        """The key records; re-read only when the file changed (every request asks,
        and ``wbnb server keys revoke`` changes it from another process)."""
        try:
            st = os.stat(self._keys_path)
        except FileNotFoundError:
            return {}
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        cache = self._keys_cache
        if cache is not None and cache[0] == stamp:
            return cache[1]
        with open(self._keys_path, encoding="utf-8") as f:
            keys = {r["key_id"]: KeyRecord(**r) for r in json.load(f)["keys"]}
        self._keys_cache = (stamp, keys)
        return keys

    @contextmanager
    def _keys_locked(self) -> Iterator[dict[str, KeyRecord]]:
        """Read-modify-write of keys.json under an exclusive flock (on a separate lock
        file: keys.json itself is replaced, so a lock on it would guard a stale inode)."""
        fd = os.open(self.root / "keys.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            keys = {k: KeyRecord(**asdict(r)) for k, r in self._read_keys().items()}
            yield keys
            tmp = self._keys_path.with_name(f".keys.{os.getpid()}.{threading.get_ident()}.tmp")
            out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(out, "w", encoding="utf-8") as f:
                json.dump({"keys": [asdict(r) for r in keys.values()]}, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self._keys_path)
        finally:
            os.close(fd)

    # -- runs ----------------------------------------------------------------------------

    def store(self, entity: str) -> LocalStore:
        entity = check_name("entity", entity)  # NFC: one store per entity however it is typed
        with self._lock:
            store = self._stores.get(entity)
            if store is None:
                store = self._stores[entity] = _EntityStore(
                    self.root / "entities" / folder_name(entity),
                    self._media,
                    lambda project, run_id: self._is_live((entity, project, run_id)),
                )
            return store

    def _is_live(self, key: RunKey) -> bool:
        entry = self._runs.get(key)
        return entry is not None and entry.live

    @contextmanager
    def _run(self, entity: str, project: str, run_id: str) -> Iterator[_Run]:
        """Hold one run's lock: requests on a run serialize, other runs go on. The
        entry is dropped when the run is not live, so the table holds live runs."""
        key = (entity, project, run_id)
        while True:
            with self._lock:
                entry = self._runs.setdefault(key, _Run())
            entry.lock.acquire()
            if self._runs.get(key) is entry:
                break
            entry.lock.release()  # dropped while we waited: take the new one
        try:
            yield entry
        finally:
            if not entry.live:
                with self._lock:
                    del self._runs[key]
            entry.lock.release()

    def open_run(
        self, entity: str, project: str, run_id: str, meta: RunMeta, resume: str | None
    ) -> tuple[RunMeta, Counts]:
        store = self.store(entity)
        store.run_dir(project, run_id)  # ValueError for a bad name, before any locking
        with self._run(entity, project, run_id) as entry:
            if entry.live:  # a retried PUT, or one after the writer was closed: keep what is open
                if entry.writer is None:
                    self._reopen(entry, store, project, run_id, entry.counts)
            else:
                self._open(entry, store, project, run_id, client_meta(meta, entity, project, run_id), resume)
            entry.used = time.monotonic()
            assert entry.writer is not None
            opened = entry.writer.meta.copy(), dict(entry.counts)
        self._evict()
        return opened

    def _open(
        self,
        entry: _Run,
        store: LocalStore,
        project: str,
        run_id: str,
        meta: RunMeta,
        resume: str | None,
        counts: Counts | None = None,
    ) -> None:
        entry.writer = store.open_run(project, run_id, meta, resume)
        entry.counts = counts if counts is not None else _disk_counts(entry.writer.dir)
        entry.live, entry.used = True, time.monotonic()

    def counts(self, entity: str, project: str, run_id: str) -> Counts:
        store = self.store(entity)
        with self._run(entity, project, run_id) as entry:
            if entry.live:
                return dict(entry.counts)
            store.run(project, run_id)  # RunNotFound
            return _disk_counts(store.run_dir(project, run_id))

    def ingest(self, entity: str, project: str, run_id: str, batch: dict[str, Any]) -> Counts:
        store = self.store(entity)
        rows = {s: decode_rows(batch[s]) for s in ROW_STREAMS if batch.get(s)}  # ValueError before anything
        opened = False
        with self._run(entity, project, run_id) as entry:
            if entry.live:
                entry.used = time.monotonic()  # an empty batch too: the client is alive
            if entry.writer is None:
                stored = store.run(project, run_id)  # RunNotFound; marks a run left running crashed
                counts = entry.counts if entry.live else _disk_counts(store.run_dir(project, run_id))
                _check_gaps(batch, counts)
                sent = client_meta(batch.get("meta") or RunMeta(), entity, project, run_id)
                if _changes_nothing(batch, counts, sent, stored):
                    return counts  # e.g. a retried final batch: do not reopen a finished run
                self._reopen(entry, store, project, run_id, counts)
                opened = True
            else:
                _check_gaps(batch, entry.counts)
            result = self._apply(entry, batch, rows, (entity, project, run_id))
        if opened:
            self._evict()
        return result

    def _apply(self, entry: _Run, batch: dict[str, Any], rows: dict[str, list], key: RunKey) -> Counts:
        """Write what ``batch`` holds past the counts to the open writer; close it
        when the batch ends the run."""
        writer, counts = entry.writer, entry.counts
        assert writer is not None
        if rows.get("history"):  # before anything is written: the batch is refused whole
            check_continues(
                rows["history"], counts["history"] - batch["history"]["start"], writer.next_step - 1, "history"
            )
        for s in STREAMS:
            chunk = batch.get(s)
            if not chunk:
                continue
            skip = counts[s] - chunk["start"]  # what the backend already holds
            if s in ROW_STREAMS:
                new = rows[s][skip:]
                for keys, step, ts, rt, values in new:
                    if s == "history":
                        writer.log_row(step, ts, rt, keys, values)
                        writer.next_step = step + 1  # what the next batch must not go back before
                    else:  # system samples are numbered by the writer: their index is their step
                        writer.log_system(ts, rt, dict(zip(keys, values)))
            else:
                new = chunk["records"][skip:]
                for record in new:
                    if s == "events":
                        writer.log_event(record)
                    else:
                        writer.log_console(record["stream"], record["line"], record["t"])
            counts[s] += len(new)
        if batch.get("meta"):
            writer.save_meta(**client_meta(batch["meta"], *key))
        result = dict(counts)
        if batch.get("state") in FINAL_STATES:
            _warn(key, writer.close(batch["state"], batch.get("exit_code")))
            entry.writer, entry.counts, entry.live = None, {}, False
        return result

    def _reopen(self, entry: _Run, store: LocalStore, project: str, run_id: str, counts: Counts) -> None:
        """Open a run that exists but has no writer here: its writer was closed while
        it was quiet, or the server restarted since. The client did not resume it, so
        its ``resumed`` count stays as it was."""
        resumed = store.run(project, run_id).get("resumed")
        for attempt in range(_OPEN_RETRIES):
            try:
                self._open(entry, store, project, run_id, {"project": project, "id": run_id}, "allow", counts)
                break
            except StoreError:
                if attempt == _OPEN_RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        assert entry.writer is not None
        if resumed is None:
            entry.writer.meta.pop("resumed", None)
        else:
            entry.writer.meta["resumed"] = resumed
        entry.writer.save_meta()

    def _release(self, key: RunKey, entry: _Run) -> None:
        """Close a live run's writer (its lock held), leaving the run ``running``."""
        assert entry.writer is not None
        _warn(key, entry.writer.close("running"))
        entry.writer = None

    def _evict(self) -> None:
        """Close the least recently written writers past ``max_open`` (any in use
        right now is skipped: it is not the least recent for long)."""
        with self._lock:
            open_ = [(entry.used, key, entry) for key, entry in self._runs.items() if entry.writer is not None]
        if len(open_) <= self.max_open:
            return
        open_.sort(key=lambda item: item[0])
        for _, key, entry in open_[: len(open_) - self.max_open]:
            if entry.lock.acquire(blocking=False):
                try:
                    if entry.writer is not None and self._runs.get(key) is entry:
                        self._release(key, entry)
                finally:
                    entry.lock.release()

    def close_idle(self, idle_after: float, stale_after: float) -> None:
        """Close the writers of runs quiet for ``idle_after`` seconds; mark the runs
        quiet for ``stale_after`` crashed, through the store's own recovery (the
        summary rebuilt from the rows, as for a training process that died)."""
        with self._lock:
            entries = list(self._runs.items())
        for key, entry in entries:
            if time.monotonic() - entry.used < idle_after or not entry.lock.acquire(blocking=False):
                continue  # busy: not idle
            try:
                if self._runs.get(key) is not entry or not entry.live:
                    continue
                quiet = time.monotonic() - entry.used
                if entry.writer is not None and quiet >= idle_after:
                    self._release(key, entry)
                if quiet >= stale_after:
                    entry.live = False
                    entity, project, run_id = key
                    try:
                        self.store(entity).recover(project, run_id, reason=silent_client(stale_after))
                    finally:
                        with self._lock:
                            del self._runs[key]
            finally:
                entry.lock.release()

    def update_run(self, entity: str, project: str, run_id: str, changes: Mapping[str, Any], live: Live) -> RunMeta:
        store = self.store(entity)
        store.run_dir(project, run_id)  # ValueError for a bad name, before any locking
        with self._run(entity, project, run_id) as entry:
            _refuse_live(entry, store, project, run_id, live, "edit")
            return readable(store.update_run(project, run_id, changes))

    def delete_run(self, entity: str, project: str, run_id: str, live: Live) -> None:
        store = self.store(entity)
        store.run_dir(project, run_id)
        with self._run(entity, project, run_id) as entry:
            _refuse_live(entry, store, project, run_id, live, "delete")
            store.delete_run(project, run_id)

    def catalog(self, entity: str) -> SqlCatalog:
        """The entity's artifacts: its store's (``entities/<entity>/artifacts/``)."""
        return self.store(entity).catalog

    def sweeps(self, entity: str) -> SweepBook:
        """The entity's sweeps: its store's book (``entities/<entity>/sweeps/sweeps.sqlite``,
        whose records say entity "": the file is the entity's)."""
        return book_for(self.store(entity))

    def put_media(self, data: bytes, ext: str) -> str:
        return self._media.put(data, ext)

    def media(self, path: str) -> bytes:
        return self._media.get(path)

    def close(self) -> None:
        """Close every open writer as ``crashed``: that trims the logs' preallocated
        tails, and says what a reader would conclude once this process is gone. (Live
        runs whose writer is closed already read so once this process has gone: their
        lock is free.) A client still logging reopens its run with its next batch."""
        with self._lock:
            entries = list(self._runs.items())
        for key, entry in entries:
            with entry.lock:
                if entry.writer is not None:
                    _warn(key, entry.writer.close("crashed"))
                    entry.writer = None


def _refuse_live(entry: _Run, store: LocalStore, project: str, run_id: str, live: Live, what: str) -> None:
    """``RunBusy`` for a run its client still writes: one this server holds open (its
    writer may be closed while it is quiet), or one ``live`` says is (``RunNotFound``
    for none). The caller holds the run's lock, so no batch comes in meanwhile."""
    if entry.live or live(store.run(project, run_id)):
        raise RunBusy(
            f"cannot {what} run {project}/{run_id}: it is running (its client is still sending it); "
            f"{what} it once it has finished"
        )


def _warn(key: RunKey, problems: list[str]) -> None:
    """Log what a writer could not save, naming the run."""
    for problem in problems:
        log.warning("run %s/%s/%s: %s", *key, problem)


def _disk_counts(run_dir: Path) -> Counts:
    """Records of each stream in a run's logs: the counts, read from the data itself."""
    counts = {s: len(read_rows(run_dir / f"{s}.wal")[0]) for s in ROW_STREAMS}
    counts.update({s: len(read_records(run_dir / f"{s}.wal")[0]) for s in RECORD_STREAMS})
    return counts


def _check_gaps(batch: dict[str, Any], counts: Counts) -> None:
    """Refuse the whole batch before writing any of it if a chunk would leave a gap."""
    if any(batch.get(s) and batch[s]["start"] > counts[s] for s in STREAMS):
        raise Gap(dict(counts))


def _chunk_end(stream: str, chunk: dict[str, Any]) -> int:
    return chunk["start"] + len(chunk["rows" if stream in ROW_STREAMS else "records"])


def _changes_nothing(batch: dict[str, Any], counts: Counts, meta: RunMeta, stored: RunMeta) -> bool:
    """Whether applying ``batch`` to a closed run would change nothing: no new records,
    no new metadata, no other final state."""
    return (
        all(_chunk_end(s, batch[s]) <= counts[s] for s in STREAMS if batch.get(s))
        and (not batch.get("meta") or all(stored.get(k) == v for k, v in meta.items()))
        and batch.get("state") in (None, stored.get("state"))
    )
