"""The store's building blocks: framing, torn tails, cursors, columns and sampling."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from wbnb.store.colread import read_columns
from wbnb.store.columns import columns, numeric_arrays
from wbnb.store.local import LocalStore
from wbnb.store.media import MediaStore
from wbnb.store.names import check_name
from wbnb.store.rowcodec import RowWriter
from wbnb.store.rowread import Cursor, merged, read_rows
from wbnb.store.wal import HEADER, DamageWarning, LogWriter, decode_frames, encode, read_records


def write_rows(path: Path, rows: list[tuple[int, dict]], window: int = 1 << 16) -> None:
    w = RowWriter(LogWriter(path, window=window))
    for step, row in rows:
        w.append(step, 1000.0 + step, float(step), tuple(row), row.values())
    w.log.close()


def test_records_survive_window_changes_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "log.wal"
    w = LogWriter(path, window=4096)  # many window changes, records larger than some windows
    payloads = [{"i": i, "pad": "x" * (i % 50) * 100} for i in range(300)]
    for p in payloads:
        w.append(encode(p))
    assert read_records(path)[0] == payloads  # readable while the writer is open
    w.close()
    assert decode_frames(path.read_bytes()).end == os.path.getsize(path)  # padding trimmed
    w = LogWriter(path)  # reopen (resume) appends after what is there
    w.append(encode({"i": "again"}))
    w.close()
    assert read_records(path)[0] == [*payloads, {"i": "again"}]


def test_torn_tail_is_invisible_and_cursor_resumes(tmp_path: Path) -> None:
    path = tmp_path / "log.wal"
    w = LogWriter(path)
    for i in range(10):
        w.append(encode({"i": i}))
    w.close()
    good = path.read_bytes()
    records, cursor = read_records(path)
    assert len(records) == 10 and cursor == len(good)
    # A record cut short mid-copy: the header is there, the payload is partial.
    torn = encode({"i": 10, "long": "y" * 100})
    from zlib import crc32

    from wbnb.store.wal import HEADER

    cut = good + HEADER.pack(len(torn), crc32(torn)) + torn[:20]
    path.write_bytes(cut + b"\0" * 50)
    assert read_records(path, cursor) == ([], cursor)  # not damage: the next poll may find it whole
    assert len(read_records(path)[0]) == 10
    with pytest.warns(DamageWarning, match=f"skipped 28 bytes at byte {len(good)}"):  # header + 20 bytes
        w = LogWriter(path)  # the next writer keeps the torn record and carries on after it
    w.append(encode({"i": 10}))
    w.close()
    assert path.read_bytes().startswith(cut)
    assert [r["i"] for r in read_records(path)[0]] == list(range(11))
    assert read_records(path, cursor)[0] == [{"i": 10}]


def test_row_cursor_reads_only_new_rows_and_keeps_schemas(tmp_path: Path) -> None:
    path = tmp_path / "history.wal"
    log = LogWriter(path)
    w = RowWriter(log)
    w.append(0, 1.0, 0.0, ("a",), [1])
    rows, cursor = read_rows(path)
    w.append(1, 2.0, 1.0, ("a",), [2])  # the schema was declared before the cursor
    w.append(2, 3.0, 2.0, ("b", "c"), ["x", None])
    new, cursor = read_rows(path, cursor)
    assert [(r[0], r[1], r[4]) for r in new] == [(("a",), 1, (2,)), (("b", "c"), 2, ("x", None))]
    assert read_rows(path, cursor)[0] == []
    log.close()
    assert isinstance(cursor, Cursor) and cursor.offset == os.path.getsize(path)


def test_numeric_block_matches_general_path(tmp_path: Path) -> None:
    rows = [(i, {"loss": 1.0 / (i + 1), "epoch": i // 10, "nan": math.nan}) for i in range(100)]
    write_rows(tmp_path / "fast.wal", rows)
    fast = read_columns(tmp_path / "fast.wal")
    assert isinstance(fast["loss"], np.ndarray) and fast["epoch"].dtype == np.int64
    general = columns(read_rows(tmp_path / "fast.wal")[0])
    for key, values in general.items():
        np.testing.assert_array_equal(np.asarray(fast[key], dtype=float), np.asarray(values, dtype=float))


def _general_columns(path: Path) -> dict:
    """read_columns by decoding every record (the fixed-layout path switched off, no cache)."""
    from wbnb.store import colread

    fixed = colread.fixed_runs
    colread.fixed_runs = lambda *args: None
    try:
        return read_columns(path, cache=False)
    finally:
        colread.fixed_runs = fixed


def _reference_columns(path: Path) -> dict:
    """What read_columns means, by its plainest path: every row decoded, merged, typed."""
    return numeric_arrays(columns(read_rows(path)[0]))


def _assert_same_columns(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for key in a:
        if isinstance(b[key], np.ndarray):
            assert isinstance(a[key], np.ndarray) and a[key].dtype == b[key].dtype, key
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] == b[key], key


@pytest.mark.parametrize(
    "case",
    [
        "one_schema",
        "ints_then_floats",
        "float_first",
        "schemas",
        "schemas_often",
        "nan_inf",
        "strings",
        "merged_steps",
        "big_ints",
        "alternating",
        "empty",
        "bool_later",
        "numeric_string",
        "none_later",
        "huge_int",
    ],
)
def test_fixed_layout_columns_match_decoding_every_record(tmp_path: Path, case: str) -> None:
    rng = np.random.default_rng(0)
    n = 5000  # > 4096: runs this long have their checksums computed by table
    rows: list[tuple[int, dict]] = {
        "one_schema": [(i, {"loss": float(rng.random()), "epoch": i // 100}) for i in range(n)],
        "ints_then_floats": [(i, {"x": i if i < n // 2 else i + 0.5}) for i in range(n)],
        "float_first": [(i, {"x": 2.0 if i == 0 else i}) for i in range(n)],
        "schemas": [
            (i, {"loss": float(i)} if i % 500 else {"loss": 1.0, "val/acc": i // 10, "t": 0.5}) for i in range(n)
        ],
        "schemas_often": [(i, {"loss": float(i)} if i % 10 else {"loss": 1, "val/acc": i // 10}) for i in range(n)],
        "nan_inf": [(i, {"y": [math.nan, math.inf, -1.5][i % 3], "k": i}) for i in range(n)],
        "strings": [(i, {"y": float(i), "s": "a" if i == n - 5 else 1.0}) for i in range(n)],
        "merged_steps": [(i // 2, {"a" if i % 2 else "b": float(i)}) for i in range(n)],
        "big_ints": [(i, {"y": 2**40 if i == 7 else i}) for i in range(n)],
        "alternating": [(i, {"y": i if i % 2 else float(i)}) for i in range(n)],
        "bool_later": [(i, {"y": True if i == n - 3 else 1.0, "k": i}) for i in range(n)],  # a list, not 1.0
        "numeric_string": [(i, {"y": "1.5" if i == 7 else 0.5}) for i in range(n)],  # a list, not 1.5
        "none_later": [(i, {"y": None if i == 9 else i}) for i in range(n)],
        "huge_int": [(i, {"y": 2**70 if i == 9 else i}) for i in range(n)],  # past int64: a list
        "empty": [],
    }[case]
    path = tmp_path / "h.wal"
    write_rows(path, rows, window=1 << 14)
    _assert_same_columns(read_columns(path), _general_columns(path))
    _assert_same_columns(read_columns(path), _reference_columns(path))


def test_fixed_layout_columns_stop_at_padding_and_skip_a_torn_record(tmp_path: Path) -> None:
    path = tmp_path / "h.wal"
    log = LogWriter(path)
    w = RowWriter(log)
    for i in range(500):
        w.append(i, 1.0 + i, float(i), ("a", "b"), [float(i), i])
    live = path.read_bytes()  # read while the writer is open: zero padding after the last record
    assert len(live) > decode_frames(live).end
    assert list(read_columns(path)["_step"]) == list(range(500))
    log.close()
    good = path.read_bytes()
    frame = (len(good) - 8 - HEADER.unpack_from(good)[0]) // 500  # after the schema record
    last = good[-frame:]
    torn = last[:8] + bytes([last[8] ^ 0xFF]) + last[9:]  # a record whose checksum fails
    path.write_bytes(good + torn + last)  # a torn record with one after it: damage
    with pytest.warns(DamageWarning, match=f"skipped {frame} bytes at byte {len(good)}"):
        cols = read_columns(path)
    assert list(cols["_step"]) == list(range(500))
    _assert_same_columns(cols, _general_columns(path))


def test_fixed_layout_columns_skip_a_bad_checksum_in_a_long_run(tmp_path: Path) -> None:
    path = tmp_path / "h.wal"
    write_rows(path, [(i, {"a": i * 0.5, "b": i}) for i in range(20_000)])
    data = bytearray(path.read_bytes())
    frame = (len(data) - 8 - HEADER.unpack_from(data)[0]) // 20_000  # after the schema record
    at = len(data) - (20_000 - 12_345) * frame + 8 + 30  # a value byte of row 12345
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.warns(DamageWarning, match=f"skipped {frame} bytes"):
        cols = read_columns(path)
    assert list(cols["_step"]) == [*range(12_345), *range(12_346, 20_000)]
    _assert_same_columns(cols, _general_columns(path))


def test_general_path_merges_steps_and_keeps_gaps(tmp_path: Path) -> None:
    rows = [(0, {"a": 1}), (0, {"b": "x"}), (1, {"a": 2}), (2, {"b": "y", "img": {"_type": "image"}})]
    write_rows(tmp_path / "h.wal", rows)
    cols = read_columns(tmp_path / "h.wal")
    assert list(cols["_step"]) == [0, 1, 2]
    np.testing.assert_array_equal(cols["a"], [1.0, 2.0, np.nan])
    assert cols["b"] == ["x", None, "y"] and cols["img"] == [None, None, {"_type": "image"}]
    assert [r["_step"] for r in merged(read_rows(tmp_path / "h.wal")[0])] == [0, 1, 2]


def test_sampling_picks_whole_steps_evenly_with_first_and_last(tmp_path: Path) -> None:
    rows = []
    for step in range(1000):
        rows.append((step, {"loss": float(step)}))
        if step % 3 == 0:
            rows.append((step, {"extra": step}))  # commit=False style: same step, next record
    write_rows(tmp_path / "h.wal", rows)
    cols = read_columns(tmp_path / "h.wal", samples=50)
    steps = list(cols["_step"])
    assert len(steps) == 50 and steps[0] == 0 and steps[-1] == 999 and steps == sorted(steps)
    for i, step in enumerate(steps):
        assert cols["loss"][i] == step
        if step % 3 == 0:
            assert cols["extra"][i] == step  # the step's second record came along
    assert read_columns(tmp_path / "h.wal", samples=5000)["_step"].shape == (1000,)
    assert read_columns(tmp_path / "missing.wal", samples=10) == {}


def test_media_store_once_and_path_checks(tmp_path: Path) -> None:
    media = MediaStore(tmp_path)
    a = media.put(b"png bytes", "png")
    assert media.put(b"png bytes", ".PNG") == a and media.get(a) == b"png bytes"
    assert len(list((tmp_path / "media").rglob("*.png"))) == 1
    for bad in ("../etc/passwd", "media/../../x.png", "/abs/path.png", "media/zz/abc.png"):
        with pytest.raises(ValueError, match="not a media path"):
            media.get(bad)
    with pytest.raises(ValueError, match="extension"):
        media.put(b"x", "p/ng")


@pytest.mark.parametrize("name", ["", "..", "../up", "a/b", "x" * 200, "p\n", "abc\n", "a\nb"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="is not valid"):
        check_name("project", name)


def test_store_reads_of_missing_things(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "nowhere")
    assert store.projects() == [] and store.runs("p") == []
    with pytest.raises(KeyError, match="no run p/x"):
        store.run("p", "x")
    assert store.rows("p", "x")[0] == [] and store.records("p", "x", "events") == ([], 0)
    with pytest.raises(ValueError, match="stream must be one of"):
        store.rows("p", "x", stream="bogus")


def test_a_name_with_a_trailing_newline_names_no_run(tmp_path: Path) -> None:
    import wbnb

    with pytest.raises(ValueError, match="is not valid"):
        wbnb.init(project="p\n", dir=tmp_path, settings={"silent": True})
    with pytest.raises(ValueError, match="is not valid"):
        wbnb.init(project="p", id="abc\n", dir=tmp_path, settings={"silent": True})
    (tmp_path / "projects" / "p\n").mkdir(parents=True)
    (tmp_path / "projects" / "q" / "abc\n").mkdir(parents=True)
    (tmp_path / "projects" / "q" / "abc\n" / "run.json").write_text('{"id": "abc\\n", "project": "q"}')
    store = LocalStore(tmp_path)
    assert store.projects() == ["q"] and store.runs("q") == []
    with pytest.raises(ValueError, match="extension"):
        MediaStore(tmp_path).put(b"x", "png\n")


def test_preallocation_grows_with_the_log(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    writer = store.open_run("p", "r", {"project": "p", "id": "r"}, None)
    writer.log_row(0, 1.0, 0.0, ("loss",), [0.5])
    logs = [writer.dir / f"{name}.wal" for name in ("history", "system", "events", "console")]
    held = sum(os.stat(p).st_blocks * 512 for p in logs)
    assert held <= 4 * (64 << 10)  # not 4 x 4 MiB for an open run
    payload = ("x" * 1000,)
    for step in range(1, 3000):  # ~3 MB: the windows grow
        writer.log_row(step, 1.0, 0.0, ("s",), payload)
    data = writer._history.log.size  # where the next record goes
    assert os.stat(logs[0]).st_size <= 2 * data + (64 << 10)  # at most as much again as the log holds
    writer.close("finished")
    assert os.path.getsize(logs[0]) == decode_frames(logs[0].read_bytes()).end


def test_a_record_half_copied_while_read_is_read_again_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "log.wal"
    w = LogWriter(path)
    for i in range(3):
        w.append(encode({"i": i, "pad": "x" * 100}))
    w.close()
    whole = path.read_bytes()
    second = decode_frames(whole).offsets[1]
    # What a reader's read() may see while the writer copies record 1 and then appends
    # record 2 on a later page: the middle of record 1 not there yet, record 2 whole.
    seen = whole[: second + 20] + bytes(60) + whole[second + 80 :]
    assert decode_frames(seen).damaged == [(second, decode_frames(whole).offsets[2] - second)]
    frames = decode_frames(seen, reread=lambda offset, length: whole[offset : offset + length])
    assert [r["i"] for r in frames.records] == [0, 1, 2] and frames.damaged == []
