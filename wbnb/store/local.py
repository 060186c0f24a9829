"""The embedded store: a folder of runs, the default home of everything logged.

Layout below the root (``./wbnb-runs``, ``WBNB_DIR`` or ``init(dir=)``)::

    media/<ab>/<sha256>.<ext>          files, stored once by content
    artifacts/catalog.sqlite           artifact versions, aliases, links, lineage (``catalog/``)
    artifacts/objects/<ab>/<sha256>    artifact files, stored once by content
    projects/<project>/<run_id>/       folder names from ``names.folder_name``
        run.json                       metadata, replaced atomically on change
        history.wal  system.wal        metric rows (``rowcodec.py``)
        events.wal   console.wal       alerts, summary/config changes, output lines
        files/                         ``run.dir``: files kept with the run
        lock                           flock held by the writing process

Each run has one writer, which holds ``lock`` for its lifetime; the kernel releases
it when that process dies however it dies (a child it forks does not keep it). The
lock alone decides who owns a run, never a pid that can be stale: a reader that finds
a run ``running`` whose lock it can take knows the writer is gone, and, holding the
lock, marks the run ``crashed`` with a summary rebuilt from the rows on disk; a writer
takes the lock before it touches the logs, and so do edits and deletion
(``update_run``, ``delete_run``), so a run being written is neither. Several processes
may write different runs of one store at once, and any number may read while they write.

A ``run.json`` that cannot be read (not JSON, not an object) makes its run ``damaged``
(with a ``reason`` naming the file), not the project unreadable.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typing_extensions import Unpack

from .base import RunBusy, RunNotFound, RunWriter, Store, StoreError
from .colread import compact, read_columns, read_columns_to_follow
from .edits import apply_edit, check_edit
from .media import MediaStore, media_path, wait_written
from .names import check_name, folder_name, name_of, remember
from .rowcodec import RowWriter
from .rowread import Cursor, known_schemas, merged, read_rows
from .runfiles import StoredFile, folder_files
from .runmeta import RunMeta, State, created, reopened, resumed
from .summary import SummaryTracker
from .wal import LogWriter, append_point, encode, read_records

if TYPE_CHECKING:
    from .catalog.sql import SqlCatalog

ROW_STREAMS = ("history", "system")
RECORD_STREAMS = ("events", "console")


class DamagedRun(StoreError):
    """A run's ``run.json`` cannot be read; the message names the file and why."""


def _write_json(path: Path, data: RunMeta) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, default=str)
    os.replace(tmp, path)


def _read_json(path: Path) -> RunMeta:
    """A ``run.json``; ``DamagedRun`` naming the file when it is no JSON object (its
    fields are taken as they are: see ``runmeta.py``)."""
    try:
        with open(path, encoding="utf-8") as f:
            data: RunMeta = json.load(f)
    except ValueError as e:  # not JSON, not UTF-8, empty, cut short
        raise DamagedRun(f"{path} is damaged: {e}") from None
    if not isinstance(data, dict):
        raise DamagedRun(f"{path} is damaged: it holds a JSON {type(data).__name__}, not an object")
    return data


