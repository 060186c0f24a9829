"""The read API: runs written to a real store (through the SDK or the store's writer),
read back through ``wbnb.Api``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import wbnb
from tests.waiting import wait_for
from wbnb.api import Api, Run, Runs
from wbnb.store.base import RunNotFound
from wbnb.store.local import LocalStore

ROOT = Path(__file__).resolve().parents[1]


def sdk_run(project: str = "p", steps: int = 10, **init: Any) -> str:
    """Log ``steps`` rows of loss / val/acc through the SDK, finish, return the id."""
    run = wbnb.init(project=project, **init)
    for i in range(steps):
        wbnb.log({"loss": 1.0 / (i + 1), "val/acc": i / steps})
    wbnb.finish()
    return run.id


def store_run(
    root: Path,
    run_id: str,
    rows: list[tuple[int, dict]],
    project: str = "p",
    system: Sequence[dict] = (),
    console: Sequence[str] = (),
    **meta: Any,
) -> None:
    """Write a run through the store's writer: rows as (step, {key: value})."""
    writer = LocalStore(root).open_run(
        project, run_id, {"id": run_id, "project": project, "created_at": time.time(), "config": {}, **meta}, None
    )
    for step, row in rows:
        writer.log_row(step, 1000.0 + step, float(step), tuple(row), list(row.values()))
    for i, sample in enumerate(system):
        writer.log_system(2000.0 + i, float(i), sample)
    for line in console:
        writer.log_console("stdout", line, 3000.0)
    writer.close("finished")


# -- listing, filters, paths ---------------------------------------------------------------


def test_projects_and_runs_listing(store_dir: Path) -> None:
    ids = [sdk_run("p") for _ in range(3)]
    sdk_run("other")
    api = Api()
    assert [p.name for p in api.projects()] == ["other", "p"]
    runs = api.runs("p")
    assert isinstance(runs, Runs) and len(runs) == 3
    assert [r.id for r in runs] == ids  # oldest first by default, as wandb
    assert runs[0].id == ids[0] and [r.id for r in runs[1:]] == ids[1:]
    assert all(isinstance(r, Run) for r in runs)
    assert repr(runs).startswith("<Runs ") and "3 runs" in repr(runs)
    assert len(api.runs("no-such-project")) == 0
    assert [r.id for r in Api({"project": "p"}).runs()] == ids  # the default project
    assert [r.id for r in api.runs("p", order="-created_at")] == ids[::-1]


def test_filters_and_order(store_dir: Path) -> None:
    for lr, tags in ((0.1, ["baseline"]), (0.01, []), (0.001, ["baseline", "small"])):
        wbnb.init(project="p", config={"lr": lr, "opt": {"name": "adam"}}, tags=tags)
        wbnb.log({"val/acc": 1 - lr})
        wbnb.finish()
    api = Api()
    lrs = lambda runs: [r.config["lr"] for r in runs]
    assert lrs(api.runs("p", filters={"config.lr": {"$lt": 0.05}}, order="+config.lr")) == [0.001, 0.01]
    assert lrs(api.runs("p", order="-summary_metrics.val/acc")) == [0.001, 0.01, 0.1]
    assert lrs(api.runs("p", filters={"tags": "baseline"}, order="config.lr")) == [0.001, 0.1]
    assert lrs(
        api.runs("p", filters={"$or": [{"config.lr.value": 0.1}, {"tags": {"$in": ["small"]}}]}, order="-config.lr")
    ) == [0.1, 0.001]
    assert len(api.runs("p", filters={"config.opt.name": "adam", "state": "finished"})) == 3
    with pytest.raises(ValueError, match=r"\$bogus"):
        api.runs("p", filters={"state": {"$bogus": 1}})


def test_entity_in_paths(store_dir: Path) -> None:
    run_id = sdk_run("p", entity="ana")
    api = Api()
    assert [r.id for r in api.runs("ana/p")] == [run_id]
    assert len(api.runs("bob/p")) == 0
    assert api.run(f"ana/p/{run_id}").path == ["ana", "p", run_id]
    with pytest.raises(RunNotFound, match=f"bob/p/{run_id}"):
        api.run(f"bob/p/{run_id}")


