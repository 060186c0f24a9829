"""Logging to a server without ever waiting on it: spool locally, upload behind.

A run logged to a server is first a run of a local store (the *spool*, the same
folder ``init()`` would use offline), written by the ordinary ``LocalRunWriter``: so
``log()`` costs what it costs locally and a step survives the process being killed.
An ``Uploader`` thread reads what is new in the spool's logs (the way a widget
follows a run), and posts it in batches whose chunks carry their index
(``wire.py``): a retry after a timeout, a server restart or a process restart can
never store a step twice. While the server is unreachable the spool simply grows;
the thread retries with backoff and catches up. ``wbnb sync`` runs the same
``Uploader`` over runs left behind (offline runs, runs whose process ended first).

A batch is bounded by records per stream and by bytes (``wire.BATCH_BYTES``; a
larger record goes alone). A server with a smaller limit answers 413 and the
uploader halves its batches. A record the server refuses (413 alone, or a 422 naming
it) is replaced by an empty *stand-in* at its index, so the indexes (and
exactly-once) hold, said once and counted in ``left_out``; the rest is uploaded.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .base import RunNotFound, RunWriter, StoreError
from .local import LocalRunWriter, LocalStore
from .media import derived_path, media_path, wait_written
from .rowread import Cursor, read_rows
from .rows import check_continues, check_rows
from .runfiles import file_digests, folder_files
from .runmeta import RunMeta, SavedFile, State, omit
from .wal import read_records
from .wire import (
    BATCH_BYTES,
    FINAL_STATES,
    RECORD_STREAMS,
    ROW_STREAMS,
    STREAMS,
    BatchBody,
    Row,
    media_paths,
    refused_at,
    rename_media,
)

# Records per stream in one batch (and at most BATCH_BYTES in all). Encoding a batch
# holds the GIL, so next to a live training loop batches stay small (1000 rows x 10
# floats: ~1 ms); sync sends 5x more.
LIVE_BATCH, SYNC_BATCH = 1000, 5000
LOCAL_ONLY = ("state", "pid", "pid_started", "remote", "synced", "exit_code", "ended_at")
# What a server keeps of its own (its clock, its view of liveness, its copies of
# run.dir): never taken into a spool, which would send it back.
SERVERS_OWN = ("heartbeat_at", "crash_reason", "damaged", "files")


class Uploader:
    """Ships one spooled run to the server; ``start()`` for a live run, ``drain()``
    for a finished one."""

    def __init__(
        self,
        remote: Any,
        project: str,
        run_id: str,
        spool: LocalStore,
        base: dict[str, int] | None = None,
        interval: float = 0.2,
        on_progress: Callable[[int], None] | None = None,
        batch_rows: int = SYNC_BATCH,
        max_bytes: int = BATCH_BYTES,
    ) -> None:
        self.remote, self.project, self.run_id = remote, project, run_id
        self.dir = spool.run_dir(project, run_id)
        self.path = remote._run(project, run_id)
        self.base = dict(base or dict.fromkeys(STREAMS, 0))  # server index of the spool's first record
        self.interval = interval
        self.batch_rows = batch_rows
        self.max_bytes = max_bytes  # halved by a 413: the server's limit is lower
        self.on_progress = on_progress
        self.acked: dict[str, int] | None = None  # spool records the server holds; None: ask it
        self._read = dict.fromkeys(STREAMS, 0)  # spool records read into _pending
        self._pending: dict[str, list[Any]] = {s: [] for s in STREAMS}
        self._cursors: dict[str, Any] = {s: Cursor() if s in ROW_STREAMS else 0 for s in STREAMS}
        self._sent_media: set[str] = set()
        self._saved: dict[tuple[str, int, float | None], SavedFile] = {}  # run.dir files uploaded, by state
        # Spool media paths the server knows under another name: derived files (named
        # after their input, store/media.py) and tables whose cells point to them.
        self._renamed: dict[str, str] = {}
        self._meta_version = 0  # bumped by the writer on each metadata change
        self._meta_sent = -1
        self._files_listed: dict[str, SavedFile] = {}  # the saved files the server's metadata lists
        self._files_due: dict[str, SavedFile] = {}  # those the batch being sent lists
        self._meta: Callable[[], RunMeta] = lambda: spool.run(project, run_id)
        self._final: tuple[State, int | None] | None = None
        self._final_sent = False
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self.heartbeat = 30.0  # seconds between batches, empty if need be (the server says)
        self._posted = time.monotonic()
        self.offline_since: float | None = None
        self.error: str | None = None  # the last reason an upload failed
        # What the server refused: records (sent as stand-ins) and media files; what was said of the first.
        self.left_out = dict.fromkeys((*STREAMS, "media"), 0)
        self.first_left_out: str | None = None
        self._said: set[str] = set()  # kinds of refusal said already
        self._checked: set[str] = set()  # rows streams checked here before sending: the server refused a row
        self._last_step = dict.fromkeys(ROW_STREAMS, -1)  # of the last row the server holds from this spool

    # -- control -----------------------------------------------------------------------

    def start(self) -> None:
        """Upload in a daemon thread until ``finish`` has been delivered."""
        self._thread = threading.Thread(target=self._loop, name=f"wbnb-upload-{self.run_id}", daemon=True)
        self._thread.start()

    def meta_changed(self) -> None:
        """The run's metadata changed: send it with the next batch."""
        self._meta_version += 1

    def finish(self, state: State, exit_code: int | None, timeout: float) -> bool:
        """Send everything and the final state; wait at most ``timeout`` seconds.
        Returns True when the server has it all (the thread keeps trying otherwise)."""
        self._final = (state, exit_code)
        self._wake.set()
        if self._thread is None:
            return self.drain(timeout)
        self._thread.join(timeout)
        return self.done

    @property
    def done(self) -> bool:
        """Whether the server holds every record and the final state."""
        return self._final_sent

    def left_out_note(self) -> str | None:
        """How many records the server refused (uploaded as stand-ins), or None."""
        if not any(self.left_out.values()):
            return None
        counts = ", ".join(f"{n} {s}" for s, n in self.left_out.items() if n)
        return f"left out what the server refused ({counts}); the first: {self.first_left_out}"

    def unsent(self) -> dict[str, int]:
        """Records per stream the server does not have yet (those read so far)."""
        self._fill()
        acked = self.acked or dict.fromkeys(STREAMS, 0)
        return {s: n for s in STREAMS if (n := self._read[s] - acked[s]) > 0}

    def drain(self, timeout: float | None = None) -> bool:
        """Upload on this thread until done, or until ``timeout`` seconds (None: no
        limit) pass with the server unreachable. Raises for refusals (a bad key)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.5
        while not self.done:
            try:
                self._step()
                delay = 0.5
            except _Retry as e:
                if deadline is not None and time.monotonic() + delay > deadline:
                    self.error = str(e)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
        return True

    def _loop(self) -> None:
        delay = self.interval
        while not self._final_sent:
            try:
                busy = self._step()
                if self.offline_since is not None:
                    print(
                        f"wbnb: {self.remote.conn.base_url} is reachable again; uploading what was spooled",
                        file=sys.stderr,
                    )
                    self.offline_since = None
                delay = self.interval
                if busy:
                    continue
            except _Retry as e:
                self.error = str(e)
                if self.offline_since is None:
                    self.offline_since = time.monotonic()
                    warnings.warn(
                        f"wbnb: cannot reach {self.remote.conn.base_url} ({e}); logging goes on into "
                        f"{self.dir} and will be uploaded when the server is back",
                        RuntimeWarning,
                        stacklevel=1,  # the uploader's thread: no user frame to point at
                    )
                delay = min(max(delay * 2, 0.5), 10.0)
            except Exception as e:  # a refusal that names nothing to leave out (a revoked key): say it, keep the spool
                self.error = f"{type(e).__name__}: {e}"
                warnings.warn(
                    f"wbnb: uploading {self.project}/{self.run_id} stopped: {e}. The run is kept "
                    f"in {self.dir}; fix the cause and run `wbnb sync`.",
                    RuntimeWarning,
                    stacklevel=1,
                )
                return
            self._wake.wait(delay)
            self._wake.clear()

    # -- one round ---------------------------------------------------------------------

    def _step(self) -> bool:
        """Send one batch of what is new; True if more is waiting. Raises ``_Retry``."""
        import requests

        final = self._final  # read before the spool is: the writer closed it before setting this
        try:
            if self.acked is None:
                self._open()
            caught_up = self._fill()
            return self._send(final if caught_up else None)
        except (requests.ConnectionError, requests.Timeout) as e:
            raise _Retry(type(e).__name__) from None
        except StoreError as e:
            if getattr(e, "status", 0) >= 500 or getattr(e, "status", 0) == 429:
                raise _Retry(str(e)) from None
            raise

    def _remote_meta(self) -> RunMeta:
        """The run's metadata as the server keeps it: its entity, none of the spool's own fields."""
        meta = omit(self._meta(), LOCAL_ONLY)
        meta["entity"] = self.remote.entity  # an offline run was stamped with the local user
        self._upload_media([meta.get("summary")])  # its values may point to media no row has sent yet
        return rename_media(meta, self._renamed) if self._renamed else meta

    def _open(self) -> None:
        answer = self.remote.conn.request("PUT", self.path, json={"meta": self._remote_meta(), "resume": "allow"})
        self._opened(answer)

    def _opened(self, answer: dict[str, Any]) -> None:
        self.heartbeat = float(answer.get("heartbeat") or self.heartbeat)
        self._acknowledge(answer["next"])

    def _acknowledge(self, counts: dict[str, int]) -> None:
        acked = {s: max(0, counts.get(s, 0) - self.base[s]) for s in STREAMS}
        for s in STREAMS:
            first = self._read[s] - len(self._pending[s])
            if acked[s] < first:  # the server holds less than it did: read the spool again
                self._rewind(s)
                first = 0
            done = max(0, acked[s] - first)
            if done and s in ROW_STREAMS and self._pending[s]:
                # More held than read (a run resumed from this spool): _fill skips the rest.
                self._last_step[s] = self._pending[s][min(done, len(self._pending[s])) - 1][1]
            del self._pending[s][:done]
        self.acked = acked
        if self.on_progress:
            self.on_progress(sum(acked.values()))

    def _rewind(self, stream: str) -> None:
        self._cursors[stream] = Cursor() if stream in ROW_STREAMS else 0
        self._read[stream] = 0
        self._pending[stream] = []
        if stream in ROW_STREAMS:
            self._last_step[stream] = -1

    def _fill(self) -> bool:
        """Read what the spool gained since the last read (skipping what is acked);
        True when every log was read to its end."""
        caught_up = True
        for s in STREAMS:
            if len(self._pending[s]) >= self.batch_rows:  # bound memory through a long outage
                caught_up = False
                continue
            path = self.dir / f"{s}.wal"
            if s in ROW_STREAMS:
                new, self._cursors[s] = read_rows(path, self._cursors[s])
            else:
                new, self._cursors[s] = read_records(path, self._cursors[s])
            skip = max(0, (self.acked or {}).get(s, 0) - self._read[s])
            if skip and new and s in ROW_STREAMS:  # held already: the step the next row continues from
                self._last_step[s] = new[min(skip, len(new)) - 1][1]
            self._read[s] += len(new)
            self._pending[s].extend(new[skip:])
        return caught_up

    def _send(self, final: tuple[State, int | None] | None) -> bool:
        acked = self.acked or dict.fromkeys(STREAMS, 0)
        body = BatchBody()
        version = self._meta_version
        # The run's saved files go up by content as it ends, listed in its metadata
        # (``_saved`` remembers them, so a drain of several batches uploads each once).
        saved = self._upload_saved_files() if final is not None else {}
        files = self._files_due = saved if saved != self._files_listed else {}
        meta = version if version != self._meta_sent or files else None
        if meta is not None:
            body.set("meta", {**self._remote_meta(), **({"files": files} if files else {})}, item=True)
        for s in STREAMS:
            self._add(body, s, self.base[s] + acked[s])
        more = any(body.taken[s] < len(p) for s, p in self._pending.items())
        if final is not None and not more:  # this batch holds the rest: it closes the run
            body.set("state", final[0])
            body.set("exit_code", final[1])
        else:
            final = None
        if not body.items and final is None and time.monotonic() - self._posted < self.heartbeat:
            return False  # (an idle run still posts an empty batch now and then: it is alive)
        data = body.encode()
        try:
            answer = self.remote.conn.request(
                "POST", f"{self.path}/batches", data=data, headers={"Content-Type": "application/json"}
            )
        except RunNotFound:  # the server lost the run (or never had it): open it again
            self.acked = None
            return True
        except StoreError as e:
            status, reply = getattr(e, "status", 0), getattr(e, "body", None)
            if status == 409 and isinstance(reply, dict) and "next" in reply:
                self._acknowledge(reply["next"])  # a gap: resend from where the server is
                return True
            detail = reply.get("detail") if isinstance(reply, dict) else None
            if (
                status in (413, 422)
                and isinstance(detail, str)
                and self._refused(status, detail, body, len(data), meta)
            ):
                return True
            raise
        self._posted = time.monotonic()
        self._meta_sent = version
        if files:
            self._files_listed = files
        self._acknowledge(answer["next"])
        if final is not None:
            self._final_sent = True
            return False
        return more or any(self._pending.values())

    def _add(self, body: BatchBody, s: str, start: int) -> None:
        """Add pending records of stream ``s`` to ``body`` while it has room."""
        rows = s in ROW_STREAMS
        step = self._last_step[s] if s == "history" else -1  # the server's steps go on from its last
        for n, record in enumerate(self._pending[s][: self.batch_rows]):
            if rows:
                if s in self._checked and (problem := _row_problem(record, step, s)):
                    record = self._leave_out(s, n, problem)
                self._upload_media(v for v in record[4] if isinstance(v, (dict, list)))
                if self._renamed:
                    record = self._server_row(record)
            else:
                if s == "events":  # summary values and log_code's manifest point to media too
                    self._upload_media([record])
                if self._renamed:
                    record = rename_media(record, self._renamed)
            if not body.add(s, start, record, self.max_bytes):
                return
            if rows:
                step = record[1]

    def _refused(self, status: int, detail: str, body: BatchBody, size: int, meta: int | None) -> bool:
        """Act on a 413 or 422 to ``body`` (``size`` bytes; ``meta``: the version of the
        metadata it holds): halve the batches, or leave out what the server refuses (a
        record, or the metadata). False when there is nothing to leave out (the caller
        raises: the upload stops, said once)."""
        if status == 413 and body.items != 1:
            if body.items == 0:
                return False
            self.max_bytes = max(1, size // 2)
            return True
        where: tuple[str, int | None] | None = refused_at(detail)
        if status == 413:  # a batch of one thing: that thing is over the limit
            where = next(((s, 0) for s, n in body.taken.items() if n), ("meta", None))
            detail = f"{size:,} bytes in one request, over the server's limit ({detail})"
        if where is None:
            return False
        part, n = where
        if part == "meta":
            if meta is None:
                return False  # not in this batch
            self._meta_sent = meta  # sent again when it changes
            self._files_listed = self._files_due  # and its file list with it
            self._say(
                "meta",
                f"the server refused the metadata of {self.project}/{self.run_id}: {detail}; the run is "
                "uploaded without it",
            )
            return True
        if status == 422 and part in ROW_STREAMS and part not in self._checked:
            self._checked.add(part)  # the rest of the stream is checked here first (one refusal, not many)
            if n is None:
                return True
        if n is None or n >= body.taken[part]:
            return False
        self._leave_out(part, n, detail)
        return True

    def _leave_out(self, s: str, n: int, reason: str) -> Any:
        """Replace pending record ``n`` of ``s`` with a stand-in the server takes; say so
        once. Returns the stand-in. Raises ``StoreError`` if it is a stand-in already."""
        record = self._pending[s][n]
        if isinstance(record, (_StandInRow, _StandInRecord)):
            raise StoreError(f"the server refused a stand-in for a record it refused before: {reason}")
        index = self.base[s] + (self.acked or {}).get(s, 0) + n
        reason = reason if len(reason) <= 300 else reason[:300] + "..."
        if s in ROW_STREAMS:
            before = self._pending[s][n - 1][1] if n else self._last_step[s]
            stand_in: Any = _StandInRow(((), max(before, 0), _finite(record[2]), _finite(record[3]), ()))
            what = f"{s} row {index} (step {record[1]!r})"
        elif s == "events":
            stand_in = _StandInRecord(kind="left_out", reason=reason, t=_finite(record.get("t")))
            what = f"event {index}"
        else:
            line = f"[wbnb: a line left out: {reason}]"
            stand_in = _StandInRecord(stream="stderr", line=line, t=_finite(record.get("t")))
            what = f"console line {index}"
        self._pending[s][n] = stand_in
        self._left_out(s, f"{what} of {self.project}/{self.run_id}: {reason}")
        return stand_in

    def _left_out(self, kind: str, said: str) -> None:
        """Count one thing of ``kind`` the server refused; say the first."""
        self.left_out[kind] += 1
        if self.first_left_out is None:
            self.first_left_out = said
        self._say(
            "left out",
            f"left out {said}. It stays in {self.dir}; the rest of the run is uploaded (what else is left "
            "out is counted, not shown)",
        )

    def _say(self, kind: str, message: str) -> None:
        """Warn once per kind of refusal."""
        if kind not in self._said:
            self._said.add(kind)
            warnings.warn(f"wbnb: {message}", RuntimeWarning, stacklevel=3)

    def _upload_media(self, values: Iterable[Any]) -> None:
        """PUT each media file a batch points to before the batch (content-addressed,
        so a repeat costs one request and stores nothing). The server names a file after
        its bytes: a derived file, or a table pointing to one, goes up under that name and
        ``_renamed`` maps the spool's path to it for the records sent."""
        for value in values:
            for path in media_paths(value):
                if path in self._sent_media:
                    continue
                data = self._spool_media(path)
                if data is None:
                    continue  # lost locally (disk full when logged); the record says where it was
                if path.endswith(".json"):  # a table: its cells may point to images (sent first)
                    doc = json.loads(data)
                    self._upload_media([doc])
                    if self._renamed and (renamed := rename_media(doc, self._renamed)) is not doc:
                        data = json.dumps(renamed).encode()
                try:
                    server_path = media_path(data, path.rpartition(".")[2])
                except ValueError:  # not a name this store writes: nothing to send
                    continue
                if server_path != path:
                    self._renamed[path] = server_path
                if (refused := self._put_media(server_path, data)) is not None:
                    why = f"{len(data):,} bytes, over the server's limit ({refused})"
                    self._left_out("media", f"the media file {path} of {self.project}/{self.run_id}: {why}")
                self._sent_media.add(path)  # (one refused is shown as missing, as a file lost locally)

    def _put_media(self, path: str, data: Any) -> str | None:
        """PUT one file (bytes, or an open file, streamed) as the media file ``path``;
        return the server's refusal of it as too large (413), or None once it is there."""
        try:
            self.remote.conn.request(
                "PUT",
                f"/media/{path.rsplit('/', 1)[1]}",
                data=data,
                headers={"Content-Type": "application/octet-stream"},
            )
        except StoreError as e:
            if getattr(e, "status", 0) != 413:
                raise
            return str(e)
        return None

    def _upload_saved_files(self) -> dict[str, SavedFile]:
        """PUT the files the run saved (``run.dir``) by content, as the run ends, and
        return the ``files`` metadata that lists them on the server (``runfiles.py``).
        A file the server refuses as too large is left out, said once."""
        out = {}
        for f in folder_files(self.dir / "files"):
            state = (f.name, f.size, f.updated_at)
            entry = self._saved.get(state)
            if entry is None:
                assert f.local is not None
                ext = f.local.suffix.lstrip(".")
                try:
                    sha, md5 = file_digests(f.local)
                    body = open(f.local, "rb")  # streamed: a checkpoint need not fit in memory
                except OSError:  # removed or unreadable meanwhile: not a file the run kept
                    continue
                try:
                    path = derived_path(sha, ext)
                except ValueError:  # no extension a media file can have
                    path = derived_path(sha, "bin")
                with body:
                    refused = self._put_media(path, body)
                if refused is not None:
                    warnings.warn(
                        f"wbnb: {f.name} of run {self.project}/{self.run_id} was not uploaded: {refused}. "
                        f"It stays in {f.local}.",
                        RuntimeWarning,
                        stacklevel=2,
                    )
                    entry = self._saved[state] = {}
                    continue
                entry = self._saved[state] = {"path": path, "size": f.size, "md5": md5, "updated_at": f.updated_at}
            if entry:
                out[f.name] = entry
        return out

    def _spool_media(self, path: str) -> bytes | None:
        file = self.dir.parents[2] / path
        wait_written(file)  # a derived file this process is still making
        try:
            return file.read_bytes()
        except FileNotFoundError:
            return None

    def _server_row(self, row: Row) -> Row:
        """A row with the media paths the server knows under another name renamed."""
        keys, step, ts, rt, values = row
        if not any(isinstance(v, (dict, list)) for v in values):
            return row
        return keys, step, ts, rt, [rename_media(v, self._renamed) for v in values]


