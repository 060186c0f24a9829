"""Nothing acknowledged is lost: SIGKILL, concurrent writers, live readers, full disks."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.waiting import wait_for
from wbnb.store.history import merged
from wbnb.store.local import LocalStore

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
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
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
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))  # no room for a log window
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