def test_run_path_forms(store_dir: Path) -> None:
    run_id = sdk_run("p")
    api = Api()
    entity = api.run(f"p/{run_id}").entity
    for path in (f"p/{run_id}", f"p/runs/{run_id}", f"{entity}/p/{run_id}", f"{entity}/p/runs/{run_id}"):
        assert api.run(path).id == run_id, path
    assert Api({"project": "p"}).run(run_id).id == run_id
    with pytest.raises(RunNotFound, match="p/nope") as err:
        api.run("p/nope")
    assert isinstance(err.value, wbnb.RunNotFound)
    with pytest.raises(RunNotFound, match="p/../x"):
        api.run("p/../x")
    with pytest.raises(ValueError):
        api.run("a/b/c/d")


def test_public_run_fields(store_dir: Path) -> None:
    run = wbnb.init(
        project="p",
        name="first",
        notes="try",
        tags=["a"],
        group="g",
        job_type="train",
        config={"lr": 0.1, "net": {"depth": 3}},
    )
    for i in range(5):
        wbnb.log({"loss": 5 - i})
    run.summary["best"] = 42
    wbnb.finish()
    r = Api().run(f"p/{run.id}")
    assert (r.id, r.name, r.display_name, r.project, r.state) == (run.id, "first", "first", "p", "finished")
    assert (r.notes, r.tags, r.group, r.job_type) == ("try", ["a"], "g", "train")
    assert r.config == {"lr": 0.1, "net": {"depth": 3}}
    assert r.summary["loss"] == 1 and r.summary["best"] == 42 and r.summary_metrics == r.summary
    assert r.lastHistoryStep == 4
    assert r.runtime > 0 and isinstance(r.metadata, dict)
    assert pd.Timestamp(r.created_at).year >= 2024 and "T" in r.created_at
    assert r.url.startswith("file://") and r.url.endswith(run.id)
    assert r.path == [run.entity, "p", run.id] and repr(r) == f"<Run {run.entity}/p/{run.id} (finished)>"


