"""Damaged logs: every read path skips the same damage, says so once, and no reader,
resumed writer or crash recovery deletes a byte of a log (issue 13, findings 2 and 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from zlib import crc32

import pytest

import wbnb
from wbnb.api import Api
from wbnb.store import colcache
from wbnb.store.colread import read_columns
from wbnb.store.local import LocalStore
from wbnb.store.rowcodec import RowWriter
from wbnb.store.rowread import read_rows
from wbnb.store.wal import HEADER, LogWriter, encode, read_records

ROOT = Path(__file__).resolve().parents[1]
SMALL, BIG = 2_000, 40_000  # BIG logs pass 1 MiB: finish() leaves a columnar cache beside them


def frames(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each frame of an intact log, walked by its headers alone."""
    out, pos = [], 0
    while pos + 8 <= len(data):
        length = HEADER.unpack_from(data, pos)[0]
        if length == 0:
            break
        out.append((pos, 8 + length))
        pos += 8 + length
    return out


def row_frames(data: bytes) -> list[tuple[int, int]]:
    """The frames of row records (schema declarations left out)."""
    return [(o, n) for o, n in frames(data) if data[o + 8] == ord("(")]


def zero_page(data: bytearray) -> tuple[int, int]:
    """What a power cut leaves: a 4 KiB page in the middle of the log reads as zeros."""
    at = len(data) // 2 // 4096 * 4096
    data[at : at + 4096] = bytes(4096)
    return at, 4096


