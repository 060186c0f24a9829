import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from wbnb.sdk.metadata import collect_metadata, detect_environment, strip_url_credentials

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "train.py").write_text("lr = 0.1\n")
    git(tmp_path, "add", "train.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def head(repo):
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()


def test_basic_fields_are_json_able():
    meta = collect_metadata(program="train.py")
    json.dumps(meta)
    assert meta["python"] == ".".join(map(str, sys.version_info[:3]))
    assert meta["python_executable"] == sys.executable
    assert meta["pid"] == os.getpid()
    assert meta["cwd"] == os.getcwd()
    assert meta["program"] == "train.py"
    assert meta["environment"] == "script" and meta["notebook"] is False
    assert meta["cpu_count"] >= 1 and meta["memory_total_mb"] > 0
    assert isinstance(meta["gpus"], list)
    assert any(p.startswith("psutil==") for p in meta["packages"])
    assert meta["packages"] == sorted(meta["packages"], key=str.lower)


def test_program_defaults_to_main_file():
    main_file = getattr(sys.modules["__main__"], "__file__", None)
    if main_file:
        assert collect_metadata()["program"] == os.path.abspath(main_file)


@needs_git
def test_git_state_of_a_dirty_repo(repo):
    (repo / "train.py").write_text("lr = 0.2\n")
    info = collect_metadata(root=str(repo))["git"]
    assert info["commit"] == head(repo)
    assert info["branch"] == "main"
    assert info["dirty"] is True
    assert "-lr = 0.1" in info["diff"] and "+lr = 0.2" in info["diff"]
    assert "remote" not in info


@needs_git
def test_clean_repo_and_default_root_is_cwd(repo, monkeypatch):
    monkeypatch.chdir(repo)
    info = collect_metadata()["git"]
    assert info["commit"] == head(repo)
    assert info["dirty"] is False and info["diff"] == ""


@needs_git
def test_remote_credentials_are_stripped(repo):
    git(repo, "remote", "add", "origin", "https://alice:s3cret@github.com/alice/proj.git")
    assert collect_metadata(root=str(repo))["git"]["remote"] == "https://github.com/alice/proj.git"


def test_strip_url_credentials():
    assert strip_url_credentials("https://ghp_token@github.com/a/b.git") == "https://github.com/a/b.git"
    assert strip_url_credentials("ssh://git:pw@host:22/a/b.git") == "ssh://host:22/a/b.git"
    assert strip_url_credentials("git@github.com:a/b.git") == "git@github.com:a/b.git"
    assert strip_url_credentials("https://github.com/a/b.git") == "https://github.com/a/b.git"


@needs_git
def test_huge_diff_is_capped(repo):
    (repo / "train.py").write_text("x = 1\n" * 400_000)  # a ~2.4 MB diff
    diff = collect_metadata(root=str(repo))["git"]["diff"]
    assert len(diff.encode()) < 1024 * 1024 + 100
    assert diff.endswith("[wbnb: diff truncated at 1 MB]\n")


def test_no_git_key_outside_a_repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert "git" not in collect_metadata(root=str(tmp_path))


def test_no_git_key_when_git_is_missing(repo, monkeypatch):
    monkeypatch.setenv("PATH", "")
    meta = collect_metadata(root=str(repo))
    assert "git" not in meta and meta["gpus"] == []


class FakeShell:
    def __init__(self, user_ns, kernel=True):
        self.user_ns = user_ns
        if kernel:
            self.kernel = object()


@pytest.fixture
def shell(monkeypatch):
    """Pretend to run inside IPython with the given shell object."""
    import IPython

    def install(fake):
        monkeypatch.setattr(IPython, "get_ipython", lambda: fake)
        monkeypatch.setattr(sys.modules["__main__"], "__file__", None, raising=False)

    for key in [k for k in os.environ if k.startswith("COLAB_") or k == "JPY_SESSION_NAME"]:
        monkeypatch.delenv(key)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    return install


def test_detect_environment(shell, monkeypatch):
    assert detect_environment() == "script"
    shell(FakeShell({}, kernel=False))
    assert detect_environment() == "ipython"
    shell(FakeShell({}))
    assert detect_environment() == "jupyter"
    shell(FakeShell({"__vsc_ipynb_file__": "/w/nb.ipynb"}))
    assert detect_environment() == "vscode"
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20240101")
    assert detect_environment() == "colab"
    monkeypatch.setitem(sys.modules, "marimo", SimpleNamespace(running_in_notebook=lambda: True))
    assert detect_environment() == "marimo"  # its kernel has no IPython shell
    shell(None)
    assert detect_environment() == "marimo"
    monkeypatch.setitem(sys.modules, "marimo", SimpleNamespace(running_in_notebook=lambda: False))
    assert detect_environment() == "script"  # marimo imported by a script


def test_metadata_takes_the_environment_its_caller_saw():
    """marimo's context belongs to the thread that runs the cell; metadata is collected on another."""
    meta = collect_metadata(environment="marimo")
    assert meta["environment"] == "marimo" and meta["notebook"] is True


def test_notebook_program_detection(shell, monkeypatch):
    shell(FakeShell({"__vsc_ipynb_file__": "/w/nb.ipynb"}))
    meta = collect_metadata()
    assert meta["program"] == "/w/nb.ipynb" and meta["notebook"] is True

    shell(FakeShell({}))
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/exp.ipynb")
    meta = collect_metadata()
    assert meta["program"] == "/home/me/exp.ipynb" and meta["environment"] == "jupyter"

    monkeypatch.delenv("JPY_SESSION_NAME")
    monkeypatch.setenv("COLAB_GPU", "1")
    assert collect_metadata()["program"] == "colab"