def _try_lock(path: Path) -> int | None:
    """Take the run's lock without waiting; return the fd, or None if a writer holds it
    (``OSError`` when the lock file cannot be opened)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _writer_died(meta: RunMeta) -> bool:
    """Whether the process that opened a run on this host is known to be gone (a pid
    that is alive, or reused, says nothing: only the lock tells a live writer)."""
    pid = meta.get("pid")
    if type(pid) is not int or pid <= 0 or meta.get("host") != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def _take_lock(path: Path) -> int | None:
    """``_try_lock``, trying for up to a second: a process forked by a writer of this
    process (git, nvidia-smi) holds an inherited lock fd until it execs, so a lock that
    a run just released may look held for a moment."""
    lock = _try_lock(path)
    deadline = time.monotonic() + 1.0
    while lock is None and time.monotonic() < deadline:
        time.sleep(0.02)
        lock = _try_lock(path)
    return lock


class LocalStore(Store):
    """A store in a local folder; created on first write."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().absolute()
        self._media = MediaStore(self.root)

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def project_dir(self, project: str) -> Path:
        """The folder of one project (``InvalidName`` for a name wandb would refuse)."""
        return self.root / "projects" / folder_name(check_name("project", project))

    def run_dir(self, project: str, run_id: str) -> Path:
        """The folder of one run."""
        return self.project_dir(project) / folder_name(check_name("run id", run_id))

    @cached_property
    def catalog(self) -> SqlCatalog:
        """The store's artifacts: ``artifacts/catalog.sqlite`` and the files in
        ``artifacts/objects/``, both made on the first artifact written (imported here:
        a run that logs no artifact never loads sqlite3)."""
        from .catalog.blobs import LocalBlobs
        from .catalog.dialect import CATALOG
        from .catalog.sql import SqlCatalog
        from .catalog.sqlite import SqliteDialect

        base = self.root / "artifacts"
        return SqlCatalog(SqliteDialect(base / "catalog.sqlite", CATALOG), LocalBlobs(base / "objects"))

    def names_of(self, d: Path) -> tuple[str, str]:
        """``(project, run id)`` of a run folder (its folder names if they are no names)."""
        return name_of(d.parent, "project") or d.parent.name, name_of(d, "run id") or d.name

    # -- read side -------------------------------------------------------------------

    def projects(self) -> list[str]:
        base = self.root / "projects"
        if not base.is_dir():
            return []
        return sorted(name for p in base.iterdir() if p.is_dir() and (name := name_of(p, "project")) is not None)

    def runs(self, project: str) -> list[RunMeta]:
        base = self.project_dir(project)
        if not base.is_dir():
            return []
        out = []
        for d in base.iterdir():
            if name_of(d, "run id") is None:
                continue  # a temp file or .last_run: no run's folder
            try:
                out.append(self._load(d))
            except (FileNotFoundError, NotADirectoryError):
                continue  # a run being created, or a stray file
        out.sort(key=lambda m: m["created_at"] if isinstance(m.get("created_at"), (int, float)) else 0)
        return out

    def run(self, project: str, run_id: str) -> RunMeta:
        try:
            return self._load(self.run_dir(project, run_id))
        except (FileNotFoundError, NotADirectoryError):
            raise RunNotFound(f"no run {project}/{run_id} in {self.root}") from None

    def _load(self, d: Path) -> RunMeta:
        """A run's metadata; a ``damaged`` entry with the ``reason`` when ``run.json``
        cannot be read (the other runs of the project read on)."""
        try:
            meta = _read_json(d / "run.json")
            if meta.get("state") == "running":
                meta = self._recover_if_dead(d, meta)
        except DamagedRun as e:
            meta = {"state": "damaged", "reason": str(e)}
        except (PermissionError, IsADirectoryError) as e:
            meta = {"state": "damaged", "reason": f"{e.filename}: {e.strerror}"}
        if "id" not in meta or "project" not in meta:
            project, run_id = self.names_of(d)
            meta.setdefault("id", run_id)
            meta.setdefault("project", project)
        return meta

    def recover(self, project: str, run_id: str, reason: str | None = None) -> RunMeta:
        """What reading a run does, now: mark it ``crashed`` if its writer is gone, saying
        why in ``crash_reason`` when given (a server whose client went silent)."""
        d = self.run_dir(project, run_id)
        return self._recover_if_dead(d, _read_json(d / "run.json"), reason)  # not _load: it recovers too

    def _recover_if_dead(self, d: Path, meta: RunMeta, reason: str | None = None) -> RunMeta:
        """Mark a run ``crashed`` if its writer is gone: only while holding its lock, so
        that a writer resuming it (which takes the lock first) is never touched."""
        try:
            fd = _try_lock(d / "lock")
        except OSError:
            return meta  # a read-only store: no telling, and no recovering
        if fd is None:
            if not _writer_died(meta):
                return meta  # a writer holds the lock: alive
            # The writer's process is gone, yet its lock is held: by a process it was
            # spawning (git, for its metadata), which keeps a copy until it execs. The
            # lock still decides; the dead pid only says it is worth a moment's wait.
            fd = _take_lock(d / "lock")
            if fd is None:
                return meta
        try:
            meta = _read_json(d / "run.json")  # it may have finished meanwhile
            if meta.get("state") == "running":
                meta = _mark_crashed(d, meta, reason)
            return meta
        finally:
            os.close(fd)

    def rows(
        self, project: str, run_id: str, stream: str = "history", cursor: Cursor | None = None
    ) -> tuple[list[tuple], Cursor]:
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        return read_rows(self.run_dir(project, run_id) / f"{stream}.wal", cursor)

    def columns(self, project: str, run_id: str, stream: str = "history", samples: int | None = None) -> dict[str, Any]:
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        d = self.run_dir(project, run_id)
        return read_columns(d / f"{stream}.wal", samples, complete=_ended(d))

    def columns_to_follow(self, project: str, run_id: str, stream: str = "history") -> tuple[dict[str, Any], Cursor]:
        if stream not in ROW_STREAMS:
            raise ValueError(f"stream must be one of {ROW_STREAMS}, got {stream!r}")
        return read_columns_to_follow(self.run_dir(project, run_id) / f"{stream}.wal")

    def records(self, project: str, run_id: str, stream: str, offset: int = 0) -> tuple[list[dict], int]:
        if stream not in RECORD_STREAMS:
            raise ValueError(f"stream must be one of {RECORD_STREAMS}, got {stream!r}")
        return read_records(self.run_dir(project, run_id) / f"{stream}.wal", offset)

    def media(self, path: str) -> bytes:
        wait_written(self._media.resolve(path))  # a file this process is still making (a figure, a video)
        return self._media.get(path)

    def media_size(self, path: str) -> int:
        return self._media.resolve(path).stat().st_size

    def media_url(self, path: str) -> str:
        return self._media.resolve(path).as_uri()

    def files(self, project: str, run_id: str, media: bool = True) -> list[StoredFile]:
        """The run's ``files/`` folder as it is now (a running run's too), ``code/...``
        and, with ``media``, the media its history points to."""
        d = self.run_dir(project, run_id)
        return self._files(project, run_id, self.run(project, run_id), folder_files(d / "files"), media)

    # -- edits (only of a run nobody is writing) -----------------------------------

    def update_run(self, project: str, run_id: str, changes: Mapping[str, Any]) -> RunMeta:
        edit = check_edit(changes)
        with self._quiet(project, run_id, "edit") as d:
            meta = _read_json(d / "run.json")
            if meta.get("state") == "running":  # its lock was free: the writer died
                meta = _mark_crashed(d, meta)
            meta = apply_edit(meta, edit)
            _write_json(d / "run.json", meta)
        meta.setdefault("id", run_id)
        meta.setdefault("project", project)
        return meta

    def delete_run(self, project: str, run_id: str) -> None:
        with self._quiet(project, run_id, "delete") as d:
            # Gone from every listing at once (a name no run id can have); removed after.
            trash = d.with_name(f".deleted.{d.name}.{os.getpid()}.{threading.get_ident()}")
            os.rename(d, trash)
        shutil.rmtree(trash, ignore_errors=True)

    @contextmanager
    def _quiet(self, project: str, run_id: str, what: str) -> Iterator[Path]:
        """Hold the lock of a run that no process is writing (its writer holds it for
        the run's lifetime, and would write its own metadata over an edit): ``RunBusy``
        if one is."""
        d = self.run_dir(project, run_id)
        if not (d / "run.json").exists():
            raise RunNotFound(f"no run {project}/{run_id} in {self.root}")
        try:
            fd = _take_lock(d / "lock")
        except FileNotFoundError:
            raise RunNotFound(f"no run {project}/{run_id} in {self.root}") from None
        except OSError as e:
            raise StoreError(f"cannot {what} run {project}/{run_id} in {self.root}: {e.strerror or e}") from e
        if fd is None:
            raise RunBusy(
                f"cannot {what} run {project}/{run_id}: it is being written (a process holds {d / 'lock'}). "
                f"{what.capitalize()} it once it has finished, or change it through its wbnb.Run in that process."
            )
        try:
            yield d
        finally:
            os.close(fd)

    def mark_synced(self, project: str, run_id: str) -> None:
        """Note that a server holds all of a finished run (``wbnb sync`` skips it)."""
        d = self.run_dir(project, run_id)
        _write_json(d / "run.json", {**_read_json(d / "run.json"), "synced": True})

    # -- write side ------------------------------------------------------------------

    def open_run(self, project: str, run_id: str, meta: RunMeta, resume: str | None) -> LocalRunWriter:
        project, run_id = check_name("project", project), check_name("run id", run_id)
        d = self.run_dir(project, run_id)
        try:
            (d / "files").mkdir(parents=True, exist_ok=True)
            remember(d.parent, project)  # a cut folder name keeps its name inside
            remember(d, run_id)
            lock = _take_lock(d / "lock")
        except OSError as e:
            raise self._unwritable(e) from e
        if lock is None:
            raise StoreError(
                f"run {project}/{run_id} is open in another process; finish it there, or start a run with another id"
            )
        try:
            return LocalRunWriter(self, d, lock, meta, resume)
        except OSError as e:  # no space for the first log window, a read-only file...
            os.close(lock)
            raise self._unwritable(e) from e
        except BaseException:
            os.close(lock)
            raise

    def _unwritable(self, error: OSError) -> StoreError:
        return StoreError(
            f"cannot write runs to {self.root}: {error.strerror or error}. "
            "Choose a writable folder with init(dir=...) or the WBNB_DIR variable."
        )