class _Retry(Exception):
    """The server could not be reached or was overloaded: try again later."""


class _StandInRow(tuple):  # type: ignore[type-arg]
    """An empty row sent in place of one the server refused (it keeps the indexes)."""


class _StandInRecord(dict):  # type: ignore[type-arg]
    """An event or console line sent in place of one the server refused."""


def _finite(value: Any) -> float:
    """``value`` if it is a finite float (a row's time as the server takes it), else 0.0."""
    return value if type(value) is float and math.isfinite(value) else 0.0


def _row_problem(row: Row, previous_step: int, stream: str) -> str | None:
    """Why the server would refuse ``row`` after a row of ``previous_step`` (the rules of
    ``store/rows.py``, which the server applies), or None."""
    try:
        check_rows([row], stream)
        check_continues([row], 0, previous_step, stream)
    except ValueError as e:
        return str(e).split(": ", 1)[-1]
    return None


class SpooledRunWriter(RunWriter):
    """A ``LocalRunWriter`` into the spool plus the thread that uploads from it;
    ``remote`` is the server's ``RemoteStore`` (its ``catalog``, and the artifact
    pushes: ``artifact_logged`` / ``wait_artifact`` / ``record_use``).

    The hot path (``log_row``) is the local writer's own method."""

    remote: Any  # the server's RemoteStore (remote.py imports this module)

    def __init__(self, local: LocalRunWriter, uploader: Uploader, upload_timeout: float) -> None:
        self.local = local
        self.uploader = uploader
        self.remote = uploader.remote
        self.upload_timeout = upload_timeout
        self.meta, self.files_dir = local.meta, local.files_dir
        self.next_step, self.last_values = local.next_step, local.last_values
        self.log_row = local.log_row  # type: ignore[method-assign]
        uploader._meta = lambda: local.meta.copy()

    def log_row(
        self, step: int, timestamp: float, runtime: float, keys: tuple[str, ...], values: Iterable[Any]
    ) -> None:  # shadowed in __init__
        self.local.log_row(step, timestamp, runtime, keys, values)

    def log_system(self, timestamp: float, runtime: float, sample: dict[str, float]) -> None:
        self.local.log_system(timestamp, runtime, sample)

    def log_event(self, event: dict[str, Any]) -> None:
        self.local.log_event(event)

    def log_console(self, stream: str, line: str, timestamp: float) -> None:
        self.local.log_console(stream, line, timestamp)

    def put(self, data: bytes, ext: str) -> str:
        return self.local.put(data, ext)

    def put_later(self, key: str, ext: str, produce: Callable[[], bytes]) -> str:
        return self.local.put_later(key, ext, produce)

    def save_meta(self, **changes: Any) -> None:
        self.local.save_meta(**changes)
        self.uploader.meta_changed()

    def close(self, state: State, exit_code: int | None = None) -> list[str]:
        problems = self.local.close(state, exit_code)
        uploaded = self.uploader.finish(state, exit_code, self.upload_timeout)
        if note := self.uploader.left_out_note():
            problems = [*problems, f"{note}; they are kept in {self.local.dir}"]
        problems += [
            f"{p}; it is kept in {self.remote.spool}: `wbnb sync` tries again"
            for p in self.remote.wait_pushes(self.upload_timeout)
        ]
        if uploaded:
            self.local.save_meta(synced=True)
            return problems
        left = ", ".join(f"{n} {s}" for s, n in self.uploader.unsent().items()) or "the final state"
        why = f" ({self.uploader.error})" if self.uploader.error else ""
        return problems + [
            f"{left} not uploaded to {self.uploader.remote.conn.base_url} yet{why}; they are kept in "
            f"{self.local.dir} and uploading goes on while this process lives. Upload them later with "
            "`wbnb sync`."
        ]


