"""The columnar cache of row logs (``store/colcache.py``, ``colread.read_columns``): what
a read through a cache returns is what decoding the whole log returns, for finished
logs, logs still being written, logs grown past their cache, damaged caches, and every
kind of value the columns hold."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.test_store import _assert_same_columns, _general_columns, _reference_columns
from tests.waiting import wait_for
from wbnb.store import colcache, colread
from wbnb.store.colread import compact, read_columns, read_columns_to_follow
from wbnb.store.columns import columns, concat_columns, numeric_arrays
from wbnb.store.rowcodec import RowWriter
from wbnb.store.rowread import Cursor, known_schemas, read_rows
from wbnb.store.wal import DamageWarning, LogWriter

Rows = list[tuple[int, dict[str, Any]]]


@pytest.fixture(autouse=True)
def _cache_small_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(colread, "COMPACT_MIN_BYTES", 0)  # test logs are small


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Bytes of log each read decodes (the cache saves the rest)."""
    sizes: list[int] = []
    decode = colread._decode

    def spy(data: bytes, *args: Any) -> Any:
        sizes.append(len(data))
        return decode(data, *args)

    monkeypatch.setattr(colread, "_decode", spy)
    return sizes


class Log:
    """A row log being written, as a run writes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        known = known_schemas(path)[0] if path.exists() else None  # resuming
        self.writer = RowWriter(LogWriter(path, window=1 << 14), known)

    def add(self, rows: Rows) -> Log:
        for step, row in rows:
            self.writer.append(step, 1000.0 + step, float(step), tuple(row), row.values())
        return self

    def close(self) -> None:
        self.writer.log.close()


def _same_as_log(path: Path, **kw: Any) -> dict[str, Any]:
    """read_columns through the cache, checked against decoding the log alone."""
    cols = read_columns(path, **kw)
    _assert_same_columns(cols, read_columns(path, cache=False))
    _assert_same_columns(cols, _general_columns(path))
    _assert_same_columns(cols, _reference_columns(path))
    return cols


def _numbers(steps: range) -> Rows:
    return [(i, {"loss": 1.0 / (i + 1), "epoch": i // 10}) for i in steps]


def test_a_finished_log_is_read_from_its_cache_alone(tmp_path: Path, decoded: list[int]) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(3000)))
    log.close()
    compact(log.path)  # what the writer does when it closes the run
    cache = colcache.cache_path(log.path)
    assert cache.exists() and colcache.load(log.path).covers == os.path.getsize(log.path)
    decoded.clear()
    cols = _same_as_log(log.path, complete=True)
    assert decoded[0] == 0  # nothing after the cache
    assert cols["epoch"].dtype == np.int64 and list(cols["_step"]) == list(range(3000))
    cols["loss"][0] = -1.0  # arrays over the file are private copies-on-write
    assert read_columns(log.path, complete=True)["loss"][0] == 1.0


def test_a_finished_log_without_a_cache_gets_one_on_its_first_read(tmp_path: Path, decoded: list[int]) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(2000)))
    log.close()
    _same_as_log(log.path, complete=True)
    assert colcache.load(log.path).covers == os.path.getsize(log.path)
    decoded.clear()
    _same_as_log(log.path, complete=True)
    assert decoded[0] == 0


def test_writing_a_cache_removes_temp_files_of_killed_writers_only(tmp_path: Path) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(2000)))
    log.close()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = colcache.cache_path(log.path)
    orphan = path.with_name(f".{path.name}.{dead.pid}.1.tmp")  # a writer killed mid-write
    alive = path.with_name(f".{path.name}.{os.getpid()}.99.tmp")  # one being written now
    orphan.write_bytes(b"half")
    alive.write_bytes(b"half")
    _same_as_log(log.path, complete=True)  # writes the cache
    assert path.exists() and not orphan.exists() and alive.exists()


def test_a_live_log_is_cached_up_to_its_last_step_and_read_with_its_tail(tmp_path: Path, decoded: list[int]) -> None:
    log = Log(tmp_path / "history.wal")
    # Two records per step (commit=False style), and the last step is still being logged.
    log.add([(i // 2, {"a" if i % 2 else "b": float(i)}) for i in range(2001)])
    first = _same_as_log(log.path)
    assert first["_step"][-1] == 1000 and np.isnan(first["a"][-1])
    cached = colcache.load(log.path)
    assert cached.rows == 1000 and cached.cols["_step"][-1] == 999  # not the unfinished step
    log.add([(1000, {"a": 7.0})])  # the rest of step 1000 arrives after the cache was made
    decoded.clear()
    cols = _same_as_log(log.path)
    assert cols["a"][-1] == 7.0 and cols["b"][-1] == 2000.0
    assert decoded[0] == os.path.getsize(log.path) - cached.covers  # only what follows the cache was read
    tail, _ = read_rows(log.path, Cursor(cached.covers, cached.schemas))
    assert [(r[1], r[0]) for r in tail] == [(1000, ("b",)), (1000, ("a",))]  # the records of the last step
    log.close()


def test_a_log_grown_past_its_cache(tmp_path: Path, decoded: list[int]) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(4000)))
    _same_as_log(log.path)
    covers = colcache.load(log.path).covers
    log.add(_numbers(range(4000, 4500)))  # grows by an eighth: the cache is kept, the tail decoded
    decoded.clear()
    _same_as_log(log.path)
    assert decoded[0] == os.path.getsize(log.path) - covers
    assert colcache.load(log.path).covers == covers
    log.add(_numbers(range(4500, 6000)))  # by more than a quarter: a new cache
    _same_as_log(log.path)
    assert colcache.load(log.path).covers > covers
    log.close()
    compact(log.path)
    assert colcache.load(log.path).covers == os.path.getsize(log.path)
    _same_as_log(log.path, complete=True)


def _damage(cache: Path, how: str, other: Path) -> None:
    data = bytearray(cache.read_bytes())
    if how == "column_byte":
        data[-20] ^= 0x40
    elif how == "header_byte":
        data[len(colcache.MAGIC) + 12] ^= 0x01
    elif how == "truncated":
        del data[len(data) // 2 :]
    elif how == "empty":
        data = bytearray()
    elif how == "garbage":
        data = bytearray(os.urandom(len(data)))
    elif how == "another_logs":
        data = bytearray(colcache.cache_path(other).read_bytes())
    cache.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["column_byte", "header_byte", "truncated", "empty", "garbage", "another_logs"])
def test_a_damaged_or_foreign_cache_is_ignored_and_rewritten(tmp_path: Path, how: str) -> None:
    other = Log(tmp_path / "other.wal").add([(i, {"loss": 2.0 * i, "epoch": i}) for i in range(1000)])
    other.close()
    compact(other.path)
    log = Log(tmp_path / "history.wal").add(_numbers(range(1000)))
    log.close()
    compact(log.path)
    _damage(colcache.cache_path(log.path), how, other.path)
    assert colcache.load(log.path) is None
    cols = _same_as_log(log.path, complete=True)
    assert cols["loss"][1] == 0.5
    assert colcache.load(log.path) is not None  # the read left a good one


def test_a_cache_read_again_skips_its_column_checksums_until_the_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(1000)))
    log.close()
    compact(log.path)
    sums: list[int] = []
    real = colcache.crc32
    monkeypatch.setattr(colcache, "crc32", lambda data: sums.append(len(data)) or real(data))
    monkeypatch.setattr(colcache, "_SUMS", {})  # as a process that did not write the cache
    first = colcache.load(log.path)
    checked = len(sums)
    assert checked == 2 + len(first.cols)  # the header, the stretch of log it covers, then every column
    again = colcache.load(log.path)
    assert len(sums) == checked + 1  # the header only
    assert {k: list(v) for k, v in again.cols.items()} == {k: list(v) for k, v in first.cols.items()}
    cache = colcache.cache_path(log.path)
    st = cache.stat()
    _damage(cache, "column_byte", log.path)  # in place: the same inode and size, a later mtime
    os.utime(cache, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert colcache.load(log.path) is None


def test_a_cache_of_a_longer_or_different_log_is_ignored(tmp_path: Path) -> None:
    log = Log(tmp_path / "history.wal").add(_numbers(range(1000)))
    log.close()
    data = log.path.read_bytes()
    compact(log.path)
    log.path.write_bytes(data[: len(data) // 2])  # the log is now shorter than what the cache covers
    assert colcache.load(log.path) is None
    with pytest.warns(DamageWarning, match="skipped"):  # it ends in the middle of a record
        assert len(_same_as_log(log.path, complete=True)["_step"]) < 1000
    log.path.write_bytes(data)
    compact(log.path)
    assert colcache.load(log.path).covers == len(data)
    changed = bytearray(data)
    changed[-5] ^= 0x01  # same length, another last record (a checksum the reader will refuse)
    log.path.write_bytes(bytes(changed))
    assert colcache.load(log.path) is None
    with pytest.warns(DamageWarning, match="skipped"):
        assert len(_same_as_log(log.path, complete=True)["_step"]) == 999


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise PermissionError(13, "read-only store")

    monkeypatch.setattr(colcache, "save", refuse)
    log = Log(tmp_path / "history.wal").add(_numbers(range(500)))
    log.close()
    _same_as_log(log.path, complete=True)
    compact(log.path)
    assert not colcache.cache_path(log.path).exists()


def _two_parts(row: Any, n: int = 500, more: int = 100, per_step: int = 1) -> tuple[Rows, Rows]:
    """``n`` records ``row(i)`` to cache, then ``more`` (``per_step`` records a step)."""
    return ([(i // per_step, row(i)) for i in range(n)], [(i // per_step, row(i)) for i in range(n, n + more)])


# Each case: the records before the cache is made, and those after it.
CASES: dict[str, tuple[Rows, Rows]] = {
    "numbers": _two_parts(lambda i: {"loss": 1.0 / (i + 1), "epoch": i // 10}),
    "ints_then_floats": _two_parts(lambda i: {"x": i if i < 500 else i + 0.5}),
    "floats_then_ints": _two_parts(lambda i: {"x": i + 0.5 if i < 500 else i}),
    "new_key_later": _two_parts(lambda i: {"loss": 0.1} if i < 500 else {"loss": 0.1, "val/acc": i}),
    "key_stops": _two_parts(lambda i: {"loss": 0.1, "lr": i} if i < 500 else {"loss": 0.2}),
    "mixed_schemas": _two_parts(
        lambda i: (
            ({"loss": 1.0} if i % 7 else {"loss": 2, "val": i}) if i < 500 else {"val": 3.0} if i % 3 else {"loss": 1}
        )
    ),
    "nan_inf_none": _two_parts(
        lambda i: {"y": [math.nan, math.inf, None, 1.5][i % 4] if i < 500 else [None, -math.inf][i % 2]}
    ),
    "strings_in_cache": _two_parts(lambda i: {"s": "a" if i == 3 else i}),
    "strings_in_tail_after_ints": _two_parts(lambda i: {"s": i if i < 500 else f"v{i}"}),
    "strings_in_tail_after_floats": _two_parts(lambda i: {"s": i / 2 if i < 500 else "x"}),
    "strings_in_tail_after_gaps": _two_parts(lambda i: ({"s": 1.0} if i % 2 else {"t": 1}) if i < 500 else {"s": "x"}),
    "bools": _two_parts(lambda i: {"b": i % 2 == 0, "y": 1.0} if i < 500 else {"b": True, "y": 2}),
    "big_ints": _two_parts(lambda i: {"n": 2**70 + i if i == 10 else i}),
    "media": _two_parts(
        lambda i: {"img": {"_type": "image", "path": f"m/{i % 7}.png"}, **({"y": 0.5} if i % 5 else {})}
    ),
    "merged_steps": _two_parts(lambda i: {f"k{i % 3}": float(i) if i < 1500 else i}, 1500, 300, per_step=3),
}


@pytest.mark.parametrize("live", [False, True], ids=["finished", "live"])
@pytest.mark.parametrize("case", list(CASES))
def test_cache_and_tail_read_as_the_whole_log(tmp_path: Path, case: str, live: bool) -> None:
    before, after = CASES[case]
    log = Log(tmp_path / "history.wal").add(before)
    if live:
        _same_as_log(log.path)  # caches all but the last step of what is there
    else:
        log.close()
        compact(log.path)  # a finished run, cached whole...
        log = Log(log.path)  # ...resumed
    assert colcache.load(log.path) is not None
    log.add(after)
    _same_as_log(log.path)
    log.close()
    _same_as_log(log.path, complete=True)


def test_several_processes_read_and_cache_a_log_being_written(tmp_path: Path) -> None:
    """Readers in other processes read (and rewrite the cache of) a log while it grows;
    every read they make is a prefix of the final log's columns."""
    path = tmp_path / "history.wal"
    log = Log(path).add([(0, {"a": 0.0})])
    reader = textwrap.dedent(f"""
        import sys, numpy as np
        from wbnb.store import colread
        colread.COMPACT_MIN_BYTES = 0
        open(sys.argv[1] + ".ready", "w").close()
        reads = []
        while True:
            cols = colread.read_columns({str(path)!r})
            reads.append(cols)
            if cols["_step"][-1] >= 1999:
                break
        np.save(sys.argv[1], np.array([len(c["_step"]) for c in reads]))
        for i, c in enumerate(reads[::7]):
            np.savez(sys.argv[1] + f".{{i}}", **{{k: np.asarray(v, dtype=float) for k, v in c.items()}})
    """)
    out = [tmp_path / f"r{i}.npy" for i in range(2)]
    procs = [subprocess.Popen([sys.executable, "-c", reader, str(o)]) for o in out]
    wait_for(lambda: all(Path(f"{o}.ready").exists() for o in out), 60, "the readers to start")
    for step in range(1, 2000):  # some steps in two records
        log.add([(step, {"a": step * 0.5})])
        if step % 3 == 0:
            log.add([(step, {"b": step})])
        if step % 50 == 0:
            time.sleep(0.05)
    for p in procs:
        assert p.wait(timeout=120) == 0
    log.close()
    final = read_columns(path, cache=False)
    for o in out:
        lengths = np.load(o)
        assert lengths.min() < len(final["_step"]) == lengths[-1]  # it read while the log grew
        for snap in sorted(tmp_path.glob(o.name + ".*.npz")):
            got = np.load(snap)
            n = len(got["_step"])
            for key in final:
                want = np.asarray(final[key][:n], dtype=float)
                if key in got:
                    np.testing.assert_array_equal(got[key][: n - 1], want[: n - 1])  # the last step may grow
                else:
                    assert np.isnan(want[: n - 1]).all()
    _same_as_log(path, complete=True)


