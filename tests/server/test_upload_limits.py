"""What the uploader sends is bounded, and what a server refuses is left out alone.

Against a real ``wbnb server`` process (the folder backend: limits and refusals are
the app's, the same for both backends). Request sizes are measured by the server
itself: it is started with ``--max-body`` at the client's cap and answers 413 to any
body over it, and with ``--log-level info`` it logs every request with its status.
Every check reads the rows back from the server.
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import wbnb
from wbnb.store.remote import Connection, RemoteStore
from wbnb.store.wire import BATCH_BYTES, MAX_BODY, MiB
from wbnb.sync import sync

from .serverproc import ServerProcess, make_key

QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}
BATCHES = re.compile(r'"POST /api/v1/entities/team/projects/p/runs/[^/]+/batches HTTP/1.1" (\d{3})')


def start_server(tmp_path: Path, max_body: int, max_media: int | None = None) -> ServerProcess:
    root = tmp_path / f"root-{max_body}"
    return ServerProcess(root, max_body=max_body, max_media=max_media, log_level="info").start()


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {**QUIET, "WBNB_DIR": str(tmp_path / "spool")}.items():
        monkeypatch.setenv(name, value)
    yield


def log_in(server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> RemoteStore:
    """Point the SDK at ``server`` as entity ``team``; a reader of its runs."""
    key = make_key(server.root, "team")
    monkeypatch.setenv("WBNB_BASE_URL", server.url)
    monkeypatch.setenv("WBNB_API_KEY", key)
    return RemoteStore(Connection(server.url, key), "team")


def batch_statuses(server: ServerProcess) -> list[int]:
    """The status the server answered to each batch posted to it, in order."""
    return [int(status) for status in BATCHES.findall(server.log_path.read_text())]


def left_out_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "left out" in str(w.message)]


def test_the_server_default_is_above_the_client_cap() -> None:
    assert BATCH_BYTES < MAX_BODY <= 4 * BATCH_BYTES


def test_wide_rows_upload_in_batches_under_the_cap_exactly_once(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = np.random.default_rng(0).random((5000, 600))  # ~12 KB of JSON a row: ~60 MB in all
    keys = [f"layer{k:03d}/grad_norm" for k in range(600)]
    run = wbnb.init(project="p", mode="offline")
    for row in values:
        wbnb.log(dict(zip(keys, row.tolist())))
    run.finish()
    server = start_server(tmp_path, max_body=BATCH_BYTES)  # any batch over the cap is a 413
    try:
        store = log_in(server, monkeypatch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert sync().synced == [f"p/{run.id}"]
        assert not left_out_warnings(caught)
        statuses = batch_statuses(server)
        assert set(statuses) == {200}  # no body was over the cap
        assert len(statuses) >= 60 * 10**6 // BATCH_BYTES  # the rows went in several batches
        rows, _ = store.rows("p", run.id)
        assert [step for _, step, *_ in rows] == list(range(5000))
        assert all(row_keys == tuple(keys) for row_keys, *_ in rows)
        assert np.array_equal(np.array([row[4] for row in rows]), values)
        assert store.run("p", run.id)["state"] == "finished"
    finally:
        server.stop()


def test_a_record_over_the_client_cap_goes_alone(tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch) -> None:
    big = ["x" * (9 * MiB), "y" * (9 * MiB)]  # each over the cap, under the server's limit; together over it
    run = wbnb.init(project="p", mode="offline")
    for i in range(20):
        wbnb.log({"i": i, **({"text": big[i // 10]} if i in (5, 15) else {})})
    run.finish()
    server = start_server(tmp_path, max_body=MAX_BODY)
    try:
        store = log_in(server, monkeypatch)
        assert sync().synced == [f"p/{run.id}"]
        assert set(batch_statuses(server)) == {200}
        rows, _ = store.rows("p", run.id)
        assert [values[0] for _, _, _, _, values in rows] == list(range(20))
        assert [values[1] for _, step, _, _, values in rows if step in (5, 15)] == big
    finally:
        server.stop()


def test_a_server_with_a_small_limit_still_gets_everything(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(tmp_path, max_body=64 * 1024)
    try:
        store = log_in(server, monkeypatch)
        keys = [f"k{k}" for k in range(50)]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = wbnb.init(project="p")  # live: the uploader thread meets the limit
            for i in range(2000):  # ~1 KB a row: a batch of 1000 is ~1 MB
                wbnb.log(dict.fromkeys(keys, float(i)))
            run.finish()
        assert not [w for w in caught if "stopped" in str(w.message) or "left out" in str(w.message)]
        statuses = batch_statuses(server)
        assert 413 in statuses and statuses[-1] == 200  # it split what was too large
        rows, _ = store.rows("p", run.id)
        assert [step for _, step, *_ in rows] == list(range(2000))
        assert [values[0] for *_, values in rows] == [float(i) for i in range(2000)]
        assert store.run("p", run.id)["state"] == "finished"
    finally:
        server.stop()


def test_a_record_over_the_server_limit_is_left_out_once_and_the_rest_lands(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(tmp_path, max_body=1 * MiB)
    try:
        store = log_in(server, monkeypatch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = wbnb.init(project="p")
            for i in range(100):
                wbnb.log({"i": i, **({"text": "z" * (2 * MiB)} if i in (40, 70) else {})})
            run.finish()
        said = left_out_warnings(caught)
        assert len(said) == 1
        assert re.search(rf"history row 40 \(step 40\) of p/{run.id}: 2,097,\d+ bytes in one request", said[0])
        assert "limit of 1048576 bytes" in said[0]
        rows, _ = store.rows("p", run.id)
        assert len(rows) == 100  # each record once: those left out as empty stand-ins at their index
        assert [values[0] for keys, _, _, _, values in rows if keys] == [i for i in range(100) if i not in (40, 70)]
        assert [keys for keys, *_ in rows[40:41] + rows[70:71]] == [(), ()]
        assert store.run("p", run.id)["state"] == "finished"
        assert run.summary["i"] == 99
    finally:
        server.stop()


def _spool_with_refused_rows(bad: tuple[int, ...]) -> str:
    """An offline run of 100 steps whose rows at ``bad`` carry a reserved key, as an
    older SDK could have written them (``log()`` refuses that key now)."""
    run = wbnb.init(project="p", mode="offline")
    for i in range(100):
        if i in bad:
            run._writer.log_row(i, time.time(), 0.0, ("loss", "_step"), (i / 100, 1))
        else:
            wbnb.log({"loss": i / 100}, step=i)
    run.finish()
    return run.id


def test_a_row_the_server_refuses_is_said_once_and_the_rest_of_the_run_lands(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _spool_with_refused_rows(bad=(30, 60, 61))
    server = start_server(tmp_path, max_body=MAX_BODY)
    try:
        store = log_in(server, monkeypatch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            report = sync()
        assert not report.ok and report.synced == []  # a part of it is only in the spool: `wbnb sync` exits 1
        said = left_out_warnings(caught)
        assert len(said) == 1
        assert f"history row 30 (step 30) of p/{run_id}: history.rows[30]: key '_step' is reserved" in said[0]
        assert f"p/{run_id}): left out what the server refused (3 history); the first: history row 30" in (
            capsys.readouterr().err
        )
        assert "only the spool holds them: keep it" in report.not_synced[f"p/{run_id}"]
        assert batch_statuses(server).count(422) == 1  # the rows after it were checked here first
        rows, _ = store.rows("p", run_id)
        assert len(rows) == 100
        kept = [(step, values[0]) for keys, step, _, _, values in rows if keys]
        assert kept == [(i, i / 100) for i in range(100) if i not in (30, 60, 61)]
        assert store.run("p", run_id)["state"] == "finished"
        again = sync()
        assert again.ok and again.synced == []  # marked synced: nothing is sent twice
    finally:
        server.stop()


def test_a_live_run_goes_on_uploading_past_a_refused_row(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(tmp_path, max_body=MAX_BODY)
    try:
        store = log_in(server, monkeypatch)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = wbnb.init(project="p")
            for i in range(300):
                if i == 100:
                    run._writer.log_row(i, time.time(), 0.0, ("", "loss"), (0, i / 100))
                else:
                    wbnb.log({"loss": i / 100}, step=i)
            run.finish()
        said = left_out_warnings(caught)
        assert len(said) == 1 and "history row 100 (step 100)" in said[0] and "key '' is empty" in said[0]
        assert not [w for w in caught if "stopped" in str(w.message)]
        rows, _ = store.rows("p", run.id)
        assert len(rows) == 300
        assert [step for keys, step, *_ in rows if keys] == [i for i in range(300) if i != 100]
        assert store.run("p", run.id)["state"] == "finished"
    finally:
        server.stop()


def test_a_media_file_over_the_server_limit_is_left_out_once_and_the_rest_lands(
    tmp_path: Path, client: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(tmp_path, max_body=MAX_BODY, max_media=64 * 1024)
    try:
        store = log_in(server, monkeypatch)
        noise = np.random.default_rng(1).integers(0, 256, (256, 256, 3), dtype=np.uint8)  # ~200 KB as PNG
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run = wbnb.init(project="p")
            for i in range(50):
                wbnb.log({"i": i, **({"img": wbnb.Image(noise)} if i == 10 else {})})
            run.finish()
        said = left_out_warnings(caught)
        assert len(said) == 1 and "the media file media/" in said[0] and "over the server's limit" in said[0]
        assert not [w for w in caught if "stopped" in str(w.message)]
        rows, _ = store.rows("p", run.id)
        assert [values[0] for *_, values in rows] == list(range(50))
        assert store.run("p", run.id)["state"] == "finished"
    finally:
        server.stop()
