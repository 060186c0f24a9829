"""Module-level calls of the wandb surface: termlog/termwarn/termerror, require, setup,
teardown, and the deep ``wandb.sdk.wandb_run`` attribute path."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wbnb as wandb
from wbnb.sdk import term


@pytest.fixture(autouse=True)
def _fresh_term(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(term, "_printed", set())  # repeat=False memory is per process


def test_termlog_prefixes_each_line_and_writes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    wandb.termlog("loading\ndone")
    wandb.termlog("no prefix", prefix=False)
    wandb.termlog("same line ", newline=False)
    wandb.termlog("continued", prefix=False)
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err == "wbnb: loading\nwbnb: done\nno prefix\nwbnb: same line continued\n"


def test_termwarn_and_termerror_mark_their_lines(capsys: pytest.CaptureFixture[str]) -> None:
    wandb.termwarn("disk nearly full")
    wandb.termerror("cannot write\nretrying")
    assert capsys.readouterr().err == (
        "wbnb: WARNING disk nearly full\nwbnb: ERROR cannot write\nwbnb: ERROR retrying\n"
    )


def test_repeat_false_prints_a_message_once(capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        wandb.termlog("once", repeat=False)
        wandb.termwarn("warned once", repeat=False)
    wandb.termlog("once")  # repeat=True always prints
    assert capsys.readouterr().err == "wbnb: once\nwbnb: WARNING warned once\nwbnb: once\n"


def test_silent_quiets_termlog_but_not_warnings_or_errors(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, store_dir: Path
) -> None:
    monkeypatch.setenv("WBNB_SILENT", "1")
    wandb.termlog("chatter")
    wandb.termwarn("trouble")
    wandb.termerror("failure")
    assert capsys.readouterr().err == "wbnb: WARNING trouble\nwbnb: ERROR failure\n"
    monkeypatch.setenv("WBNB_SILENT", "0")
    run = wandb.init(project="p", settings={"silent": True})  # the run's settings win over the environment
    wandb.termlog("chatter")
    run.finish()
    wandb.termlog("back")
    assert capsys.readouterr().err == "wbnb: back\n"


def test_require_accepts_wandbs_names_and_says_once_what_they_mean(capsys: pytest.CaptureFixture[str]) -> None:
    wandb.require("core")
    wandb.require("core")
    wandb.require(["service", "legacy-service@beta"])
    wandb.require(experiment="core")
    wandb.require()  # nothing asked
    err = capsys.readouterr().err
    assert err.count("require('core')") == 1 and "nothing to turn on" in err
    assert "require('service')" in err and "require('legacy-service@beta')" in err


def test_require_warns_once_about_an_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    wandb.require("teleport")
    wandb.require("teleport")
    err = capsys.readouterr().err
    assert err.count("WARNING require('teleport'): not a requirement wbnb knows") == 1


def test_setup_settings_apply_to_later_runs_and_child_processes(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("WBNB_PROJECT", "WBNB_SAVE_CODE"):
        monkeypatch.setenv(name, "")  # empty reads as unset; after the test monkeypatch puts back what was there
    assert wandb.setup(settings={"project": "from-setup", "save_code": True}) is wandb.setup()
    assert wandb.setup().settings.project == "from-setup"
    run = wandb.init()
    assert run.project == "from-setup" and run.settings.save_code is True
    run.finish()
    child = subprocess.run(
        [sys.executable, "-c", "import wbnb; r = wbnb.init(); r.finish(); print(r.project)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ,
        check=True,
    )
    assert child.stdout.strip() == "from-setup"
    assert {r.project for r in wandb.Api().runs("from-setup")} == {"from-setup"}
    assert len(wandb.Api().runs("from-setup")) == 2
    assert wandb.init(project="explicit").project == "explicit"  # init's own argument still wins
    wandb.finish()


def test_setup_names_once_a_setting_it_cannot_make_process_wide(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wandb.setup(settings=wandb.Settings(allow_val_change=True))
    wandb.setup(settings={"allow_val_change": True})
    err = capsys.readouterr().err
    assert err.count("allow_val_change cannot be set for the whole process") == 1
    assert "init(settings=...)" in err
    assert "WBNB_ALLOW_VAL_CHANGE" not in os.environ


def test_teardown_finishes_every_open_run(store_dir: Path) -> None:
    first = wandb.init(project="p", reinit="create_new")
    second = wandb.init(project="p", reinit="create_new")
    wandb.teardown(exit_code=1)
    assert wandb.run is None
    states = {r.id: r.state for r in wandb.Api().runs("p")}
    assert states == {first.id: "failed", second.id: "failed"}
    wandb.teardown()  # nothing open: nothing to do


def test_deep_wandb_run_paths_work_as_attributes_in_a_fresh_interpreter(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        import wbnb as wandb
        assert "wbnb.sdk.wandb_run" not in sys.modules  # nothing imported it: the attribute path must
        run = wandb.init(project="deep")
        assert isinstance(run, wandb.sdk.wandb_run.Run)
        wandb.sdk.wandb_run.finish()
        assert wandb.run is None
        print(wandb.Api().run("deep/" + run.id).state)
        """
    )
    env = {**os.environ, "WBNB_DIR": str(tmp_path / "store"), "WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "finished"