def _ended(d: Path) -> bool:
    """Whether a run is over as its ``run.json`` says (no more records of its last step
    can come: a resumed run starts a new step). A run whose writer died unnoticed reads
    as running, which only means its columns are not cached whole."""
    try:
        return _read_json(d / "run.json").get("state", "running") != "running"
    except (OSError, StoreError):
        return False


def _mark_crashed(d: Path, meta: RunMeta, reason: str | None = None) -> RunMeta:
    """Rebuild the summary from disk and mark a run whose writer died; lock held."""
    for name in ("history", "system", "events", "console"):
        _trim(d / f"{name}.wal")
    rows, _ = read_rows(d / "history.wal")
    tracker = SummaryTracker(meta.get("metrics"))
    for row in merged(rows):
        tracker.observe({k: v for k, v in row.items() if not k.startswith("_")})
    events, _ = read_records(d / "events.wal")
    for ev in events:
        if ev.get("kind") == "summary" and isinstance(ev.get("set"), dict):
            tracker.explicit.update(ev["set"])
            for key in ev.get("deleted") or ():
                tracker.explicit.pop(key, None)
    last = rows[-1] if rows else None
    meta.update(
        {
            "state": "crashed",
            "summary": tracker.result(),
            "ended_at": last[2] if last else meta.get("created_at"),
            "last_step": last[1] if last else None,
        }
    )
    if reason is not None:
        meta["crash_reason"] = reason
    _write_json(d / "run.json", meta)
    return meta


