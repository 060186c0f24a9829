"""``wbnb.Settings(...)`` takes wandb's field names and value forms, names the ones with no
local meaning once, refuses unknown ones with close matches, and merges with the
environment: defaults < environment < Settings / settings= < init() arguments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wbnb
from wbnb.sdk import notice
from wbnb.store.local import LocalStore


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("WANDB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(notice, "_said", set())


def test_wandb_field_names_reach_the_stored_run(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WBNB_DIR")
    monkeypatch.delenv("WBNB_SYSTEM_INTERVAL")
    settings = wbnb.Settings(
        project="p",
        entity="team",
        run_name="n",
        run_id="rid",
        run_notes="why",
        run_tags=("a", "b"),
        run_group="g",
        run_job_type="train",
        root_dir=str(tmp_path / "root"),
        x_disable_stats=True,
        mode="dryrun",
    )
    run = wbnb.init(settings=settings)
    run.finish()
    meta = LocalStore(tmp_path / "root" / "wbnb-runs").run("p", "rid")
    got = [meta[k] for k in ("entity", "name", "notes", "tags", "group", "job_type", "mode")]
    assert got == ["team", "n", "why", ["a", "b"], "g", "train", "offline"]
    assert run.settings.system_interval == 0  # x_disable_stats: no sampler
    assert LocalStore(tmp_path / "root" / "wbnb-runs").rows("p", "rid", "system")[0] == []


def test_a_settings_object_merges_with_the_environment(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WBNB_PROJECT", "from-env")
    run = wbnb.init(settings=wbnb.Settings(entity="team"))
    run.finish()
    meta = LocalStore(store_dir).run("from-env", run.id)  # WBNB_DIR and WBNB_PROJECT kept
    assert (meta["project"], meta["entity"]) == ("from-env", "team")
    assert run.settings.silent and run.settings.system_interval == 0  # the fixture's WBNB_* kept too


def test_precedence_defaults_env_settings_init(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WBNB_PROJECT", "env")
    monkeypatch.setenv("WANDB_NAME", "env-name")
    for settings in (
        wbnb.Settings(project="settings", run_name="s-name"),
        {"project": "settings", "run_name": "s-name"},
    ):
        run = wbnb.init(settings=settings)
        run.finish()
        assert (run.project, run.name) == ("settings", "s-name")
    run = wbnb.init(project="arg", name="arg-name", settings=wbnb.Settings(project="settings", run_name="s-name"))
    run.finish()
    assert (run.project, run.name) == ("arg", "arg-name")
    assert LocalStore(store_dir).run("arg", run.id)["name"] == "arg-name"


@pytest.mark.parametrize(("value", "on"), [("off", False), ("auto", True), ("wrap", True), ("redirect", True)])
def test_console_takes_wandb_values(store_dir: Path, monkeypatch, value: str, on: bool) -> None:
    monkeypatch.delenv("WBNB_CONSOLE")
    run = wbnb.init(project="p", settings=wbnb.Settings(console=value))
    print("a line for the run")
    run.finish()
    store = LocalStore(store_dir)
    assert store.run("p", run.id)["state"] == "finished"  # the run is in this store
    lines = [r.get("line") for r in store.records("p", run.id, "console")[0]]
    assert ("a line for the run" in lines) is on


def test_bad_values_name_the_setting() -> None:
    with pytest.raises(ValueError, match=r"console='loud'.*console is 'off' or one of auto, wrap"):
        wbnb.Settings(console="loud")
    with pytest.raises(ValueError, match=r"mode='cloud'.*online, offline, disabled"):
        wbnb.Settings(mode="cloud")
    with pytest.raises(ValueError, match=r"silent='maybe': expected true or false"):
        wbnb.Settings(silent="maybe")


def test_wandb_fields_without_local_meaning_are_named_once(capsys) -> None:
    s = wbnb.Settings(start_method="thread", init_timeout=5, _disable_meta=True, show_info=False, x_label="a")
    wbnb.Settings(start_method="fork", project="p")
    err = capsys.readouterr().err
    assert err.count("start_method") == 1 and err.count("init_timeout") == 1 and err.count("_disable_meta") == 1
    assert "no meaning for a local store" in err
    assert s == wbnb.Settings()  # nothing local changed


def test_unknown_names_raise_with_close_matches(store_dir: Path) -> None:
    with pytest.raises(TypeError, match=r"unknown setting 'projct'; did you mean 'project'"):
        wbnb.Settings(projct="p")
    with pytest.raises(TypeError, match=r"unknown setting 'run_nam'; did you mean 'run_name'"):
        wbnb.init(settings={"run_nam": "x"})


def test_base_url_of_wandb_cloud_is_ignored(capsys) -> None:
    assert wbnb.Settings(base_url="https://api.wandb.ai").base_url is None
    assert "wandb's cloud" in capsys.readouterr().err
    assert wbnb.Settings(base_url="http://10.0.0.2:8080").base_url == "http://10.0.0.2:8080"


def test_setup_takes_wandb_names_for_later_runs(store_dir: Path, monkeypatch) -> None:
    monkeypatch.delenv("WBNB_CONSOLE")  # both are restored after the test, whatever setup() writes
    monkeypatch.setenv("WBNB_RUN_GROUP", "")
    wbnb.setup(settings=wbnb.Settings(run_group="grp", console="off"))
    run = wbnb.init(project="p")
    print("not captured")
    run.finish()
    assert LocalStore(store_dir).run("p", run.id)["group"] == "grp"
    assert LocalStore(store_dir).records("p", run.id, "console")[0] == []