def open_spooled_run(
    remote: Any, project: str, run_id: str, meta: RunMeta, resume: str | None, upload_timeout: float = 20.0
) -> SpooledRunWriter:
    """Open ``project/run_id`` on the server and in the spool; start uploading.

    The server decides whether the run exists (``resume`` as in ``init``). When it is
    unreachable the run is spooled anyway and opened there later."""
    import requests

    spool = LocalStore(remote.spool)
    remote_meta: RunMeta | None = None
    counts = dict.fromkeys(STREAMS, 0)
    answer = None
    try:
        answer = remote.conn.request("PUT", remote._run(project, run_id), json={"meta": meta, "resume": resume})
        remote_meta, counts = answer["meta"], answer["next"]
    except (requests.ConnectionError, requests.Timeout) as e:
        warnings.warn(
            f"wbnb: cannot reach {remote.conn.base_url} ({type(e).__name__}); the run is logged "
            f"into {remote.spool} and uploaded when the server is back",
            RuntimeWarning,
            stacklevel=4,
        )
    except StoreError as e:
        if getattr(e, "status", 0) == 409:
            raise StoreError(str(e).split(": ", 1)[-1]) from None
        raise
    in_spool = (spool.run_dir(project, run_id) / "run.json").exists()
    if (
        in_spool
        and remote_meta is not None
        and "resumed" not in remote_meta
        and spool.run(project, run_id).get("synced")
    ):
        # The server had all of it once, and has just made the run anew: it was deleted
        # there. The spool's copy is no part of this run.
        spool.delete_run(project, run_id)
        in_spool = False
    if in_spool:
        base = spool.run(project, run_id).get("remote", {}).get("base") or dict.fromkeys(STREAMS, 0)
    else:
        base = counts  # resumed from elsewhere: the spool starts where the server is
    # A run new to the spool that the server holds (made now, or resumed from another
    # machine) starts from the server's metadata: what it kept (name, tags, config,
    # creation time...) merged with what init gave (``resumed``), as a local resume does.
    # Otherwise the spool decides (its own resume, or the server not reached).
    adopted = omit(remote_meta, LOCAL_ONLY + SERVERS_OWN) if remote_meta and not in_spool else meta
    local_meta: RunMeta = {**adopted, "remote": {"url": remote.conn.base_url, "entity": remote.entity, "base": base}}
    local = spool.open_run(project, run_id, local_meta, "allow" if in_spool else None)
    last_step = remote_meta.get("last_step") if remote_meta and not in_spool else None
    if last_step is not None:  # step 0 too
        local.next_step = max(local.next_step, last_step + 1)
    uploader = Uploader(remote, project, run_id, spool, base, batch_rows=LIVE_BATCH)
    if answer is not None:
        uploader._opened(answer)
    else:
        uploader.offline_since = time.monotonic()  # said above: the thread does not say it again
    uploader.start()
    return SpooledRunWriter(local, uploader, upload_timeout)


