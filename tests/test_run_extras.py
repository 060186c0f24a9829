"""Run extras: ``log_code``, ``mark_preempting``, ``restore`` and the URL forms, each
read back from the store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

import wbnb
import wbnb as wandb
from wbnb.sdk.run_extras import project_url, run_url, sweep_url


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A source tree with code, tooling folders that must be skipped, and other files."""
    root = tmp_path / "proj"
    files = {
        "train.py": "print('train')\n",
        "models/net.py": "class Net: ...\n",
        "requirements.txt": "numpy\n",
        "Dockerfile": "FROM python\n",
        "README.md": "# readme\n",
        ".git/hooks/pre.py": "hook\n",
        "wandb/run-1/files/code.py": "old wandb run\n",
        "__pycache__/train.cpython.py": "cache\n",
        "myenv/pyvenv.cfg": "home = /usr\n",
        "myenv/lib/site.py": "a virtualenv's own file\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    monkeypatch.chdir(root)
    return root


def manifest(run_id: str, project: str = "p") -> dict[str, Any]:
    stored = wbnb.Api().run(f"{project}/{run_id}")
    return json.loads(stored.media(stored.meta["code"]["path"]))


def test_log_code_stores_the_source_files_by_content(project: Path, store_dir: Path) -> None:
    run = wandb.init(project="p")
    logged = run.log_code()
    run.finish()
    assert logged is not None
    expected = ["Dockerfile", "models/net.py", "requirements.txt", "train.py"]
    assert list(logged.files) == expected
    stored = wbnb.Api().run(f"p/{run.id}")
    assert stored.meta["code"] == {"name": logged.name, "path": logged.path, "files": 4}
    events = [e for e in stored.events() if e["kind"] == "code"]
    assert [(e["name"], e["path"], e["files"]) for e in events] == [(logged.name, logged.path, 4)]
    body = manifest(run.id)
    assert body["root"] == str(project) and sorted(body["files"]) == expected
    for rel, entry in body["files"].items():
        assert stored.media(entry["path"]) == (project / rel).read_bytes()
        assert entry["size"] == (project / rel).stat().st_size


def test_the_same_code_from_two_runs_is_stored_once(project: Path, store_dir: Path) -> None:
    paths = []
    for _ in range(2):
        run = wandb.init(project="p", reinit="create_new")
        run.log_code()
        run.finish()
        paths.append(manifest(run.id)["files"]["train.py"]["path"])
    assert paths[0] == paths[1]
    assert len(list(store_dir.glob("media/*/*.py"))) == 2  # train.py and models/net.py, once each


def test_log_code_takes_wandbs_one_and_two_argument_filters(project: Path, store_dir: Path) -> None:
    run = wandb.init(project="p")
    docs = run.log_code(".", name="docs", include_fn=lambda path: path.endswith(".md"))
    nets = run.log_code(
        str(project),
        include_fn=lambda path, root: path.endswith(".py"),
        exclude_fn=lambda path, root: not os.path.relpath(path, root).startswith("models"),
    )
    run.finish()
    assert docs is not None and docs.name == "docs" and docs.files == ("README.md",)
    # A custom exclude_fn replaces the default one, as in wandb: only what it excludes is left out.
    assert nets is not None and nets.files == ("models/net.py",)
    assert sorted(manifest(run.id)["files"]) == ["models/net.py"]  # run.json keeps the latest call


def test_log_code_with_nothing_to_log_warns_and_stores_nothing(
    project: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = wandb.init(project="p")
    assert run.log_code(include_fn=lambda path: path.endswith(".rs")) is None
    assert wandb.log_code(root=None) is None  # the module-level call acts on the current run
    run.finish()
    assert "log_code: no files to log" in capsys.readouterr().err
    stored = wbnb.Api().run(f"p/{run.id}")
    assert "code" not in stored.meta and not [e for e in stored.events() if e["kind"] == "code"]


def test_log_code_never_walks_into_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WBNB_SILENT", "1")
    (tmp_path / "main.py").write_text("x = 1\n")
    run = wandb.init(project="p", dir=str(tmp_path / "runs"))  # a store whose name is not a skipped one
    (Path(run.dir) / "saved.py").write_text("a copy kept with the run\n")
    logged = run.log_code(exclude_fn=lambda path: False)
    run.finish()
    assert logged is not None and logged.files == ("main.py",)


def test_mark_preempting_is_recorded_and_the_run_keeps_running(
    store_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wbnb.sdk import notice

    monkeypatch.setattr(notice, "_said", set())  # said once per process: other tests may have said it
    run = wandb.init(project="p")
    wandb.mark_preempting()
    stored = wbnb.Api().run(f"p/{run.id}")
    assert stored.state == "running" and stored.meta["preempting_at"] > 0
    assert [e["kind"] for e in stored.events()] == ["preempting"]
    assert "marked as preempting" in capsys.readouterr().err
    run.log({"loss": 1.0})
    run.finish()
    assert wbnb.Api().run(f"p/{run.id}").state == "finished"


def test_restore_copies_a_saved_file_and_opens_it(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = wandb.init(project="p")
    (Path(first.dir) / "ckpt").mkdir()
    (Path(first.dir) / "ckpt" / "model.txt").write_text("weights v1")
    first.finish()
    with wandb.restore("ckpt/model.txt", run_path=f"p/{first.id}") as f:  # no run: into the working directory
        assert f.read() == "weights v1" and Path(f.name) == tmp_path / "ckpt" / "model.txt"
    (tmp_path / "ckpt" / "model.txt").write_text("edited here")
    with wandb.restore("ckpt/model.txt", run_path=f"p/{first.id}") as f:
        assert f.read() == "edited here"  # already there: kept unless replace
    with wandb.restore("ckpt/model.txt", run_path=f"{first.entity}/p/{first.id}", replace=True) as f:
        assert f.read() == "weights v1"
    second = wandb.init(project="p", reinit="create_new")
    with wandb.restore("ckpt/model.txt", run_path=f"p/{first.id}") as f:  # a run: into its dir, kept with it
        assert f.read() == "weights v1" and Path(f.name).parent.parent == Path(second.dir)
    with second.restore("ckpt/model.txt") as f:  # the run's own file: already in place
        assert f.read() == "weights v1"
    second.finish()


def test_restore_says_what_the_run_has_when_a_file_is_missing(store_dir: Path) -> None:
    run = wandb.init(project="p")
    (Path(run.dir) / "a.txt").write_text("a")
    run.finish()
    with pytest.raises(ValueError, match=r"has no file 'b.txt'; its files: \['a.txt'\]"):
        wandb.restore("b.txt", run_path=f"p/{run.id}", root=str(store_dir.parent / "out"))
    with pytest.raises(ValueError, match="relative path"):
        wandb.restore("../escape.txt", run_path=f"p/{run.id}")
    with pytest.raises(ValueError, match="run_path"):
        wandb.restore("a.txt")  # no current run to restore from


def test_disabled_run_extras_do_nothing(store_dir: Path) -> None:
    run = wandb.init(mode="disabled")
    assert run.log_code() is None and run.restore("model.txt") is None
    run.mark_preempting()
    assert run.sweep_url is None and run.sweep_id is None
    run.finish()
    assert not store_dir.exists()


def test_url_forms_of_a_local_run(store_dir: Path) -> None:
    run = wandb.init(project="p")
    run.finish()
    run_dir = store_dir / "projects" / "p" / run.id
    assert run.url == run_dir.as_uri() and Path(run.dir) == run_dir / "files"
    assert run.project_url == run_dir.parent.as_uri()
    assert run.sweep_id is None and run.sweep_url is None


def test_url_forms_of_a_server_run_and_a_sweep(tmp_path: Path) -> None:
    meta = {"id": "r 1", "project": "my proj", "remote": {"url": "http://host:8080", "entity": "team"}}
    base = "http://host:8080/api/v1/entities/team/projects/my%20proj"
    files = str(tmp_path / "projects" / "my proj" / "r 1" / "files")
    assert run_url(meta, files) == f"{base}/runs/r%201"
    assert project_url(meta, files) == f"{base}/runs"
    assert sweep_url(meta, files) is None
    assert sweep_url({**meta, "sweep_id": "s1"}, files) == f"{base}/sweeps/s1"
    local = {"id": "r 1", "project": "my proj", "sweep_id": "s1"}
    assert sweep_url(local, files) == (tmp_path / "projects" / "my proj").as_uri() + "/sweeps/s1"
