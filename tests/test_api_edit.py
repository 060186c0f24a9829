"""The public API's read-and-edit loop on the local store: a run's files listed and
downloaded, edits kept by ``update()``, ``delete()``, projects, and the wandb forms of
ordering, filters and history. Every check reads back through a fresh ``Api()`` (or
the store's folder)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wbnb
from wbnb.api import Api
from wbnb.api_files import NoSuchFile
from wbnb.errors import CommError
from wbnb.store.base import RunBusy, RunNotFound
from wbnb.store.local import LocalStore
from wbnb.store.runfiles import FileExists


def logged_run(tmp_path: Path, project: str = "p") -> Any:
    """A finished run with a saved file (nested), logged code and a logged image."""
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True, exist_ok=True)
    (src / "train.py").write_text("print('train')\n")
    (src / "pkg" / "model.py").write_text("W = 1\n")
    run = wbnb.init(project=project, config={"lr": 0.1, "opt": "sgd"}, tags=["a"])
    for i in range(3):
        run.log({"loss": 1.0 / (i + 1)})
    run.log({"sample": wbnb.Image(np.full((4, 4, 3), 200, dtype=np.uint8))})
    (Path(run.dir) / "ckpt").mkdir()
    (Path(run.dir) / "ckpt" / "model.txt").write_text("weights")
    run.log_code(str(src))
    run.finish()
    return run


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


# -- files ----------------------------------------------------------------------------------


def test_files_lists_saved_code_and_media_files_as_wandb_names_them(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = Api().run(f"p/{run.id}")
    files = public.files()
    names = [f.name for f in files]
    assert names[:3] == ["ckpt/model.txt", "code/pkg/model.py", "code/train.py"]
    assert len(names) == 4 and names[3].startswith("media/images/sample_3_") and names[3].endswith(".png")
    saved = public.file("ckpt/model.txt")
    assert (saved.size, saved.md5, saved.mimetype) == (7, b64md5(b"weights"), "text/plain")
    assert saved.url == saved.direct_url == (Path(run.dir) / "ckpt" / "model.txt").as_uri()
    assert datetime.datetime.fromisoformat(saved.updated_at).year >= 2024
    code = public.file("code/train.py")
    assert code.size == len("print('train')\n") and code.md5 == b64md5(b"print('train')\n")
    image = files[3]
    assert image.url.startswith((store_dir / "media").as_uri()) and image.size > 0
    assert [f.name for f in public.files(names=["code/train.py", "nope"])] == ["code/train.py"]
    assert [f.name for f in public.files(pattern="code/%.py")] == ["code/pkg/model.py", "code/train.py"]
    assert len(files) == 4 and repr(files).startswith("<Files ")


def test_file_download_writes_the_bytes_and_refuses_to_overwrite_unless_asked(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = Api().run(f"p/{run.id}")
    out = tmp_path / "out"
    with public.file("ckpt/model.txt").download(root=str(out)) as f:
        assert f.read() == "weights" and Path(f.name) == out / "ckpt" / "model.txt"
    (out / "ckpt" / "model.txt").write_text("edited here")
    with pytest.raises(FileExists, match="replace=True") as refused:
        public.file("ckpt/model.txt").download(root=str(out))
    assert isinstance(refused.value, ValueError) and isinstance(refused.value, CommError)  # wandb raises both ways
    assert (out / "ckpt" / "model.txt").read_text() == "edited here"
    with public.file("ckpt/model.txt").download(root=str(out), exist_ok=True) as f:
        assert f.read() == "edited here"
    with public.file("ckpt/model.txt").download(root=str(out), replace=True) as f:
        assert f.read() == "weights"
    with public.file("code/pkg/model.py").download(root=str(out)) as f:
        assert f.read() == "W = 1\n"
    image = next(f for f in public.files() if f.name.startswith("media/"))
    image.download(root=str(out)).close()
    assert (out / image.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.size == (
        out / image.name
    ).stat().st_size
    assert sorted(p.name for p in out.rglob("*.tmp")) == []  # no temp file left behind
    with pytest.raises(NoSuchFile, match=r"has no file 'nope.txt'; its files: \['ckpt/model.txt'"):
        public.file("nope.txt")


def test_restore_reads_the_same_listing_code_files_included(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = logged_run(tmp_path)
    monkeypatch.chdir(tmp_path)
    restored = wbnb.restore("code/train.py", run_path=f"p/{run.id}")
    assert restored is not None
    with restored as f:
        assert f.read() == "print('train')\n" and Path(f.name) == tmp_path / "code" / "train.py"


def test_a_running_run_lists_what_its_folder_holds_now(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    (Path(run.dir) / "early.txt").write_text("1")
    assert [f.name for f in Api().run(f"p/{run.id}").files()] == ["early.txt"]
    run.finish()


# -- edits -----------------------------------------------------------------------------------


def test_update_keeps_every_edited_field(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = Api().run(f"p/{run.id}")
    public.summary["best"] = 0.5
    del public.summary["loss"]
    public.config["lr"] = 0.01
    del public.config["opt"]
    public.tags.append("b")
    public.name = "renamed"
    public.notes = "a note"
    public.group = "g1"
    public.job_type = "eval"
    public.update()

    again = Api().run(f"p/{run.id}")
    assert again.summary["best"] == 0.5 and "loss" not in again.summary
    assert again.config == {"lr": 0.01}
    assert again.tags == ["a", "b"]
    assert (again.name, again.display_name, again.notes, again.group, again.job_type) == (
        "renamed",
        "renamed",
        "a note",
        "g1",
        "eval",
    )
    assert again.state == "finished" and again.meta["ended_at"] == public.meta["ended_at"]  # nothing else moved
    on_disk = json.loads((LocalStore(store_dir).run_dir("p", run.id) / "run.json").read_text())
    assert on_disk["name"] == "renamed" and on_disk["summary_explicit"]["best"] == 0.5


def test_assigned_fields_and_the_summarys_own_update(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = Api().run(f"p/{run.id}")
    copy = public.summary._json_dict
    copy["loss"] = -1.0  # a plain copy: changing it changes nothing
    assert isinstance(copy, dict) and type(copy) is dict and public.summary["loss"] != -1.0
    public.summary.update({"acc": 0.9})  # kept at once, as wandb's summary.update()
    assert Api().run(f"p/{run.id}").summary["acc"] == 0.9
    public.tags = ("x", "y")
    public.config = {"only": 1}
    public.display_name = "shown"
    public.description = "described"
    public.save()  # wandb's other name for update()
    again = Api().run(f"p/{run.id}")
    assert (again.tags, again.config, again.name, again.notes) == (["x", "y"], {"only": 1}, "shown", "described")
    assert again.summary.acc == 0.9  # summary keys read as attributes too


def test_bad_edits_are_refused_at_the_call(store_dir: Path, tmp_path: Path) -> None:
    public = Api().run(f"p/{logged_run(tmp_path).id}")
    with pytest.raises(TypeError, match="tags"):
        public.tags = "not-a-list"
    with pytest.raises(TypeError, match="name must be a str or None, got int"):
        public.name = 3  # type: ignore[assignment]
    with pytest.raises(ValueError, match="name is 2000 characters long; at most 1024 are allowed"):
        public.name = "n" * 2000
    with pytest.raises(ValueError, match="notes is 200000 characters long; at most 100000 are allowed"):
        public.notes = "n" * 200_000
    with pytest.raises(TypeError, match="notes must be a str or None, got dict"):
        public.notes = {"a": 1}  # type: ignore[assignment]
    public.tags.append("")
    with pytest.raises(ValueError, match=r"tags\[1\] is 0 characters long; at least 1 are needed"):
        public.update()
    public.tags[1] = "t" * 65
    with pytest.raises(ValueError, match=r"tags\[1\] is 65 characters long; at most 64 are allowed"):
        public.update()
    assert Api().run(f"p/{public.id}").tags == public.tags[:1]  # nothing was kept
    with pytest.raises(ValueError, match="'state' cannot be edited"):
        LocalStore(store_dir).update_run("p", public.id, {"state": "failed"})


def test_an_edited_summary_key_survives_resuming_the_run(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = Api().run(f"p/{run.id}")
    public.summary["best"] = 7
    public.update()
    resumed = wbnb.init(project="p", id=run.id, resume="allow")
    resumed.log({"loss": 0.01})
    resumed.finish()
    again = Api().run(f"p/{run.id}")
    assert again.summary["best"] == 7 and again.summary["loss"] == 0.01


def test_a_run_being_written_is_neither_edited_nor_deleted(store_dir: Path) -> None:
    run = wbnb.init(project="p", tags=["live"])
    run.log({"loss": 1.0})
    public = Api().run(f"p/{run.id}")
    public.tags.append("edited")
    with pytest.raises(RunBusy, match=rf"cannot edit run p/{run.id}: it is being written"):
        public.update()
    with pytest.raises(RunBusy, match=rf"cannot delete run p/{run.id}: it is being written"):
        public.delete()
    run.log({"loss": 0.5})
    run.finish()
    again = Api().run(f"p/{run.id}")
    assert again.tags == ["live"] and again.summary["loss"] == 0.5  # the writer's own data, whole
    again.tags.append("after")
    again.update()  # once it has finished, it is
    assert Api().run(f"p/{run.id}").tags == ["live", "after"]


def test_editing_a_run_whose_writer_died_marks_it_crashed_first(store_dir: Path) -> None:
    writer = LocalStore(store_dir).open_run("p", "dead", {"id": "dead", "project": "p", "created_at": 1.0}, None)
    writer.log_row(0, 1.0, 0.0, ("loss",), [0.25])
    writer._forked()  # its lock goes, as when the process is killed; run.json still says running
    LocalStore(store_dir).update_run("p", "dead", {"notes": "killed by the scheduler"})
    again = Api().run("p/dead")
    assert (again.state, again.notes, again.summary["loss"]) == ("crashed", "killed by the scheduler", 0.25)


def test_delete_removes_the_run_and_keeps_shared_media(store_dir: Path, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    other = wbnb.init(project="p")
    other.finish()
    public = Api().run(f"p/{run.id}")
    media = [f for f in public.files() if f.name.startswith("media/")]
    public.delete()
    assert [r.id for r in Api().runs("p")] == [other.id]
    folder = LocalStore(store_dir).run_dir("p", run.id)
    assert not folder.exists() and not [p for p in folder.parent.iterdir() if p.name.startswith(".deleted")]
    with pytest.raises(RunNotFound):
        Api().run(f"p/{run.id}")
    with pytest.raises(RunNotFound):
        public.delete()
    assert media and (store_dir / str(media[0]._file.media)).read_bytes()[:4] == b"\x89PNG"


def test_delete_artifacts_is_accepted_and_said_once(
    store_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = wbnb.init(project="p")
    first.finish()
    Api().run(f"p/{first.id}").delete(delete_artifacts=True)
    assert "artifacts are kept" in capsys.readouterr().err
    assert len(Api().runs("p")) == 0


# -- projects, order, filters, history ----------------------------------------------------


def test_projects_are_objects_with_a_name(store_dir: Path) -> None:
    first = wbnb.init(project="p")
    first.finish()
    wbnb.init(project="other").finish()
    projects = Api().projects()
    assert [p.name for p in projects] == ["other", "p"] and len(projects) == 2
    assert projects[1].name == "p" and projects[1].path == [projects[1].entity or "", "p"]
    assert Api().project("p").created_at == Api().run(f"p/{first.id}").created_at
    assert Api().project("p").name == "p" and Api().project("empty").created_at is None


def test_runs_default_order_is_oldest_first_and_created_at_filters_like_wandb(store_dir: Path) -> None:
    store = LocalStore(store_dir)
    for run_id, created in (("late", 1714564800.0), ("early", 1700000000.0)):  # written late first
        store.open_run("p", run_id, {"id": run_id, "project": "p", "created_at": created}, None).close("finished")
    api = Api()
    assert [r.id for r in api.runs("p")] == ["early", "late"]
    assert [r.id for r in api.runs("p", order="-created_at")] == ["late", "early"]
    for flt in (
        {"created_at": {"$gt": "2024-01-01"}},
        {"createdAt": {"$gt": "2024-01-01T00:00:00Z"}},
        {"created_at": {"$gte": 1714564800}},
        {"created_at": {"$gt": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)}},
        {"created_at": "2024-05-01T12:00:00"},
    ):
        assert [r.id for r in api.runs("p", filters=flt)] == ["late"], flt


def test_history_as_dicts_and_scan_history_in_pages(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    for i in range(7):
        run.log({"x": i}, commit=False)
        run.log({"y": -i})  # two records per step: a page may end between them
    run.finish()
    public = Api().run(f"p/{run.id}")
    rows = public.history(pandas=False)
    assert isinstance(rows, list) and [r["x"] for r in rows] == list(range(7)) and rows[2]["y"] == -2
    for page_size in (1, 2, 3, 1000):
        scanned = list(public.scan_history(page_size=page_size))
        assert [(r["_step"], r["x"], r["y"]) for r in scanned] == [(i, i, -i) for i in range(7)], page_size
    assert [r["x"] for r in public.scan_history(keys=["x"], min_step=2, max_step=4, page_size=1)] == [2, 3]
    with pytest.raises(ValueError, match="page_size"):
        list(public.scan_history(page_size=0))
