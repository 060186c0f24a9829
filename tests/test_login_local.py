"""``login(key=...)`` with no server: it succeeds, keeps the key (0600) for the first
server, says runs stay local and how to point at a server; wandb's arguments are taken."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import wbnb
from wbnb.sdk import credentials, notice
from wbnb.sdk import login as login_module
from wbnb.store.local import LocalStore

KEY = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("WANDB_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(notice, "_said", set())


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (server, key) pairs login() checks; every key belongs to entity "me"."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(login_module, "check_key", lambda url, key, timeout=None: seen.append((url, key)) or "me")
    return seen


def test_a_key_without_a_server_is_kept_private_and_runs_stay_local(
    store_dir: Path, capsys: pytest.CaptureFixture[str], checked: list
) -> None:
    assert wbnb.login(key=KEY) is True
    err = capsys.readouterr().err
    assert "runs stay in the local store" in err and str(store_dir) in err
    assert "host=" in err and "WBNB_BASE_URL" in err and "WANDB_BASE_URL" in err
    path = credentials.credentials_path()
    assert json.loads(path.read_text())["key"] == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    run = wbnb.init(project="p")
    run.finish()
    assert LocalStore(store_dir).run("p", run.id)["state"] == "finished" and checked == []


def test_the_kept_key_goes_to_the_first_server(store_dir: Path, checked: list) -> None:
    wbnb.login(key=KEY)
    assert wbnb.login(host="http://10.0.0.2:8080") is True
    assert checked == [("http://10.0.0.2:8080", KEY)]
    saved = json.loads(credentials.credentials_path().read_text())
    assert saved["hosts"]["http://10.0.0.2:8080"] == {"key": KEY, "entity": "me"} and "key" not in saved


def test_wandb_arguments_are_taken(store_dir: Path, capsys: pytest.CaptureFixture[str], checked: list) -> None:
    assert wbnb.login(KEY, relogin=True, timeout=3, verify=True, anonymous="must", force=True, referrer="x")
    assert wbnb.login(key=KEY, anonymous="allow")
    err = capsys.readouterr().err
    assert err.count("login(anonymous=..., force=..., referrer=...)") == 1
    assert err.count("anonymous") == 1  # the second call's anonymous was named already
    assert "login(anonymous=...)" not in err


def test_wandb_cloud_as_host_is_no_server(store_dir: Path, capsys: pytest.CaptureFixture[str], checked: list) -> None:
    assert wbnb.login(key=KEY, host="https://api.wandb.ai") is True
    err = capsys.readouterr().err
    assert "wandb's cloud" in err and "runs stay in the local store" in err and checked == []
    assert json.loads(credentials.credentials_path().read_text())["key"] == KEY


def test_wandb_api_key_alone_needs_no_login(store_dir: Path, monkeypatch, capsys, checked: list) -> None:
    monkeypatch.setenv("WANDB_API_KEY", KEY)
    assert wbnb.login() is True
    assert "runs are stored locally" in capsys.readouterr().err and checked == []