def test_a_run_is_cached_while_read_live_and_whole_when_it_finishes(store_dir: Path) -> None:
    import wbnb
    from wbnb.store.local import LocalStore

    run = wbnb.init(project="p")
    for i in range(3000):
        run.log({"loss": 1.0 / (i + 1), "acc": i})
    store = LocalStore(store_dir)
    path = store.run_dir("p", run.id) / "history.wal"
    assert len(store.columns("p", run.id)["_step"]) == 3000
    assert colcache.load(path).rows == 2999  # running: its last step may still get records
    run.log({"loss": 0.5}, commit=False)
    run.log({"acc": -1})  # ...and here they come
    run.finish()
    assert colcache.load(path).covers == os.path.getsize(path)  # finish() cached it whole
    cols = store.columns("p", run.id)
    _assert_same_columns(cols, read_columns(path, cache=False))
    assert cols["loss"][-1] == 0.5 and cols["acc"][-1] == -1 and len(cols["_step"]) == 3001
    df = wbnb.Api().run(f"p/{run.id}").history(samples=5000)  # more than there are: every step, read whole
    assert list(df.columns) == list(cols) and df["acc"].tolist() == cols["acc"].tolist()


@pytest.mark.parametrize("cache", [False, True], ids=["no_cache", "cache"])
@pytest.mark.parametrize("case", list(CASES))
def test_columns_to_follow_and_rows_after_them_read_as_the_whole_log(tmp_path: Path, case: str, cache: bool) -> None:
    """A reader following a live log starts from columns of every step but the last and
    reads on from its cursor: together, each step exactly once, as the whole log reads."""
    before, after = CASES[case]
    log = Log(tmp_path / "history.wal").add(before)
    if cache:
        _same_as_log(log.path)  # caches all but the last step of what is there
        assert colcache.load(log.path) is not None
    log.add(after[: len(after) // 2])
    cols, cursor = read_columns_to_follow(log.path)
    log.add(after[len(after) // 2 :])  # written while the reader looks at what it got
    rows, _ = read_rows(log.path, cursor)
    whole = read_columns(log.path, cache=False)
    last = whole["_step"][-1]
    assert list(cols["_step"]) == [s for s in whole["_step"] if s < cursor_step(rows, last)]
    tail = numeric_arrays(columns(rows))
    assert list(cols["_step"]) + list(tail["_step"]) == list(whole["_step"])  # no step twice, none lost
    joined = concat_columns([(cols, len(cols["_step"])), (tail, len(tail["_step"]))])
    if joined is not None:  # None: a column changes type across the join (ints, then strings)
        _assert_same_columns(joined, whole)
    log.close()


def cursor_step(rows: list[tuple], last: int) -> int:
    """The first step the rows after the cursor hold (past the end when none)."""
    return rows[0][1] if rows else last + 1


def test_columns_to_follow_of_a_missing_or_empty_log(tmp_path: Path) -> None:
    cols, cursor = read_columns_to_follow(tmp_path / "history.wal")
    assert cols == {} and cursor.offset == 0
    log = Log(tmp_path / "history.wal").add([(0, {"a": 1.0})])
    cols, cursor = read_columns_to_follow(log.path)
    assert cols == {} and read_rows(log.path, cursor)[0][0][1] == 0  # its one step may grow: left to the rows
    log.close()
