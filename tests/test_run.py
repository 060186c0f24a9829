"""The wandb-style run surface, checked by reading what was stored back from the store."""

from __future__ import annotations

import argparse
import math
import os
import threading
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import wbnb
from tests.waiting import wait_for, wait_for_system_samples
from wbnb.store.local import LocalStore
from wbnb.store.remote import ServerError
from wbnb.store.rowread import merged


def stored_rows(root: Path, run) -> list[dict]:
    return list(merged(LocalStore(root).rows(run.project, run.id)[0]))


def stored_meta(root: Path, run) -> dict:
    return LocalStore(root).run(run.project, run.id)


def test_log_steps_commit_and_nested_keys(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.log({"a": 1})
    wbnb.log({"b": {"c": 2.5, "d": {"e": 3}}})
    wbnb.log({"x": 1}, commit=False)
    wbnb.log({"y": 2})  # joins step 2, then commits
    wbnb.log({"z": 1}, step=10)  # explicit step: stays open...
    wbnb.log({"w": 2}, step=10)  # ...so the same step merges
    wbnb.log({"late": 0})  # still step 10, then moves on
    wbnb.log({"after": 1})
    assert run.step == 12
    wbnb.finish()
    rows = stored_rows(store_dir, run)
    by_step = {r["_step"]: {k: v for k, v in r.items() if not k.startswith("_")} for r in rows}
    assert by_step == {
        0: {"a": 1},
        1: {"b/c": 2.5, "b/d/e": 3},
        2: {"x": 1, "y": 2},
        10: {"z": 1, "w": 2, "late": 0},
        11: {"after": 1},
    }
    assert all(r["_timestamp"] > 1e9 and r["_runtime"] >= 0 for r in rows)


def test_values_numpy_torchlike_nan_inf_strings_lists(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.log(
        {
            "f32": np.float32(0.5),
            "i64": np.int64(7),
            "b": np.bool_(True),
            "zero_d": np.array(3.0),
            "nan": float("nan"),
            "inf": float("inf"),
            "ninf": -math.inf,
            "s": "text",
            "none": None,
            "list": [1, 2.5, "x"],
            "arr": np.arange(100.0),
        }
    )
    wbnb.finish()
    (row,) = stored_rows(store_dir, run)
    assert row["f32"] == 0.5 and type(row["f32"]) is float
    assert row["i64"] == 7 and type(row["i64"]) is int
    assert row["b"] is True and row["zero_d"] == 3.0
    assert math.isnan(row["nan"]) and row["inf"] == math.inf and row["ninf"] == -math.inf
    assert row["s"] == "text" and row["none"] is None and row["list"] == [1, 2.5, "x"]
    assert row["arr"]["_type"] == "histogram" and sum(row["arr"]["values"]) == 100
    meta = stored_meta(store_dir, run)
    assert math.isnan(meta["summary"]["nan"]) and meta["summary"]["inf"] == math.inf


def test_torch_scalars_and_tensors(store_dir: Path) -> None:
    torch = pytest.importorskip("torch")
    run = wbnb.init(project="p")
    wbnb.log({"loss": torch.tensor(0.25), "w": torch.randn(50)}, step=torch.tensor(3).item())
    wbnb.finish()
    (row,) = stored_rows(store_dir, run)
    assert row["_step"] == 3 and row["loss"] == 0.25 and row["w"]["_type"] == "histogram"


@pytest.mark.parametrize(
    ("data", "error", "pattern"),
    [
        ([1, 2], TypeError, "expected a dict.*got list"),
        ({1: 2.0}, TypeError, "key 1 is a int; keys must be str"),
        ({"obj": object()}, TypeError, "key 'obj' has a value of type object; accepted: numbers"),
        ({"c": 1 + 2j}, TypeError, "key 'c'.*complex"),
        ({"_step": 3}, ValueError, "'_step' is reserved"),
        ({"nested": {"bad": object()}}, TypeError, "key 'nested/bad'"),
    ],
)
def test_bad_input_raises_at_the_call_site_naming_the_key(store_dir: Path, data, error, pattern) -> None:
    run = wbnb.init(project="p")
    with pytest.raises(error, match=pattern):
        wbnb.log(data)
    wbnb.log({"ok": 1})
    wbnb.finish()
    assert [r["ok"] for r in stored_rows(store_dir, run)] == [1]  # nothing half-logged


def test_image_of_impossible_shape_names_shape_and_accepted(store_dir: Path) -> None:
    wbnb.init(project="p")
    with pytest.raises(ValueError, match=r"\(5,\)"):
        wbnb.log({"img": wbnb.Image(np.zeros(5))})
    with pytest.raises(ValueError, match=r"\(5, 5, 2\).*C in 1, 3 or 4"):
        wbnb.Image(np.zeros((5, 5, 2)))
    wbnb.finish()


def test_step_going_backwards_warns_once_and_drops(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.log({"a": 1}, step=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wbnb.log({"a": 2}, step=3)
        wbnb.log({"a": 3}, step=4)
    assert len(caught) == 1 and "step 3 is before the current step 5" in str(caught[0].message)
    wbnb.log({"a": 4}, step=6)
    wbnb.finish()
    assert [(r["_step"], r["a"]) for r in stored_rows(store_dir, run)] == [(5, 1), (6, 4)]


def test_bad_step_type(store_dir: Path) -> None:
    wbnb.init(project="p")
    with pytest.raises(TypeError, match="step must be an int"):
        wbnb.log({"a": 1}, step=1.5)
    wbnb.finish()


def test_config_forms(store_dir: Path, tmp_path: Path) -> None:
    ns = argparse.Namespace(lr=0.1, layers=3)
    run = wbnb.init(project="p", config=ns)
    assert run.config.lr == 0.1 and run.config["layers"] == 3
    wbnb.finish()
    run = wbnb.init(project="p", config=types.SimpleNamespace(a=1))
    assert wbnb.config.a == 1
    wbnb.finish()
    yml = tmp_path / "config-defaults.yaml"
    yml.write_text("wandb_version: 1\nlr:\n  desc: learning rate\n  value: 0.01\nbatch: 32\n")
    run = wbnb.init(project="p", config=str(yml), config_exclude_keys=["batch"])
    assert run.config.as_dict() == {"lr": 0.01}
    wbnb.finish()
    with pytest.raises(TypeError, match="config must be a dict"):
        wbnb.init(project="p", config=42)


def test_config_access_update_and_val_change(store_dir: Path) -> None:
    run = wbnb.init(project="p", config={"lr": 0.1, "opt": {"name": "adam"}}, allow_val_change=False)
    run.config.update({"epochs": 3})
    run.config.batch = 64
    run.config["seed"] = np.int64(1)
    run.config.setdefaults({"lr": 5, "new": "x"})
    assert run.config.lr == 0.1 and run.config.new == "x" and "epochs" in run.config
    assert sorted(run.config.keys()) == ["batch", "epochs", "lr", "new", "opt", "seed"]
    assert dict(run.config.items())["opt"] == {"name": "adam"} and run.config.get("missing", 7) == 7
    with pytest.raises(wbnb.ConfigError, match="config\\['lr'\\] is already 0.1.*allow_val_change=True"):
        run.config.lr = 0.2
    run.config.update({"lr": 0.2}, allow_val_change=True)
    run.config.update({"lr": 0.2})  # the same value is no change
    with pytest.raises(AttributeError, match="no key 'nope'"):
        _ = run.config.nope
    wbnb.finish()
    assert stored_meta(store_dir, run)["config"] == {
        "lr": 0.2,
        "opt": {"name": "adam"},
        "epochs": 3,
        "batch": 64,
        "seed": 1,
        "new": "x",
    }


def test_summary_last_value_explicit_and_define_metric(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    run.define_metric("loss", summary="min")
    run.define_metric("acc", summary="max,mean", goal="maximize")
    run.define_metric("val/*", summary="best", goal="minimize")
    run.define_metric("hidden", summary="none")
    run.define_metric("val/err", step_metric="epoch")
    for i, (loss, acc) in enumerate([(3.0, 0.1), (1.0, 0.5), (2.0, 0.3)]):
        wbnb.log({"loss": loss, "acc": acc, "val/err": 5 - i, "hidden": i, "epoch": i, "plain": i})
    run.summary["note"] = "hand-set"
    wbnb.summary.update({"plain": 99})
    assert run.summary.loss == {"min": 1.0} and run.summary["plain"] == 99  # wandb's shape: test_summary_shape.py
    wbnb.finish()
    summary = stored_meta(store_dir, run)["summary"]
    assert summary["loss"] == {"min": 1.0} and summary["acc"] == {"max": 0.5, "mean": pytest.approx(0.3)}
    assert summary["val/err"] == 3 and "hidden" not in summary  # val/err's own rule wins over val/*
    assert summary["note"] == "hand-set" and summary["plain"] == 99 and summary["epoch"] == 2
    metrics = stored_meta(store_dir, run)["metrics"]
    assert metrics["val/err"]["step_metric"] == "epoch" and "epoch" in metrics
    with pytest.raises(ValueError, match="'median' is not one of"):
        wbnb.init(project="p").define_metric("x", summary="median")
    with pytest.raises(ValueError, match="goal='minimize' or 'maximize'"):
        wbnb.define_metric("x", summary="best")
    wbnb.finish()


def test_run_attributes_and_files(store_dir: Path, tmp_path: Path) -> None:
    run = wbnb.init(
        project="attrs", name="my run", notes="n", tags=["a", "b"], group="g", job_type="train", id="fixedid1"
    )
    assert (run.id, run.name, run.project, run.notes, run.tags, run.group, run.job_type) == (
        "fixedid1",
        "my run",
        "attrs",
        "n",
        ("a", "b"),
        "g",
        "train",
    )
    assert Path(run.dir).is_dir() and run.path.endswith("/attrs/fixedid1") and run.url.startswith("file://")
    (Path(run.dir) / "notes.txt").write_text("kept")
    src = tmp_path / "ckpt"
    src.mkdir()
    (src / "model.bin").write_bytes(b"weights")
    saved = wbnb.save(str(src / "*.bin"))
    assert [Path(p).name for p in saved] == ["model.bin"]
    (src / "model.bin").write_bytes(b"weights v2")  # policy "live": copied again at finish
    run.tags = ["c"]
    run.name = "renamed"
    wbnb.finish()
    meta = stored_meta(store_dir, run)
    assert meta["tags"] == ["c"] and meta["name"] == "renamed" and meta["state"] == "finished"
    files = store_dir / "projects/attrs/fixedid1/files"
    assert (files / "notes.txt").read_text() == "kept" and (files / "model.bin").read_bytes() == b"weights v2"
    with pytest.raises(TypeError, match="tags must be a list"):
        wbnb.init(project="attrs", tags="oops")


def test_metadata_the_server_would_refuse_is_refused_at_the_call(store_dir: Path) -> None:
    """The limits runmeta.py declares (and the server checks) hold at init and in the
    setters: a value the server refuses would have made the uploader drop the run's
    whole metadata update."""
    for kwargs, error, message in (
        ({"notes": "n" * 200_000}, ValueError, "notes is 200000 characters long; at most 100000 are allowed"),
        ({"notes": 5}, TypeError, "notes must be a str or None, got int"),
        ({"tags": ["t" * 65]}, ValueError, r"tags\[0\] is 65 characters long; at most 64 are allowed"),
        ({"tags": ["a", 1]}, TypeError, r"tags\[1\] must be a str, got int"),
        ({"name": "n" * 2000}, ValueError, "name is 2000 characters long; at most 1024 are allowed"),
    ):
        with pytest.raises(error, match=message):
            wbnb.init(project="p", **kwargs)
    assert wbnb.run is None and not store_dir.exists()
    run = wbnb.init(project="p", name="kept", notes="kept")
    with pytest.raises(ValueError, match="name is 2000 characters long; at most 1024 are allowed"):
        run.name = "n" * 2000
    with pytest.raises(TypeError, match="name must be a str or None, got int"):
        run.name = 5  # type: ignore[assignment]
    with pytest.raises(ValueError, match="notes is 200000 characters long; at most 100000"):
        run.notes = "n" * 200_000
    with pytest.raises(TypeError, match="notes must be a str or None, got list"):
        run.notes = ["n"]  # type: ignore[assignment]
    with pytest.raises(ValueError, match=r"tags\[0\] is 0 characters long; at least 1"):
        run.tags = [""]
    with pytest.raises(TypeError, match=r"metrics\['acc'\].step_metric must be a str or None, got int"):
        run.define_metric("acc", step_metric=5)  # type: ignore[arg-type]
    wbnb.finish()
    meta = stored_meta(store_dir, run)
    assert (meta["name"], meta["notes"], meta["tags"], meta.get("metrics")) == ("kept", "kept", [], None)


def test_wandb_deep_paths(store_dir: Path) -> None:
    from wbnb.sdk import wandb_run

    run = wbnb.init(project="p")
    assert isinstance(run, wandb_run.Run)
    wandb_run.finish()
    assert wbnb.run is None and stored_meta(store_dir, run)["state"] == "finished"


def test_preinit_errors_say_to_call_init(store_dir: Path) -> None:
    assert wbnb.run is None
    with pytest.raises(wbnb.PreInitError, match=r"wbnb.log\(\) was called before wbnb.init\(\)"):
        wbnb.log({"a": 1})
    with pytest.raises(wbnb.PreInitError, match="wbnb.config is not available before wbnb.init"):
        _ = wbnb.config.lr
    with pytest.raises(wbnb.PreInitError, match="call wbnb.init\\(\\) first"):
        wbnb.summary["x"] = 1
    wbnb.finish()  # nothing to finish: harmless


def test_finish_is_idempotent_and_context_manager_sets_state(store_dir: Path) -> None:
    with wbnb.init(project="p") as run:
        wbnb.log({"a": 1})
    assert stored_meta(store_dir, run)["state"] == "finished"
    run.finish()  # again: harmless
    with pytest.raises(ZeroDivisionError):
        with wbnb.init(project="p") as failing:
            wbnb.log({"a": 1})
            raise ZeroDivisionError
    meta = stored_meta(store_dir, failing)
    assert meta["state"] == "failed" and meta["exit_code"] == 1
    events, _ = LocalStore(store_dir).records("p", failing.id, "events")
    assert any(e["kind"] == "exception" and e["type"] == "ZeroDivisionError" for e in events)
    with pytest.raises(RuntimeError, match="is finished"):
        failing.log({"a": 2})


def test_finish_exit_code_marks_failed(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.finish(exit_code=3)
    assert stored_meta(store_dir, run)["state"] == "failed"


def test_disabled_mode_is_a_cheap_no_op(store_dir: Path) -> None:
    run = wbnb.init(project="p", mode="disabled", config={"lr": 0.1})
    run.log({"a": object()})  # not even validated
    run.summary["x"] = 1
    assert run.config.lr == 0.1 and run.disabled and run.summary["x"] == 1
    run.finish()
    assert not store_dir.exists()
    with pytest.raises(ValueError, match="mode must be one of"):
        wbnb.init(project="p", mode="cloud")


def test_offline_mode_records_locally(store_dir: Path) -> None:
    run = wbnb.init(project="p", mode="offline")
    wbnb.log({"a": 1})
    wbnb.finish()
    assert stored_meta(store_dir, run)["mode"] == "offline" and len(stored_rows(store_dir, run)) == 1


def test_resume_modes(store_dir: Path) -> None:
    run = wbnb.init(project="p", id="resumable", config={"lr": 1})
    wbnb.log({"a": 1})
    wbnb.log({"a": 2})
    wbnb.finish()
    with pytest.raises(wbnb.StoreError, match="already exists.*resume='allow'"):
        wbnb.init(project="p", id="resumable")
    with pytest.raises(wbnb.StoreError, match="resume='never'|already exists"):
        wbnb.init(project="p", id="resumable", resume="never")
    with pytest.raises(wbnb.StoreError, match="resume='must' but there is no run"):
        wbnb.init(project="p", id="missing", resume="must")
    run = wbnb.init(project="p", id="resumable", resume="must")
    assert run.resumed and run.step == 2 and run.config.lr == 1 and run.summary["a"] == 2
    wbnb.log({"a": 3})
    wbnb.finish()
    assert [r["a"] for r in stored_rows(store_dir, run)] == [1, 2, 3]
    new = wbnb.init(project="p", id="fresh", resume="allow")
    assert not new.resumed
    wbnb.finish()


LABELS = {"name": "first", "notes": "n", "tags": ["a"], "group": "g", "job_type": "train"}


@pytest.mark.parametrize("resume", ["allow", "must", True, "auto"])
def test_a_resumed_run_keeps_what_the_resuming_call_does_not_give(store_dir: Path, resume: object) -> None:
    """wandb keeps a resumed run's name, notes, tags, group, job type, config and
    creation time unless the resuming call passes new ones (``init`` fills none of
    them in itself: a new run's defaults are the store's, ``runmeta.created``)."""
    first = wbnb.init(project="p", id="kept", config={"lr": 1}, **LABELS)  # type: ignore[arg-type]
    wbnb.log({"a": 1})
    if resume in (True, "auto"):  # continues the project's last unfinished run
        first._writer.close("crashed")
        first._finished = True
        from wbnb.sdk.lifecycle import _forget

        _forget(first)
    else:
        wbnb.finish()
    before = stored_meta(store_dir, first)
    again = wbnb.init(project="p", id=None if resume in (True, "auto") else "kept", resume=resume)  # type: ignore[arg-type]
    assert again.id == "kept" and again.resumed
    assert (again.name, again.notes, again.tags, again.group, again.job_type) == ("first", "n", ("a",), "g", "train")
    wbnb.finish()
    after = stored_meta(store_dir, again)
    assert {k: after[k] for k in (*LABELS, "created_at")} == {k: before[k] for k in (*LABELS, "created_at")}
    assert after["config"] == {"lr": 1}
    given = wbnb.init(
        project="p", id="kept", resume="allow", name="second", tags=[], notes="m", group="h", job_type="j"
    )
    assert (given.name, given.notes, given.tags, given.group, given.job_type) == ("second", "m", (), "h", "j")
    wbnb.finish()
    assert stored_meta(store_dir, given)["created_at"] == before["created_at"]


def test_a_new_run_gets_the_stores_defaults(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    wbnb.finish()
    meta = stored_meta(store_dir, run)
    assert run.name.count("-") == 2 and run.name.endswith("-1") and meta["name"] == run.name
    assert meta["tags"] == [] and meta["config"] == {} and meta["created_at"] <= meta["ended_at"]
    assert wbnb.init(project="p").name.endswith("-2")
    wbnb.finish()


def test_resume_auto_continues_the_last_unfinished_run(store_dir: Path) -> None:
    first = wbnb.init(project="auto")
    wbnb.log({"a": 1})
    first._writer.close("crashed")  # as if the process had died
    first._finished = True
    from wbnb.sdk.lifecycle import _forget

    _forget(first)
    again = wbnb.init(project="auto", resume=True)
    assert again.id == first.id and again.resumed
    wbnb.finish()
    fresh = wbnb.init(project="auto", resume=True)  # the last one finished: a new run
    assert fresh.id != first.id
    wbnb.finish()


def test_reinit(store_dir: Path) -> None:
    a = wbnb.init(project="p", reinit="finish_previous")
    b = wbnb.init(project="p", reinit="finish_previous")
    assert a.state == "finished" and b.state == "running" and wbnb.run is b
    c = wbnb.init(project="p", reinit="create_new")
    assert b.state == "running" and wbnb.run is c
    d = wbnb.init(project="p", reinit="return_previous")
    assert d is c
    c.finish()
    assert wbnb.run is b  # the previous open run becomes current again
    b.finish()
    with pytest.raises(ValueError, match="reinit must be one of"):
        wbnb.init(project="p", reinit="sometimes")


def test_cloud_only_arguments_are_accepted_and_said_once(store_dir: Path, capsys) -> None:
    wbnb.init(project="p", sync_tensorboard=True)
    wbnb.finish()
    wbnb.init(project="p", sync_tensorboard=True)
    wbnb.finish()
    assert capsys.readouterr().err.count("sync_tensorboard") == 1
    with pytest.raises(TypeError, match="unexpected argument.*bogus"):
        wbnb.init(project="p", bogus=1)


def test_alert_is_recorded_printed_and_rate_limited(store_dir: Path, capsys) -> None:
    run = wbnb.init(project="p")
    wbnb.alert("Loss exploded", "loss is <nan>", level=wbnb.AlertLevel.WARN, wait_duration=60)
    wbnb.alert("Loss exploded", "again", wait_duration=60)  # suppressed
    run.alert("Done", "ok", level="error")
    with pytest.raises(ValueError, match="level must be INFO, WARN or ERROR"):
        run.alert("x", "y", level="LOUD")
    wbnb.finish()
    err = capsys.readouterr().err
    assert "alert [WARN] Loss exploded: loss is <nan>" in err and "again" not in err
    events, _ = LocalStore(store_dir).records("p", run.id, "events")
    alerts = [(e["title"], e["level"]) for e in events if e["kind"] == "alert"]
    assert alerts == [("Loss exploded", "WARN"), ("Done", "ERROR")]


def test_login_with_local_store(store_dir: Path, capsys, monkeypatch) -> None:
    assert wbnb.login() is True
    assert str(store_dir) in capsys.readouterr().err  # login(key=...) with no server: tests/test_login_local.py
    monkeypatch.setenv("WBNB_BASE_URL", "http://127.0.0.1:9")  # nothing listens on port 9
    with pytest.raises(ServerError, match="cannot reach http://127.0.0.1:9"):
        wbnb.login(key="k")


def test_watch_logs_gradient_and_parameter_histograms(store_dir: Path) -> None:
    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    run = wbnb.init(project="p")
    wbnb.watch(model, log="all", log_freq=2)
    for _ in range(4):
        model.zero_grad()
        model(torch.randn(8, 4)).sum().backward()
        wbnb.log({"loss": 1.0})
    wbnb.finish()
    rows = stored_rows(store_dir, run)
    grads = [k for r in rows for k in r if k.startswith("gradients/")]
    params = [k for r in rows for k in r if k.startswith("parameters/")]
    assert "gradients/0.weight" in grads and "parameters/2.bias" in params
    assert len([r for r in rows if "gradients/0.weight" in r]) == 2  # every 2nd of 4 passes
    assert all(r["gradients/0.weight"]["_type"] == "histogram" for r in rows if "gradients/0.weight" in r)
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        wbnb.init(project="p").watch(object())
    wbnb.finish()


def test_summary_printed_with_sparklines(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WBNB_DIR", str(tmp_path))
    monkeypatch.setenv("WBNB_SYSTEM_INTERVAL", "0")
    monkeypatch.setenv("WBNB_CONSOLE", "0")
    wbnb.init(project="p", name="<b>bold</b>")
    for i in range(30):
        wbnb.log({"loss": 1 / (i + 1), "acc": i / 30})
    wbnb.finish()
    out = capsys.readouterr().out
    assert "Run history:" in out and "Run summary:" in out and "<b>bold</b>" in out
    loss_line = next(line for line in out.splitlines() if line.strip().startswith("loss") and "█" in line)
    assert loss_line.strip().split()[-1][0] == "█" and loss_line.strip().endswith("▁")


def test_system_metrics_and_console_are_recorded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WBNB_SILENT", "1")
    run = wbnb.init(project="ctx", dir=tmp_path, settings={"system_interval": 0.05, "console": True})
    print("hello from the loop")
    for i in range(5):
        print(f"\rprogress {i}/5", end="")
    print()
    wait_for_system_samples(run)
    wbnb.finish()
    store = LocalStore(tmp_path)
    system = list(merged(store.rows("ctx", run.id, stream="system")[0]))
    assert len(system) >= 2 and system[-1]["system/proc_rss_mb"] > 1
    lines = [r["line"] for r in store.records("ctx", run.id, "console")[0]]
    assert "hello from the loop" in lines and "progress 4/5" in lines
    assert not any("progress 0/5" in line for line in lines)
    meta = store.run("ctx", run.id)
    assert meta["metadata"]["python"].count(".") == 2 and "argv" in meta["metadata"]


def test_matplotlib_figures_and_pil_images_logged_directly_become_images(store_dir: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image as PILImage

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1, 4])
    run = wbnb.init(project="p")
    wbnb.log({"fig": fig, "pil": PILImage.new("RGB", (5, 3), (255, 0, 0)), "figs": [fig]})
    plt.close(fig)
    wbnb.finish()
    (row,) = stored_rows(store_dir, run)
    store = LocalStore(store_dir)
    assert row["fig"]["_type"] == "image" and store.media(row["fig"]["path"]).startswith(b"\x89PNG")
    assert (row["pil"]["width"], row["pil"]["height"]) == (5, 3)
    assert row["figs"][0]["_type"] == "image"


def test_finish_is_bounded_even_when_flushing_hangs(store_dir: Path) -> None:
    run = wbnb.init(project="p", settings={"finish_timeout": 0.5})
    wbnb.log({"a": 1})
    real_close = run._writer.close
    disk_back, closed = threading.Event(), threading.Event()

    def stalled_close(*args: object, **kwargs: object) -> list[str]:  # a disk that stalls until the test says
        disk_back.wait(60)
        problems = real_close(*args, **kwargs)
        closed.set()
        return problems

    run._writer.close = stalled_close
    with pytest.warns(
        RuntimeWarning, match=r"flushing the run did not finish within 0\.[0-5]s; it goes on in the background"
    ):
        wbnb.finish()  # returns while the flush is still stuck
    assert not closed.is_set() and wbnb.run is None
    assert stored_meta(store_dir, run)["state"] == "finished"  # written before the flush, not after
    disk_back.set()
    wait_for(closed.is_set, what="the flush to carry on in the background and complete")
    assert stored_meta(store_dir, run)["state"] == "finished" and len(stored_rows(store_dir, run)) == 1


def test_a_seeded_script_runs_twice_and_keeps_its_random_state(store_dir: Path) -> None:
    import random

    import torch

    def states() -> tuple:
        return random.getstate(), np.random.get_state(), torch.get_rng_state()

    runs = []
    for _ in range(2):  # the same seeded script, executed twice
        random.seed(42)
        np.random.seed(42)
        torch.manual_seed(42)
        before = states()
        run = wbnb.init(project="p", settings={"console": True, "system_interval": 0.05})
        wbnb.log({"a": 1.0, "img": wbnb.Image(np.zeros((4, 4, 3), np.uint8)), "h": wbnb.Histogram([1, 2, 3])})
        wbnb.finish()
        after = states()
        assert after[0] == before[0]  # Python's random: not read, not moved
        assert all(np.array_equal(a, b) for a, b in zip(after[1], before[1]))  # numpy's global state
        assert torch.equal(after[2], before[2])  # torch's CPU generator
        runs.append(run)
    assert runs[0].id != runs[1].id
    assert [stored_meta(store_dir, r)["state"] for r in runs] == ["finished", "finished"]


@pytest.mark.parametrize(
    "change",
    [
        lambda run: run.summary.__setitem__("acc", 1),
        lambda run: run.summary.update({"acc": 1}),
        lambda run: run.summary.__delitem__("acc"),
        lambda run: setattr(run.summary, "acc", 1),
        lambda run: run.config.__setitem__("acc", 1),
        lambda run: run.config.update({"acc": 1}),
        lambda run: setattr(run.config, "acc", 1),
        lambda run: run.alert("acc", "text"),
    ],
)
def test_summary_and_config_after_finish_say_the_run_is_finished(store_dir: Path, change) -> None:
    run = wbnb.init(project="p", name="my-run")
    wbnb.log({"acc": 0.5})
    run.summary["acc"] = 0.9
    wbnb.finish()
    with pytest.raises(RuntimeError, match=rf"'acc'.*run my-run \(p/{run.id}\) is finished"):
        change(run)
    assert run.summary["acc"] == 0.9 and stored_meta(store_dir, run)["summary"]["acc"] == 0.9


def test_finish_timeout_zero_still_records_the_final_state(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = (
        "import wbnb\n"
        "run = wbnb.init(project='p', settings={'finish_timeout': 0, 'console': True, 'system_interval': 0.05})\n"
        "for i in range(100_000):\n"
        "    wbnb.log({'a': i})\n"
        "wbnb.finish()\n"
        "print(run.id)\n"
    )
    env = {**os.environ, "WBNB_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    public = wbnb.Api({"dir": str(tmp_path)}).run(f"p/{done.stdout.split()[-1]}")
    assert public.state == "finished" and public.summary["a"] == 99_999
    assert [r["a"] for r in public.scan_history()] == list(range(100_000))
    assert "did not finish within" not in done.stderr  # 0 means "don't wait", not a failure to warn about