def _trim(path: Path) -> None:
    """Cut the zero padding a killed writer leaves after its last record: only the
    all-zero tail (a torn or damaged end is kept, as a resumed writer would keep it)."""
    try:
        with open(path, "r+b") as f:
            data = f.read()
            end = append_point(data)[0]
            if end < len(data):
                f.truncate(end)
    except FileNotFoundError:
        pass


# Writers open in this process: a forked child closes its copies of their locks, so
# that a run is owned by its process alone (a DataLoader worker outliving a killed
# parent does not keep the run "running"; the child's exit does not end it).
_WRITERS: weakref.WeakSet[LocalRunWriter] = weakref.WeakSet()


def _release_in_child() -> None:
    for writer in list(_WRITERS):
        writer._forked()


os.register_at_fork(after_in_child=_release_in_child)


class LocalRunWriter(RunWriter):
    """Writes one run's folder. Storage errors after opening never raise into the
    training loop: they are warned once and reported by ``close``."""

    def __init__(self, store: LocalStore, d: Path, lock: int, meta: RunMeta, resume: str | None) -> None:
        self.dir = d
        self.files_dir = d / "files"
        self._store = store
        self._lock = lock
        self._lost: dict[str, int] = {}
        self._errors: dict[str, str] = {}
        self._derived = False  # whether put_later was used: close waits for the media thread
        # Any thread may log: one lock per log that is not the history's (Run.log locks
        # that one), one for run.json, one for the failure counts.
        self._system_lock = threading.Lock()
        self._events_lock = threading.Lock()
        self._console_lock = threading.Lock()
        self._meta_lock = threading.Lock()
        self._failed_lock = threading.Lock()
        exists = (d / "run.json").exists()
        run_path = f"{meta.get('project')}/{meta.get('id')}"
        if exists and resume in (None, "never"):
            raise StoreError(
                f"run {run_path} already exists in {store.root}; pass resume='allow' "
                "to continue it, or choose another id"
            )
        if not exists and resume == "must":
            raise StoreError(f"resume='must' but there is no run {run_path} in {store.root}")
        self.next_step = 0
        self.last_values: dict[str, Any] = {}
        schemas: dict[tuple[str, ...], int] = {}
        if exists:
            old = _read_json(d / "run.json")
            schemas, self.next_step, self.last_values = known_schemas(d / "history.wal")
            meta = resumed(old, meta)
        else:
            meta = created(meta, sum(1 for e in os.scandir(d.parent) if e.is_dir()))  # this one counted
        self.meta = meta
        reopened(meta).update({"pid": os.getpid(), "host": socket.gethostname()})
        meta.pop("pid_started", None)  # written by earlier versions
        self._history = RowWriter(LogWriter(d / "history.wal"), schemas, lambda e: self._failed("history rows", e))
        self.log_row = self._history.append  # type: ignore[method-assign]  # the hot path, one call deep
        sys_schemas, self._system_step, _ = known_schemas(d / "system.wal") if exists else ({}, 0, {})
        self._system = RowWriter(LogWriter(d / "system.wal"), sys_schemas, lambda e: self._failed("system samples", e))
        self._events = LogWriter(d / "events.wal")
        self._console = LogWriter(d / "console.wal")
        _write_json(d / "run.json", meta)
        _WRITERS.add(self)

    def _forked(self) -> None:
        """In a forked child: the run is the parent's; close this copy of its lock."""
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def _failed(self, what: str, error: OSError) -> None:
        with self._failed_lock:
            self._lost[what] = self._lost.get(what, 0) + 1
            first = what not in self._errors
            if first:
                self._errors[what] = f"{error.strerror or error}"
        if first:
            warnings.warn(
                f"wbnb: cannot write {what} to {self.dir}: {self._errors[what]}. "
                "Training goes on; finish() will report what was not saved.",
                RuntimeWarning,
                stacklevel=4,
            )

    def log_row(
        self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]
    ) -> None:
        self._history.append(step, timestamp, runtime, keys, values)  # shadowed in __init__

    def log_system(self, timestamp: float, runtime: float, sample: dict[str, float]) -> None:
        with self._system_lock:
            self._system.append(self._system_step, timestamp, runtime, tuple(sample), sample.values())
            self._system_step += 1

    def log_event(self, event: dict[str, Any]) -> None:
        self._append(self._events, self._events_lock, "events", event)

    def log_console(self, stream: str, line: str, timestamp: float) -> None:
        self._append(
            self._console, self._console_lock, "console lines", {"stream": stream, "line": line, "t": timestamp}
        )

    def _append(self, log: LogWriter, lock: threading.Lock, what: str, record: dict[str, Any]) -> None:
        try:
            payload = encode(record)
            with lock:
                log.append(payload)
        except (OSError, ValueError) as e:
            self._failed(what, e if isinstance(e, OSError) else OSError(str(e)))

    def put(self, data: bytes, ext: str) -> str:
        try:
            return self._store._media.put(data, ext)
        except OSError as e:
            self._failed("media files", e)
            return media_path(data, ext)

    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        self._derived = True
        return self._store._media.put_later(key, ext, produce, self._derived_failed)

    def _derived_failed(self, error: Exception) -> None:
        self._failed("media files", error if isinstance(error, OSError) else OSError(f"{error!r}"))

    def save_meta(self, **changes: Unpack[RunMeta]) -> None:
        with self._meta_lock:  # another thread's change must not mutate the dict being written
            self.meta.update(changes)
            try:
                _write_json(self.dir / "run.json", self.meta)
            except OSError as e:
                self._failed("run metadata", e)

    def close(self, state: State, exit_code: int | None = None) -> list[str]:
        if self._lock < 0:
            return []  # closed already, or a forked child's copy: the run is not ours to end
        if self._derived:  # the files its records point to are written before it reads as ended
            wait_written()
        with self._system_lock, self._events_lock, self._console_lock:
            for name, log in (
                ("history", self._history.log),
                ("system", self._system.log),
                ("events", self._events),
                ("console", self._console),
            ):
                try:
                    log.close()
                except OSError as e:
                    self._failed(f"{name} log", e)
        self.save_meta(state=state, exit_code=exit_code, ended_at=time.time())
        os.close(self._lock)
        self._lock = -1
        for stream, log in (("history", self._history.log), ("system", self._system.log)):
            # After the run reads as ended: nobody waits for this.
            compact(self.dir / f"{stream}.wal", verify=not log.intact)
        return [f"{n} {what} could not be saved ({self._errors[what]})" for what, n in self._lost.items()]