def pending_runs(spool: LocalStore) -> list[RunMeta]:
    """Runs of a local store that a server does not fully have: spooled runs not marked
    synced, and offline runs. Running runs (a live writer) are left alone."""
    out = []
    for project in spool.projects():
        for meta in spool.runs(project):
            if meta.get("synced") or meta.get("state") == "running":
                continue
            out.append(meta)
    return out


def sync_run(
    remote: Any, spool: LocalStore, meta: RunMeta, on_progress: Callable[[int], None] | None = None
) -> str | None:
    """Upload one local run (spooled or offline) completely, with its final state;
    ``on_progress`` hears how many of its records the server holds. Returns what
    ``Uploader.left_out_note`` says, if the server refused any. Raises ``TimeoutError``
    when the server cannot be reached for a minute (the spool is kept as it was)."""
    project, run_id = meta["project"], meta["id"]
    base = (meta.get("remote") or {}).get("base")
    uploader = Uploader(remote, project, run_id, spool, base, on_progress=on_progress)
    state: State = meta["state"] if meta.get("state") in FINAL_STATES else "crashed"
    uploader._final = (state, meta.get("exit_code"))
    uploader.meta_changed()
    if not uploader.drain(timeout=60.0):
        raise TimeoutError(f"cannot reach {remote.conn.base_url} ({uploader.error})")
    spool.mark_synced(project, run_id)
    return uploader.left_out_note()


def record_count(d: Path) -> int:
    """Records in a local run's four logs (what a full upload sends)."""
    n = 0
    for s in STREAMS:
        path = d / f"{s}.wal"
        if s in ROW_STREAMS:
            n += len(read_rows(path)[0])
        elif s in RECORD_STREAMS:
            n += len(read_records(path)[0])
    return n