def flip_byte(data: bytearray) -> tuple[int, int]:
    """One flipped bit inside a value of the middle row."""
    rows = row_frames(bytes(data))
    at = rows[len(rows) // 2][0] + 8 + 30
    data[at] ^= 0x10
    return at, 1


DAMAGE: dict[str, Callable[[bytearray], tuple[int, int]]] = {"zero_page": zero_page, "flipped_byte": flip_byte}


def surviving_steps(data: bytes, hit: tuple[int, int]) -> list[int]:
    """The steps of the rows whose frames the damage does not touch (one row per step)."""
    a, b = hit[0], hit[0] + hit[1]
    return [i for i, (o, n) in enumerate(row_frames(data)) if o + n <= a or o >= b]


def log_finished_run(root: Path, n: int, run_id: str = "r") -> Path:
    run = wbnb.init(project="d", id=run_id, dir=root, settings={"silent": True, "system_interval": 0, "console": False})
    for i in range(n):
        run.log({"i": i, "x": i * 0.5})
    run.finish(quiet=True)
    return root / "projects" / "d" / run_id / "history.wal"


@pytest.fixture
def damage_warnings() -> Iterator[list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def damage_reports(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "damaged" in str(w.message)]


def every_path(root: Path, run_id: str = "r") -> dict[str, list[int]]:
    """The steps each read path finds in one run."""
    store = LocalStore(root)
    run = Api(store=store).run(f"d/{run_id}")
    path = store.run_dir("d", run_id) / "history.wal"
    follow, cursor = store.columns_to_follow("d", run_id)
    after, _ = store.rows("d", run_id, cursor=cursor)
    return {
        "scan_history": [r["_step"] for r in run.scan_history()],
        "history": [int(s) for s in run.history(samples=10**9)["_step"]],
        "history_rows": [r["_step"] for r in run.history(samples=10**9, pandas=False)],
        "history_keys": [int(s) for s in run.history(samples=10**9, keys=["i"])["_step"]],
        "rows": [r[1] for r in store.rows("d", run_id)[0]],
        "columns": [int(s) for s in store.columns("d", run_id)["_step"]],
        "columns_uncached": [int(s) for s in read_columns(path, cache=False)["_step"]],
        "columns_to_follow": [*map(int, follow.get("_step", [])), *(r[1] for r in after)],
    }


@pytest.mark.parametrize("n", [SMALL, BIG])
@pytest.mark.parametrize("how", list(DAMAGE))
def test_damage_in_a_finished_log_loses_only_its_rows_on_every_path(
    tmp_path: Path, how: str, n: int, damage_warnings: list
) -> None:
    path = log_finished_run(tmp_path, n)
    assert (n == BIG) == colcache.cache_path(path).exists()
    data = bytearray(path.read_bytes())
    intact = bytes(data)
    hit = DAMAGE[how](data)
    path.write_bytes(data)
    expected = surviving_steps(intact, hit)
    assert 0 < len(expected) < n and expected[0] == 0 and expected[-1] == n - 1

    for name, steps in every_path(tmp_path).items():
        assert steps == expected, name
    sampled = [int(s) for s in Api(store=LocalStore(tmp_path)).run("d/r").history(samples=50)["_step"]]
    assert len(sampled) == 50 and set(sampled) <= set(expected)
    # One warning, naming the file, where the damage starts and how much was skipped.
    (report,) = damage_reports(damage_warnings)
    assert str(path) in report and "skipped" in report and f"byte {row_start(intact, hit)}" in report
    assert path.read_bytes() == data  # nothing read it away


def row_start(data: bytes, hit: tuple[int, int]) -> int:
    """Where readers find the damage: the start of the first frame it touches."""
    for o, n in frames(data):
        if o + n > hit[0]:
            return o
    raise AssertionError("the damage is past the last frame")


def test_a_flipped_byte_in_the_last_record_of_a_finished_run_is_reported(tmp_path: Path, damage_warnings: list) -> None:
    path = log_finished_run(tmp_path, SMALL)
    data = bytearray(path.read_bytes())
    last = row_frames(bytes(data))[-1][0]
    data[last + 8 + 12] ^= 0x01
    path.write_bytes(data)
    for name, steps in every_path(tmp_path).items():
        assert steps == list(range(SMALL - 1)), name
    (report,) = damage_reports(damage_warnings)
    assert f"byte {last}" in report and str(path) in report  # not silently truncated
    assert path.read_bytes() == data


# A training loop that logs ``n`` steps, says so, and waits to be killed.
LOGGER = textwrap.dedent(
    """
    import sys, time, wbnb
    run = wbnb.init(project="d", id="r", dir=sys.argv[1], settings={"silent": True, "system_interval": 0})
    for i in range(int(sys.argv[2])):
        run.log({"i": i, "x": i * 0.5})
    print("logged", flush=True)
    time.sleep(600)
    """
)


def killed_run(root: Path, n: int) -> Path:
    """A run whose process was SIGKILLed after logging ``n`` steps (still marked running)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", LOGGER, str(root), str(n)], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"logged\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return root / "projects" / "d" / "r" / "history.wal"


def data_end(data: bytes) -> int:
    """Past the last byte that is not preallocated zero padding."""
    return len(data.rstrip(b"\0"))


@pytest.mark.parametrize("how", list(DAMAGE))
def test_resuming_a_damaged_run_keeps_every_byte_and_appends_after_them(
    tmp_path: Path, how: str, damage_warnings: list
) -> None:
    path = killed_run(tmp_path, 20_000)
    data = bytearray(path.read_bytes())
    intact = bytes(data)
    hit = DAMAGE[how](data)
    path.write_bytes(data)
    kept = data_end(bytes(data))
    expected = surviving_steps(intact, hit)

    run = wbnb.init(project="d", id="r", dir=tmp_path, resume="allow", settings={"silent": True, "system_interval": 0})
    assert run.step == 20_000
    for i in range(10):
        run.log({"i": -i})
    run.finish(quiet=True)

    after = path.read_bytes()
    assert after[:kept] == data[:kept]  # the damaged bytes and everything before them are kept
    assert len(after) > kept
    for name, steps in every_path(tmp_path).items():
        assert steps == [*expected, *range(20_000, 20_010)], name
    assert len(damage_reports(damage_warnings)) == 1


def test_crash_recovery_of_a_damaged_log_trims_only_zero_padding(tmp_path: Path, damage_warnings: list) -> None:
    path = killed_run(tmp_path, 20_000)
    data = bytearray(path.read_bytes())
    intact = bytes(data)
    hit = flip_byte(data)
    path.write_bytes(data)
    kept = data_end(bytes(data))

    meta = LocalStore(tmp_path).run("d", "r")  # the reader that finds the writer dead recovers the run
    assert meta["state"] == "crashed" and meta["summary"]["i"] == 19_999 and meta["last_step"] == 19_999
    assert path.read_bytes() == bytes(data[:kept])  # the zero tail went, nothing else
    for name, steps in every_path(tmp_path).items():
        assert steps == surviving_steps(intact, hit), name
    assert len(damage_reports(damage_warnings)) == 1


def test_a_log_writer_reopening_a_log_keeps_damage_in_the_middle(tmp_path: Path, damage_warnings: list) -> None:
    path = tmp_path / "log.wal"
    w = LogWriter(path)
    for i in range(3000):
        w.append(encode({"i": i}))
    w.close()
    data = bytearray(path.read_bytes())
    intact = bytes(data)
    a, n = zero_page(data)
    path.write_bytes(data)
    w = LogWriter(path)
    w.append(encode({"i": "again"}))
    w.close()
    after = path.read_bytes()
    assert after[: len(data)] == data and len(after) > len(data)
    kept = [i for i, (o, size) in enumerate(frames(intact)) if o + size <= a or o >= a + n]
    assert [r["i"] for r in read_records(path)[0]] == [*kept, "again"]
    assert len(damage_reports(damage_warnings)) == 1


def append_frames(path: Path, payloads: list[bytes]) -> None:
    """Frames whose checksums hold, whatever their payload."""
    with open(path, "ab") as f:
        for p in payloads:
            f.write(HEADER.pack(len(p), crc32(p)) + p)


def test_frames_with_a_valid_checksum_but_no_valid_record_are_skipped(tmp_path: Path, damage_warnings: list) -> None:
    root = tmp_path
    path = log_finished_run(root, 100)
    append_frames(
        path,
        [
            b"{\xffgarbage",  # marshal cannot read it
            encode(42),  # not a record
            encode((0, 100)),  # a row too short for its schema
            encode((0, 100, 1.0, 1.0, 1, 2.0, 3)),  # a row too long for its schema
            encode((7, 100, 1.0, 1.0, 5)),  # a row of a schema never declared
            encode(([1], 100, 1.0, 1.0, 5)),  # a schema id that is no id
            encode((0, "100", 1.0, 1.0, 1, 2.0)),  # a step that is no int
            encode(["S", 0, ("other", "keys")]),  # a schema declared twice
            encode(["S", "x", 5]),  # a declaration of nothing
        ],
    )
    w = RowWriter(LogWriter(path), {("i", "x"): 0})
    for step in range(100, 110):
        w.append(step, 1.0, 1.0, ("i", "x"), [step, step * 0.5])
    w.log.close()
    for name, steps in every_path(root).items():
        assert steps == list(range(110)), name
    rows, _ = read_rows(path)
    assert all(keys == ("i", "x") for keys, *_ in rows)
    assert len(damage_reports(damage_warnings)) == 1


def test_event_and_console_records_that_are_not_records_are_skipped(tmp_path: Path, damage_warnings: list) -> None:
    store = LocalStore(tmp_path)
    meta = {"project": "d", "id": "r"}
    w = store.open_run("d", "r", meta, None)
    w.log_event({"kind": "alert", "title": "first", "t": 1.0})
    w.log_console("stdout", "one", 1.0)
    w.close("finished")
    d = store.run_dir("d", "r")
    for name in ("events", "console"):
        append_frames(d / f"{name}.wal", [encode(42), encode(["not", "a", "record"]), b"{garbage"])
    w = store.open_run("d", "r", meta, "allow")  # goes on after what it finds
    w.log_event({"kind": "alert", "title": "second", "t": 2.0})
    w.log_console("stdout", "two", 2.0)
    w.close("finished")
    run = Api(store=store).run("d/r")
    assert [e["title"] for e in run.events()] == ["first", "second"]
    assert [c["line"] for c in run.console()] == ["one", "two"]
    assert len(damage_reports(damage_warnings)) == 2  # one per damaged file