def test_refresh_sees_a_run_finish(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.log({"loss": 3.0})
    wbnb.log({"loss": 2.0})
    r = Api().run(f"p/{run.id}")
    # While running, the summary is rebuilt from the rows written so far.
    assert r.state == "running" and r.summary == {"loss": 2.0} and r.lastHistoryStep == 1
    wbnb.log({"loss": 1.0})
    wbnb.finish()
    r.refresh()
    assert r.state == "finished" and r.summary == {"loss": 1.0} and r.lastHistoryStep == 2


# -- history ---------------------------------------------------------------------------------


def test_history_samples_evenly_with_first_and_last(store_dir: Path) -> None:
    run_id = sdk_run("p", steps=1000)
    r = Api().run(f"p/{run_id}")
    df = r.history(samples=11)
    assert isinstance(df, pd.DataFrame)
    steps = list(df["_step"])
    assert len(steps) == 11 and steps[0] == 0 and steps[-1] == 999
    gaps = np.diff(steps)
    assert gaps.min() >= 99 and gaps.max() <= 100
    assert {"_step", "_timestamp", "_runtime", "loss", "val/acc"} <= set(df.columns)
    assert len(r.history()) == 500 and len(r.history(samples=5000)) == 1000
    assert df["loss"].iloc[-1] == pytest.approx(1 / 1000)


def test_history_keys_keep_only_rows_with_all_keys(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    for i in range(30):
        wbnb.log({"epoch": i // 10, "loss": float(i), **({"val": i * 2} if i % 3 == 0 else {})})
    wbnb.finish()
    r = Api().run(f"p/{run.id}")
    df = r.history(keys=["val"])
    assert list(df.columns) == ["_step", "val"]
    assert list(df["_step"]) == list(range(0, 30, 3)) and list(df["val"]) == [i * 2 for i in range(0, 30, 3)]
    df = r.history(keys=["loss", "val"], x_axis="epoch", samples=3)
    assert list(df.columns) == ["epoch", "loss", "val"]
    assert list(df["loss"]) == [0.0, 12.0, 27.0]
    assert r.history(keys=["never-logged"]).empty
    rows = r.history(keys=["val"], pandas=False, samples=2)
    assert rows == [{"_step": 0, "val": 0}, {"_step": 27, "val": 54}]
    with pytest.raises(TypeError):
        r.history(keys="val")


def test_history_without_pandas_leaves_out_missing_keys(store_dir: Path) -> None:
    store_run(store_dir, "r1", [(0, {"a": 1}), (1, {"b": 2})])
    rows = Api().run("p/r1").history(pandas=False)
    assert rows == [
        {"_step": 0, "_timestamp": 1000.0, "_runtime": 0.0, "a": 1},
        {"_step": 1, "_timestamp": 1001.0, "_runtime": 1.0, "b": 2},
    ]
    df = Api().run("p/r1").history()
    assert np.isnan(df["a"].iloc[1]) and df["b"].iloc[1] == 2


def test_records_of_one_step_merge_into_one_row(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.log({"a": 1}, commit=False)
    wbnb.log({"b": 2})
    wbnb.log({"a": 3}, step=5)
    wbnb.log({"b": 4}, step=5)
    wbnb.finish()
    r = Api().run(f"p/{run.id}")
    df = r.history()
    assert list(df["_step"]) == [0, 5] and list(df["a"]) == [1, 3] and list(df["b"]) == [2, 4]
    assert [row["_step"] for row in r.scan_history()] == [0, 5]
    assert list(r.history(keys=["a", "b"], samples=1)["_step"]) == [5]


def test_history_of_the_system_stream(store_dir: Path) -> None:
    samples = [{"system/cpu_percent": 10.0 + i, "system/proc_rss_mb": 100.0} for i in range(4)]
    store_run(store_dir, "sys", [(0, {"loss": 1.0})], system=samples)
    r = Api().run("p/sys")
    df = r.history(stream="system")
    assert list(df["system/cpu_percent"]) == [10.0, 11.0, 12.0, 13.0] and "loss" not in df
    cpu = r.history(stream="system", keys=["system/cpu_percent"], samples=2)
    assert list(cpu.columns) == ["_step", "system/cpu_percent"] and list(cpu["system/cpu_percent"]) == [10.0, 13.0]
    assert r.system_metrics == samples[-1]
    events = r.history(stream="events")  # wandb's server's name for the system stream
    assert list(events["system/cpu_percent"]) == [10.0, 11.0, 12.0, 13.0]
    with pytest.raises(ValueError, match="stream"):
        r.history(stream="metrics")


def test_scan_history_step_range_and_keys(store_dir: Path) -> None:
    store_run(store_dir, "scan", [(i, {"x": i, **({"y": -i} if i % 2 else {})}) for i in range(50)])
    r = Api().run("p/scan")
    all_rows = list(r.scan_history())
    assert [row["_step"] for row in all_rows] == list(range(50)) and all_rows[3]["y"] == -3
    assert [row["_step"] for row in r.scan_history(min_step=10, max_step=20)] == list(range(10, 20))
    assert list(r.scan_history(keys=["y"], min_step=40)) == [{"y": -i} for i in range(41, 50, 2)]
    assert list(r.scan_history(keys=["_step", "y"], max_step=4)) == [{"_step": 1, "y": -1}, {"_step": 3, "y": -3}]


def test_history_of_100k_steps_is_quick(store_dir: Path) -> None:
    keys = tuple(f"k{j}" for j in range(10))
    writer = LocalStore(store_dir).open_run("p", "big", {"id": "big", "project": "p", "created_at": 0.0}, None)
    for s in range(100_000):
        writer.log_row(s, float(s), float(s), keys, [s + j * 0.5 for j in range(10)])
    writer.close("finished")
    r = Api().run("p/big")
    start = time.perf_counter()
    df = r.history()
    elapsed = time.perf_counter() - start
    assert df.shape == (500, 13) and df["_step"].iloc[-1] == 99_999
    assert elapsed < 2.0, f"history() of 100k steps took {elapsed:.2f} s"  # loose: shared CI machines


# -- crashes, events, media ------------------------------------------------------------------


def test_crashed_run_reads_back_with_every_row(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import sys, time, wbnb
        wbnb.init(project="p", id="dies", dir=sys.argv[1], settings={"silent": True, "system_interval": 0})
        for i in range(200):
            wbnb.log({"i": i, "loss": 1.0 / (i + 1)})
        print("logged", flush=True)
        time.sleep(60)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WBNB_CONSOLE": "0"}
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout.readline() == b"logged\n"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    api = Api({"dir": str(tmp_path)})
    # The lock alone says the writer is gone: a process it was spawning at the kill (its
    # metadata thread runs git) holds a copy of the lock until that child execs, so a
    # reader may see "running" for a moment after the writer's death.
    wait_for(lambda: api.run("p/dies").state == "crashed", what="the dead writer's lock to be free")
    r = api.run("p/dies")
    assert r.state == "crashed"
    assert [row["i"] for row in r.scan_history()] == list(range(200))
    assert r.summary["i"] == 199 and r.lastHistoryStep == 199
    assert [x.id for x in api.runs("p", filters={"state": "crashed"})] == ["dies"]


def test_events_and_console(store_dir: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        with wbnb.init(project="p", config={"a": 1}) as run:
            run.alert("slow", "loss is flat", level="WARN")
            run.config.update({"b": 2})
            raise ZeroDivisionError
    r = Api().run(f"p/{run.id}")
    assert r.state == "failed"
    kinds = [e["kind"] for e in r.events()]
    assert "alert" in kinds and "exception" in kinds and "config" in kinds
    alert = next(e for e in r.events() if e["kind"] == "alert")
    assert (alert["title"], alert["text"], alert["level"]) == ("slow", "loss is flat", "WARN")
    store_run(store_dir, "out", [], console=["hello", "world"])
    assert [c["line"] for c in Api().run("p/out").console()] == ["hello", "world"]


def test_media_bytes_of_image_and_table(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    pixels = np.zeros((4, 6, 3), dtype=np.uint8)
    wbnb.log(
        {
            "img": wbnb.Image(pixels),
            "tbl": wbnb.Table(columns=["a"], data=[[1], [2]]),
            "hist": wbnb.Histogram([1, 2, 3]),
        }
    )
    wbnb.finish()
    r = Api().run(f"p/{run.id}")
    row = next(r.scan_history())
    assert row["img"]["_type"] == "image"
    png = r.media(row["img"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and r.media(row["img"]["path"]) == png
    assert json.loads(r.media(row["tbl"]))["data"] == [[1], [2]]
    with pytest.raises(ValueError, match="no file"):
        r.media(row["hist"])


def test_import_does_not_load_pandas() -> None:
    code = "import sys, wbnb.api; print('pandas' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "False"


def test_api_takes_any_store(tmp_path: Path) -> None:
    store_run(tmp_path, "r1", [(0, {"a": 1})])
    api = Api(store=LocalStore(tmp_path))
    assert [r.id for r in api.runs("p")] == ["r1"] and api.run("p/r1").summary == {"a": 1}


# -- a damaged run.json ---------------------------------------------------------------------

DAMAGED_JSON = {
    "garbage": b"\x00\x9f not json at all",
    "empty": b"",
    "truncated": b'{"id": "bad", "project": "p", "state": "finis',
    "wrong_type": b'["a", "list"]',
}


def damage_run_json(root: Path, how: str) -> Path:
    """Two good runs and one whose run.json is damaged ``how``; the damaged file."""
    store_run(root, "good1", [(0, {"loss": 1.0})])
    store_run(root, "good2", [(0, {"loss": 2.0})])
    store_run(root, "bad", [(0, {"loss": 3.0}), (1, {"loss": 4.0})])
    path = root / "projects" / "p" / "bad" / "run.json"
    path.write_bytes(DAMAGED_JSON[how])
    return path


@pytest.mark.parametrize("how", list(DAMAGED_JSON))
def test_a_damaged_run_json_makes_one_run_damaged_not_the_project(tmp_path: Path, how: str) -> None:
    path = damage_run_json(tmp_path, how)
    store = LocalStore(tmp_path)
    listed = {m["id"]: m for m in store.runs("p")}
    assert sorted(listed) == ["bad", "good1", "good2"]
    assert listed["good1"]["state"] == listed["good2"]["state"] == "finished"
    bad = listed["bad"]
    assert bad["state"] == "damaged" and str(path) in bad["reason"] and "damaged" in bad["reason"]

    api = Api(store=store)
    runs = {r.id: r for r in api.runs("p")}
    assert sorted(runs) == ["bad", "good1", "good2"] and runs["good1"].summary["loss"] == 1.0
    run = api.run("p/bad")  # not "does not exist"
    assert run.state == "damaged" and str(path) in repr(run)
    assert [r["loss"] for r in run.scan_history()] == [3.0, 4.0]  # its logs still read
    assert [r.id for r in api.runs("p", filters={"state": "finished"})] != []
