"""wandb's environment variables apply where no ``WBNB_*`` one is set; ``config-defaults.yaml``
is read; ``mode="disabled"`` makes the module-level calls no-ops. Outcomes are read back
from the store (or its absence)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import wbnb
from wbnb.sdk import login as login_module
from wbnb.sdk import notice
from wbnb.store.local import LocalStore


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No wandb variable from the machine; notices not yet said in this process."""
    for name in [k for k in os.environ if k.startswith("WANDB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(notice, "_said", set())


def _meta(store_dir: Path, run: wbnb.Run) -> dict:
    return LocalStore(store_dir).run(run.project, run.id)


@pytest.mark.parametrize(("value", "disabled"), [("true", True), ("1", True), ("false", False)])
def test_wandb_disabled_true_is_mode_disabled(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str, disabled: bool
) -> None:
    monkeypatch.setenv("WANDB_DISABLED", value)  # wandb's (and Hugging Face docs') way to turn logging off
    run = wbnb.init(project="p")
    assert run.disabled is disabled
    wbnb.finish()
    assert LocalStore(store_dir).runs("p") == [] if disabled else len(LocalStore(store_dir).runs("p")) == 1


def test_wandb_mode_disabled_logs_nothing_and_module_calls_are_no_ops(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "disabled")
    run = wbnb.init(project="p", config={"lr": 0.1})
    assert run.disabled and wbnb.run is run
    wbnb.log({"a": 1})
    wbnb.config.epochs = 3
    wbnb.summary["best"] = 1
    assert wbnb.save("*.txt") == []
    wbnb.define_metric("a", summary="max")
    wbnb.alert("title", "text")
    wbnb.watch(object())
    wbnb.unwatch()
    wbnb.log_code(".")
    wbnb.mark_preempting()
    assert (wbnb.config.lr, wbnb.config.epochs, wbnb.summary["best"]) == (0.1, 3, 1)
    wbnb.finish()
    assert wbnb.run is None
    with pytest.raises(wbnb.PreInitError):
        wbnb.log({"a": 1})  # after finish, as before init
    assert not store_dir.exists()


def test_init_mode_disabled_makes_module_level_calls_no_ops(store_dir: Path) -> None:
    with wbnb.init(project="p", mode="disabled") as run:
        wbnb.log({"a": 1})
        wbnb.config.update({"lr": 0.1})
        wbnb.summary.update({"x": 1})
        assert wbnb.config is run.config
    assert wbnb.run is None and not store_dir.exists()


@pytest.mark.parametrize(("value", "mode"), [("offline", "offline"), ("dryrun", "offline"), ("run", "online")])
def test_wandb_mode_and_its_aliases(store_dir: Path, monkeypatch, value: str, mode: str) -> None:
    monkeypatch.setenv("WANDB_MODE", value)
    run = wbnb.init(project="p")
    run.finish()
    assert run.mode == mode and _meta(store_dir, run)["mode"] == mode


def test_wbnb_variables_win_over_wandb_ones(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_MODE", "disabled")
    monkeypatch.setenv("WBNB_MODE", "offline")
    monkeypatch.setenv("WANDB_PROJECT", "wandb-p")
    monkeypatch.setenv("WBNB_PROJECT", "wbnb-p")
    run = wbnb.init()
    run.finish()
    assert (run.mode, run.project) == ("offline", "wbnb-p")


def test_wandb_run_identity_variables(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "envp")
    monkeypatch.setenv("WANDB_ENTITY", "team")
    monkeypatch.setenv("WANDB_NAME", "nm")
    monkeypatch.setenv("WANDB_NOTES", "why")
    monkeypatch.setenv("WANDB_TAGS", "a, b")
    monkeypatch.setenv("WANDB_RUN_GROUP", "g")
    monkeypatch.setenv("WANDB_JOB_TYPE", "eval")
    run = wbnb.init()
    run.finish()
    meta = _meta(store_dir, run)
    got = [meta[k] for k in ("project", "entity", "name", "notes", "tags", "group", "job_type")]
    assert got == ["envp", "team", "nm", "why", ["a", "b"], "g", "eval"]
    run = wbnb.init(project="mine", name="own", tags=["t"], group="own-g")  # init's arguments win
    run.finish()
    meta = _meta(store_dir, run)
    assert [meta[k] for k in ("project", "name", "tags", "group", "job_type")] == [
        "mine",
        "own",
        ["t"],
        "own-g",
        "eval",
    ]


def test_wandb_run_id_and_resume(store_dir: Path, monkeypatch) -> None:
    run = wbnb.init(project="p", id="r")
    run.log({"a": 1})
    run.finish()
    monkeypatch.setenv("WANDB_RUN_ID", "r")
    monkeypatch.setenv("WANDB_RESUME", "must")
    run = wbnb.init(project="p")
    run.log({"a": 2})
    run.finish()
    assert run.id == "r" and run.resumed
    rows = wbnb.Api().run("p/r").history(pandas=False)
    assert [(r["_step"], r["a"]) for r in rows] == [(0, 1), (1, 2)]


def test_wandb_dir_holds_the_store_under_wbnb_runs(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WBNB_DIR")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path / "root"))
    run = wbnb.init(project="p")
    run.finish()
    assert LocalStore(tmp_path / "root" / "wbnb-runs").run("p", run.id)["state"] == "finished"
    monkeypatch.setenv("WBNB_DIR", str(store_dir))  # wbnb's own variable names the store itself
    run = wbnb.init(project="p")
    run.finish()
    assert _meta(store_dir, run)["state"] == "finished"


def test_wandb_silent(store_dir: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("WBNB_SILENT")
    monkeypatch.setenv("WANDB_SILENT", "true")
    wbnb.init(project="p").finish()
    out = capsys.readouterr()
    assert out.out == out.err == ""


@pytest.mark.parametrize(("value", "captured"), [("off", False), ("wrap", True), ("redirect", True)])
def test_wandb_console(store_dir: Path, monkeypatch, value: str, captured: bool) -> None:
    monkeypatch.delenv("WBNB_CONSOLE")
    monkeypatch.setenv("WANDB_CONSOLE", value)
    run = wbnb.init(project="p")
    print("hello from the loop")
    run.finish()
    store = LocalStore(store_dir)
    assert store.run("p", run.id)["state"] == "finished"  # the run is in this store
    lines = [r.get("line") for r in store.records("p", run.id, "console")[0]]
    assert ("hello from the loop" in lines) is captured


def test_wandb_base_url_of_wandb_cloud_is_ignored_once(store_dir: Path, monkeypatch, capsys) -> None:
    def no_network(*args: object, **kwargs: object) -> str:
        raise AssertionError("wbnb tried to reach a server")

    monkeypatch.setattr(login_module, "check_key", no_network)
    monkeypatch.setenv("WANDB_BASE_URL", "https://api.wandb.ai")
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    for _ in range(2):
        run = wbnb.init(project="p")
        run.finish()
        assert _meta(store_dir, run)["state"] == "finished"
    err = capsys.readouterr().err
    assert err.count("WANDB_BASE_URL=https://api.wandb.ai is wandb's cloud") == 1


def test_wandb_base_url_of_another_server_is_used_with_wandb_api_key(store_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_BASE_URL", "http://127.0.0.1:9")  # nothing listens on port 9
    monkeypatch.setenv("WANDB_API_KEY", "k" * 40)
    with pytest.raises(wbnb.errors.CommError, match="127.0.0.1:9"):
        wbnb.init(project="p")


def test_wandb_api_key_is_not_sent_to_a_server_named_by_wbnb(store_dir: Path, monkeypatch) -> None:
    sent = []
    monkeypatch.setattr(login_module, "check_key", lambda url, key, timeout=None: sent.append(key) or "me")
    monkeypatch.setenv("WBNB_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("WANDB_API_KEY", "wandb-cloud-key")
    with pytest.raises(ValueError, match="no API key for http://127.0.0.1:9"):
        wbnb.init(project="p")
    assert sent == []


def test_wandb_config_dir_keeps_wbnb_files_apart(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.delenv("WBNB_CONFIG_DIR")
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "cfg"))
    (tmp_path / "cfg").mkdir()
    theirs = tmp_path / "cfg" / "credentials.json"  # wandb's own file: left alone
    theirs.write_text('{"credentials": {}}')
    assert wbnb.login(key="0123456789") is True
    assert json.loads((tmp_path / "cfg" / "wbnb" / "credentials.json").read_text())["key"] == "0123456789"
    assert theirs.read_text() == '{"credentials": {}}'


def test_config_defaults_yaml_is_read_before_init_config(store_dir: Path, tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("yaml")
    monkeypatch.chdir(tmp_path)
    Path("config-defaults.yaml").write_text(
        "wandb_version: 1\nlr:\n  desc: learning rate\n  value: 0.3\nepochs: 5\nbatch:\n  value: 8\n"
    )
    run = wbnb.init(project="p", config={"lr": 0.5})
    run.finish()
    assert _meta(store_dir, run)["config"] == {"lr": 0.5, "epochs": 5, "batch": 8}


def test_config_defaults_yaml_without_pyyaml_is_said_once(store_dir: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config-defaults.yaml").write_text("lr: 0.3\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml raises ImportError
    for _ in range(2):
        run = wbnb.init(project="p", config={"epochs": 2})
        run.finish()
        assert _meta(store_dir, run)["config"] == {"epochs": 2}
    err = capsys.readouterr().err
    assert err.count("config-defaults.yaml was not read: reading it needs PyYAML") == 1


def test_import_wbnb_leaves_the_limits_checker_until_a_field_is_checked() -> None:
    """``import wbnb`` stays light: run metadata's limits (annotated-types) are imported
    at the first check, which still enforces them (``runmeta.declaration``)."""
    code = (
        "import sys, wbnb\n"
        "assert 'annotated_types' not in sys.modules, 'import wbnb imported annotated_types'\n"
        "from wbnb.store.runmeta import check_field\n"
        "assert check_field('tags', ['a']) == ['a']\n"
        "for field, value in (('name', 'a' * 1025), ('tags', ['']), ('metrics', {'k': {'summary': 'bogus'}})):\n"
        "    try:\n"
        "        check_field(field, value)\n"
        "    except ValueError:\n"
        "        continue\n"
        "    raise AssertionError(f'{field}={value!r:.40} was taken')\n"
        "assert 'annotated_types' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
