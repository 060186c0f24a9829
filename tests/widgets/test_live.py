"""The live protocol in Python: sequence numbers, throttling, following other processes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

from tests.waiting import wait_for

from .harness import record


def _curves(run: Any, **kw: Any) -> Any:
    from wbnb.widgets import Curves

    return Curves(run, **kw)


def test_import_wbnb_does_not_load_widgets() -> None:
    code = (
        "import sys, wbnb; bad = [m for m in ('wbnb.widgets', 'altair', 'pandas', 'anywidget', 'ipywidgets') "
        "if m in sys.modules]; print(json.dumps(bad))"
    )
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_sequence_numbers_cover_deltas_and_snapshots(store_dir: Path) -> None:
    import wbnb

    run = wbnb.init(project="p")
    run.log({"loss": 1.0})
    w = _curves(run, min_interval=3600)  # the test ticks by hand
    assert w._snapshot["seq"] == 0
    comm = record(w)
    seqs = []
    for i in range(5):
        run.log({"loss": float(i), "acc": i / 10})
        kind = w._feed.tick(final=(i == 2))
        assert kind == ("snapshot" if i == 2 else "delta")
        ((data, buffers),) = comm.take()
        if kind == "delta":
            assert data["method"] == "custom"
            seqs.append(data["content"]["seq"])
            assert len(buffers) == len(data["content"]["upd"])
            for u, b in zip(data["content"]["upd"], buffers):
                rows = np.frombuffer(b, dtype=float).reshape(-1, 6)
                assert rows[-1, 1] == run.step - 1  # last point: the step just logged
                assert rows[0, 0] >= u["first"]
        else:
            assert data["method"] == "update"
            seqs.append(data["state"]["_snapshot"]["seq"])
            assert len(buffers) == 2  # one array per series, sent as binary
    assert seqs == [1, 2, 3, 4, 5]
    assert w._feed.tick() is None and comm.take() == []  # nothing new: nothing sent
    run.finish()


def test_throttle_sends_at_most_five_messages_a_second(store_dir: Path) -> None:
    import wbnb

    run = wbnb.init(project="p")
    w = _curves(run)  # the real background feed, 0.2 s ticks
    comm = record(w)
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 2.0:
        for _ in range(500):
            run.log({"loss": math.sin(n / 100), "acc": n * 1e-6, "lr": 1e-3})
            n += 1
        time.sleep(0.001)  # the rest of a training step
    wait_for(lambda: len(comm.messages) >= 3, what="three messages")
    sent, elapsed = len(comm.messages), time.monotonic() - t0
    assert n > 5_000
    assert sent <= 5 * elapsed + 1, (sent, elapsed)
    run.finish()
    wait_for(lambda: not w._feed._thread.is_alive(), what="the feed to stop following the finished run")
    final = comm.messages[-1][0]
    assert final["method"] == "update" and "_snapshot" in final["state"]  # ends on a full snapshot
    counts = {s["key"]: s["count"] for s in w._snapshot["series"]}
    assert counts == {"loss": n, "acc": n, "lr": n}


def test_follows_a_run_written_by_another_process(store_dir: Path) -> None:
    import wbnb
    from wbnb.store.local import LocalStore

    script = textwrap.dedent("""
        import time, wbnb
        run = wbnb.init(project="p", id="other", name="from elsewhere")
        run.define_metric("val/acc", step_metric="epoch")
        for i in range(400):
            run.log({"loss": 1.0 / (i + 1), "epoch": i // 100, "val/acc": i / 400})
            if i % 50 == 0:
                print(i, flush=True)
                time.sleep(0.15)
        run.finish()
    """)
    env = {**os.environ, "WBNB_DIR": str(store_dir)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "0"  # the run exists and has its first row
        w = _curves("p/other", store=LocalStore(store_dir), min_interval=0.05)
        w._feed.sources[0].poll_interval = 0.05
        w._feed.sources[0].meta_interval = 0.2
        comm = record(w)
        first = {s["key"]: s["count"] for s in w._snapshot["series"]}
        assert 1 <= first["loss"] < 400
        proc.wait(timeout=30)
        wait_for(lambda: not w._feed._thread.is_alive(), what="the feed to stop following the finished run")
    finally:
        proc.kill()
    counts = {s["key"]: s["count"] for s in w._snapshot["series"]}
    assert counts == {"loss": 400, "epoch": 400, "val/acc": 400}
    assert any(m[0]["method"] == "custom" for m in comm.messages)  # it streamed deltas meanwhile
    acc = next(s for s in w._snapshot["series"] if s["key"] == "val/acc")
    assert acc["step_metric"] == "epoch"
    rows = np.frombuffer(acc["data"], dtype=float).reshape(-1, 6)
    assert rows[-1, 4] == 3  # x = the last epoch logged at that step
    assert w._snapshot["runs"][0]["name"] == "from elsewhere"
    assert wbnb.run is None


def test_own_run_logged_while_the_widget_reads_its_history_is_counted_once(store_dir: Path) -> None:
    import threading

    import wbnb

    run = wbnb.init(project="p")
    for i in range(20_000):
        run.log({"loss": float(i)})
    more = threading.Thread(target=lambda: [run.log({"loss": float(i)}) for i in range(20_000, 60_000)])
    more.start()  # logs while Curves reads the history (as columns) and hooks the listener
    w = _curves(run, min_interval=3600)
    more.join()
    w._feed.tick(final=True)
    (loss,) = w._snapshot["series"]
    assert loss["count"] == 60_000 == run.step
    steps = np.frombuffer(loss["data"], dtype=float).reshape(-1, 6)[:, 1]
    assert (np.diff(steps) > 0).all() and steps[-1] == 59_999
    w.stop()
    run.finish()


def _delivered(comm: Any) -> tuple[list[int], dict[str, int]]:
    """Sequence numbers of every message sent, and the highest step each key reached."""
    seqs, top = [], {}
    for data, buffers in comm.messages:
        if data["method"] == "custom":
            seqs.append(data["content"]["seq"])
            for u, b in zip(data["content"]["upd"], buffers):
                rows = np.frombuffer(b, dtype=float).reshape(-1, 6)
                if len(rows):
                    top[u["key"]] = max(top.get(u["key"], -1), int(rows[-1, 1]))
        else:
            snap = data["state"]["_snapshot"]
            seqs.append(snap["seq"])
            for path, b in zip(data["buffer_paths"], buffers):  # ["_snapshot", "series", i, "data"]
                rows = np.frombuffer(b, dtype=float).reshape(-1, 6)
                key = snap["series"][path[2]]["key"]
                top[key] = max(top.get(key, -1), int(rows[-1, 1]))
    return seqs, top


def test_an_idle_run_costs_no_ticks_and_a_log_wakes_the_feed(store_dir: Path) -> None:
    import wbnb

    run = wbnb.init(project="p")
    run.log({"loss": 1.0})
    w = _curves(run)  # the real background feed
    w._feed.idle_check = 3600.0  # only a log (or the run ending) may wake it
    ticks = []
    tick = w._feed.tick
    w._feed.tick = lambda final=False: ticks.append(final) or tick(final)
    comm = record(w)
    for _ in range(3):
        for i in range(100):
            run.log({"loss": float(i)})
        last = run.step - 1
        wait_for(lambda last=last: _delivered(comm)[1].get("loss", -1) == last, what="the burst's last step sent")
        # Deltas went out, so a snapshot is owed and follows without another log.
        wait_for(lambda: w._snapshot["seq"] == w._feed.seq, what="the snapshot caught up")
        idle = len(ticks)
        time.sleep(0.6)  # the thing under test: three tick intervals pass with nothing logged
        assert len(ticks) == idle, "ticked while nothing was logged"
    seqs, _ = _delivered(comm)
    assert seqs == list(range(1, len(seqs) + 1))  # no gaps, nothing sent twice
    run.finish()  # wakes the idle feed: it ends on a final snapshot
    wait_for(lambda: not w._feed._thread.is_alive(), what="the feed thread ended")
    assert w._snapshot["series"][0]["count"] == 301


def test_logging_from_threads_never_leaves_rows_unsent(store_dir: Path) -> None:
    import random
    import threading

    import wbnb

    run = wbnb.init(project="p")
    w = _curves(run, min_interval=0.01)
    w._feed.idle_check = 3600.0  # a missed wake-up would leave rows waiting: the test hangs
    record(w)

    def logger(seed: int) -> None:
        rng = random.Random(seed)
        for i in range(3000):
            run.log({f"t{seed}": float(i)})
            if rng.random() < 0.01:
                time.sleep(rng.random() * 0.02)

    threads = [threading.Thread(target=logger, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def counts() -> dict[str, int]:
        return {s.key: s.buckets.count for s in w.series.series.values()}

    wait_for(lambda: counts() == {"t0": 3000, "t1": 3000, "t2": 3000}, what="every row in the model")
    w.stop()
    run.finish()


def test_new_rows_as_columns_give_what_rows_give(store_dir: Path) -> None:
    import random

    import wbnb
    from wbnb.widgets.curves.model import SeriesSet
    from wbnb.widgets.runs import resolve_runs
    from wbnb.widgets.sources import ListenerSource

    run = wbnb.init(project="p")
    run.define_metric("val/*", step_metric="epoch")
    (ref,) = resolve_runs(run)
    by_rows, by_cols = ListenerSource(ref), ListenerSource(ref)
    rows_model, cols_model = SeriesSet([ref], max_buckets=8), SeriesSet([ref], max_buckets=8)
    rng = random.Random(0)
    odd = [float("nan"), float("inf"), None, True, 3, -2.5]
    for batch in range(30):
        for _ in range(rng.randrange(0, 60)):
            kind = rng.random()
            if kind < 0.6:
                run.log({"loss": rng.random(), "lr": rng.choice(odd) if rng.random() < 0.1 else 1e-3})
            elif kind < 0.8:  # the same keys in another order, and a row that adds to the step
                run.log({"lr": 2e-3, "loss": rng.random()}, commit=False)
                run.log({"extra": rng.random()})
            else:
                run.log({"epoch": batch, "val/acc": rng.random()})
        got = by_cols.poll_columns(0.0)
        assert isinstance(got, (dict, list))
        if isinstance(got, dict):
            cols_model.load_columns(0, got)
        rows_model.ingest(0, by_rows.poll(0.0))
        rows_model.delta()
        cols_model.delta()
    assert rows_model.series.keys() == cols_model.series.keys()
    for key, s in rows_model.series.items():
        c = cols_model.series[key]
        assert (s.buckets.count, s.buckets.width, s.step_metric) == (c.buckets.count, c.buckets.width, c.step_metric)
        np.testing.assert_array_equal(s.buckets.points(), c.buckets.points())
    run.log({"loss": 0.5, "note": "text"})  # not every value a number: rows, for ingest
    got = by_cols.poll_columns(0.0)
    assert isinstance(got, list) and got[0][0] == ("loss", "note")
    by_rows.close()
    by_cols.close()
    run.finish()
