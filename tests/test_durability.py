"""Nothing acknowledged is lost: SIGKILL, concurrent writers, live readers, full disks."""

from __future__ import annotations

import errno
import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.waiting import wait_for
from wbnb.store.local import LocalStore
from wbnb.store.rowread import merged
from wbnb.store.wal import read_records

ROOT = Path(__file__).resolve().parents[1]

# A training loop that acknowledges each step over stdout once log() has returned.
LOGGER = textwrap.dedent(
    """
    import sys, wbnb
    run = wbnb.init(project="kill", id=sys.argv[2], dir=sys.argv[1], settings={"silent": True})
    out = sys.stdout.buffer
    out.write(b"ready\\n"); out.flush()
    i = 0
    while True:
        wbnb.log({"i": i, "loss": 1.0 / (i + 1), "nested": {"sq": i * i}})
        if i % 97 == 0:
            run.summary["checkpoint"] = i
        out.write(b"%d\\n" % i); out.flush()
        i += 1
    """
)


def _spawn(root: Path, run_id: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WBNB_SYSTEM_INTERVAL": "0.2"}
    # Unbuffered: a buffered readline() could pull acknowledgements into Python's buffer,
    # where the raw os.read() loop below would not see them.
    proc = subprocess.Popen(
        [sys.executable, "-c", LOGGER, str(root), run_id], stdout=subprocess.PIPE, env=env, bufsize=0
    )
    assert proc.stdout.readline() == b"ready\n"
    return proc


def _kill_after(proc: subprocess.Popen, seconds: float) -> int:
    """Read acknowledgements from the first one on for ``seconds``, SIGKILL, and return the
    last step acknowledged."""
    buf = b""
    fd = proc.stdout.fileno()
    assert select.select([fd], [], [], 60)[0], "the logger acknowledged nothing within 60 s"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            # Only the latest acknowledgements matter; a number cut at the front of this
            # window is smaller than the whole ones after it, so max() below is unaffected.
            buf = (buf + os.read(fd, 65536))[-64:]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    buf += proc.stdout.read()  # acknowledgements still in the pipe were acknowledged too
    complete = buf[: buf.rfind(b"\n") + 1].split()  # a torn last line was never acknowledged
    return max((int(n) for n in complete), default=-1)


@pytest.mark.parametrize("trial", range(5))
def test_sigkill_at_random_moments_loses_no_acknowledged_step(tmp_path: Path, trial: int) -> None:
    rng = random.Random(1000 + trial)
    proc = _spawn(tmp_path, f"run{trial}")
    last_ack = _kill_after(proc, rng.uniform(0.05, 1.5))
    assert last_ack >= 0, "the logger acknowledged nothing before it was killed"

    store = LocalStore(tmp_path)
    meta = store.run("kill", f"run{trial}")
    assert meta["state"] == "crashed"
    rows = list(merged(store.rows("kill", f"run{trial}")[0]))
    steps = [r["_step"] for r in rows]
    # Every acknowledged step is there, once, with its values; at most one more that
    # was written but not yet acknowledged when the kill landed.
    assert steps == list(range(len(steps)))
    assert last_ack + 1 <= len(steps) <= last_ack + 2
    for r in rows:
        assert r["i"] == r["_step"] and r["nested/sq"] == r["i"] ** 2
    assert meta["summary"]["i"] == steps[-1]
    assert (last_ack // 97) * 97 <= meta["summary"]["checkpoint"] <= steps[-1]


def test_crashed_run_can_be_resumed_and_keeps_counting(tmp_path: Path) -> None:
    proc = _spawn(tmp_path, "again")
    _kill_after(proc, 0.3)
    store = LocalStore(tmp_path)
    before = len(list(merged(store.rows("kill", "again")[0])))

    code = textwrap.dedent(
        """
        import sys, wbnb
        run = wbnb.init(project="kill", id="again", dir=sys.argv[1], resume="must", settings={"silent": True})
        assert run.resumed and run.step > 0, run.step
        wbnb.log({"i": -1})
        wbnb.finish()
        """
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = list(merged(store.rows("kill", "again")[0]))
    assert len(rows) == before + 1
    assert rows[-1]["_step"] == before and rows[-1]["i"] == -1
    assert store.run("kill", "again")["state"] == "finished"


@pytest.mark.filterwarnings("error::wbnb.store.wal.DamageWarning")  # a live log is not damaged
def test_reader_sees_a_growing_run_without_torn_records(tmp_path: Path) -> None:
    proc = _spawn(tmp_path, "live")
    store = LocalStore(tmp_path)
    seen: list[tuple] = []
    cursor, polls = None, 0

    def read_more() -> bool:
        nonlocal cursor, polls
        rows, cursor = store.rows("kill", "live", cursor=cursor)
        seen.extend(rows)
        polls += 1
        assert store.run("kill", "live")["state"] == "running"  # the writer is alive
        return polls > 10 and len(seen) > 100

    try:
        wait_for(read_more, what="more than 100 rows over more than 10 reads")
    finally:
        proc.kill()
        proc.wait()
    steps = [r[1] for r in seen]
    assert polls > 10 and len(steps) > 100
    assert steps == list(range(len(steps)))  # none skipped: a record being copied is read on the next poll
    assert all(values[0] == step for _, step, _, _, values in seen)


def test_several_processes_log_to_one_store_at_once(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, numpy as np, wbnb
        n = int(sys.argv[2])
        wbnb.init(project="many", id=f"p{n}", dir=sys.argv[1], settings={"silent": True})
        shared = np.full((16, 16, 3), 7, dtype=np.uint8)  # the same bytes from every process
        for i in range(2000):
            wbnb.log({"i": i, "who": n})
            if i % 500 == 0:
                wbnb.log({"img": wbnb.Image(shared)}, commit=False)
        wbnb.finish()
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), str(n)], env=env) for n in range(4)]
    assert [p.wait() for p in procs] == [0, 0, 0, 0]
    store = LocalStore(tmp_path)
    assert sorted(m["id"] for m in store.runs("many")) == ["p0", "p1", "p2", "p3"]
    for n in range(4):
        rows = list(merged(store.rows("many", f"p{n}")[0]))
        assert [r["i"] for r in rows] == list(range(2000)) and {r["who"] for r in rows} == {n}
        assert store.run("many", f"p{n}")["state"] == "finished"
    media = list((tmp_path / "media").rglob("*.png"))
    assert len(media) == 1, "identical images from four processes are stored once"


def test_store_that_cannot_be_created_fails_init_clearly(tmp_path: Path) -> None:
    import wbnb

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(wbnb.StoreError, match="cannot write runs to .*a-file.*WBNB_DIR"):
        wbnb.init(project="p", dir=blocker / "store", settings={"silent": True})
    assert wbnb.run is None


def test_disk_full_at_init_fails_init_clearly(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import resource, signal, sys, wbnb
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 << 10, 16 << 10))  # no room for a log window
        try:
            wbnb.init(project="full", dir=sys.argv[1], settings={"silent": True})
        except wbnb.StoreError as e:
            print("StoreError:", e)
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert "StoreError: cannot write runs to" in res.stdout and "WBNB_DIR" in res.stdout


def test_disk_full_mid_run_keeps_logging_and_finish_reports_it(tmp_path: Path) -> None:
    # RLIMIT_FSIZE makes the kernel refuse to grow files past a size, exactly as a
    # full disk refuses blocks: the log's next window cannot be allocated.
    code = textwrap.dedent(
        """
        import resource, signal, sys, warnings, wbnb
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        run = wbnb.init(project="full", id="r", dir=sys.argv[1], settings={"silent": True, "system_interval": 0})
        resource.setrlimit(resource.RLIMIT_FSIZE, (6 << 20, 6 << 20))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(200_000):
                wbnb.log({"i": i, "pad": "x" * 40})
        ours = [w for w in caught if "cannot write history rows" in str(w.message)]
        print("warnings", len(ours), file=sys.stderr)
        wbnb.finish(quiet=True)
        print("loop survived", file=sys.stderr)
        """
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "warnings 1" in res.stderr, res.stderr  # warned once, not per step
    assert "loop survived" in res.stderr
    assert "history rows could not be saved" in res.stderr  # finish() says what was lost
    rows = list(merged(LocalStore(tmp_path).rows("full", "r")[0]))
    assert 0 < len(rows) < 200_000
    assert [r["i"] for r in rows] == list(range(len(rows)))  # what was saved is intact


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# A writer resuming a run: it takes the run's lock, then opens the logs; run.json still
# names the dead writer before it until the new one writes its own.
RESUMER = textwrap.dedent(
    """
    import fcntl, os, sys
    from wbnb.store.wal import LogWriter, encode
    d = sys.argv[1]
    lock = os.open(os.path.join(d, "lock"), os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    logs = [LogWriter(os.path.join(d, f"{s}.wal")) for s in ("history", "system", "events", "console")]
    print("locked", flush=True)
    sys.stdin.readline()  # a reader looks at the run now
    for i in range(20_000):  # through several windows of the log
        logs[2].append(encode({"kind": "note", "i": i}))
    for log in logs:
        log.close()
    print("done", flush=True)
    """
)


def test_a_reader_never_recovers_a_run_whose_lock_a_resuming_writer_holds(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    writer = store.open_run("p", "r", {"project": "p", "id": "r"}, None)
    writer.log_event({"kind": "note", "i": -1})
    writer.close("finished")
    d = store.run_dir("p", "r")
    meta = json.loads((d / "run.json").read_text())
    (d / "run.json").write_text(json.dumps({**meta, "state": "running", "pid": _dead_pid()}))  # a writer that died

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", RESUMER, str(d)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    try:
        assert proc.stdout.readline() == b"locked\n"
        sizes = {p.name: p.stat().st_size for p in d.glob("*.wal")}
        assert store.run("p", "r")["state"] == "running"  # the lock is held: the run is not the reader's to end
        assert {p.name: p.stat().st_size for p in d.glob("*.wal")} == sizes  # nothing trimmed under the writer
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == b"done\n"
    finally:
        proc.stdin.close()
        assert proc.wait() == 0  # no SIGBUS
    assert [e["i"] for e in read_records(d / "events.wal")[0]] == list(range(-1, 20_000))
    assert store.run("p", "r")["state"] == "crashed"  # its lock free now: the reader recovers it


def test_a_dead_writers_run_is_recovered_once_a_spawning_childs_copy_of_its_lock_goes(tmp_path: Path) -> None:
    # A writer killed while it spawns a subprocess (git, for its metadata) leaves the child a
    # copy of its lock until that child execs: a reader must not take the run for live.
    run = tmp_path / "projects" / "p" / "r"
    run.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that is gone
    meta = {"id": "r", "project": "p", "state": "running", "pid": dead.pid, "host": socket.gethostname()}
    (run / "run.json").write_text(json.dumps(meta))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(run / "lock")], stdout=subprocess.PIPE, stdin=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline() == b"held\n"
        threading.Timer(0.3, holder.stdin.close).start()  # the child execs: its copy goes
        assert LocalStore(tmp_path).run("p", "r")["state"] == "crashed"
    finally:
        holder.kill()
        holder.wait()


HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.read()
    """
)


# A training process with a forked worker (a DataLoader, multiprocessing) that outlives it.
FORKER = textwrap.dedent(
    """
    import os, sys, time, wbnb
    wbnb.init(project="p", id="r", dir=sys.argv[1], settings={"silent": True, "system_interval": 0})
    wbnb.log({"i": 1})
    if os.fork() == 0:
        time.sleep(600)  # the worker lives on, holding the fds it inherited
        os._exit(0)
    print("forked", flush=True)
    time.sleep(600)
    """
)


def test_a_forked_child_does_not_keep_its_dead_parents_run_running(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", FORKER, str(tmp_path)], stdout=subprocess.PIPE, env=env, start_new_session=True
    )
    try:
        assert proc.stdout.readline() == b"forked\n"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert LocalStore(tmp_path).run("p", "r")["state"] == "crashed"  # the child does not hold the lock
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the child too


def test_side_streams_from_several_threads_lose_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    writer = store.open_run("p", "r", {"project": "p", "id": "r"}, None)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(2000):
                writer.log_console("stdout", f"{t}:{i}", 1.0)
                writer.log_event({"kind": "note", "t": t, "i": i})
                writer.log_system(1.0, 1.0, {f"cpu{t}": float(i)})
                if i % 100 == 0:
                    writer.save_meta(**{f"key{t}": i, f"other{t}": {"n": i}})
        except BaseException as e:
            errors.append(e)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: any race shows
    try:
        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(switch)
    assert not errors and writer.close("finished") == []
    lines = {c["line"] for c in store.records("p", "r", "console")[0]}
    assert lines == {f"{t}:{i}" for t in range(4) for i in range(2000)}
    assert len(store.records("p", "r", "events")[0]) == 8000
    assert [r[1] for r in store.rows("p", "r", "system")[0]] == list(range(8000))
    meta = store.run("p", "r")
    assert all(meta[f"key{t}"] == 1900 for t in range(4))


def test_a_full_disk_is_retried_after_growing_pauses_not_on_every_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalStore(tmp_path)
    writer = store.open_run("p", "r", {"project": "p", "id": "r"}, None)
    real = os.posix_fallocate
    tries = []

    def full(fd: int, offset: int, length: int) -> None:
        tries.append(length)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "posix_fallocate", full)
    with pytest.warns(RuntimeWarning, match="cannot write history rows"):
        for step in range(20_000):
            writer.log_row(step, 1.0, 0.0, ("loss", "pad"), [0.5, "x" * 40])
    assert 0 < len(tries) < 100  # a failed allocation costs ~2 ms: not one per record
    saved = len(store.rows("p", "r")[0])
    assert 0 < saved < 20_000

    monkeypatch.setattr(os, "posix_fallocate", real)  # room again: logging resumes after a pause
    step = 20_000

    def logged_again() -> bool:
        nonlocal step
        writer.log_row(step, 1.0, 0.0, ("loss", "pad"), [0.5, "x" * 40])
        step += 1
        return len(store.rows("p", "r")[0]) > saved

    wait_for(logged_again, what="a row saved once the disk has room")
    problems = writer.close("finished")
    assert len(problems) == 1 and problems[0].startswith(f"{step - 1 - saved} history rows could not be saved")
