"""Names as wandb takes them (``store/names.py``): the rule of each kind, one folder per
name whatever it holds, stores of older versions read as before, and a project with a
space logged and read back through ``Api`` and the ``wbnb`` command."""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wbnb
from wbnb.cli import main
from wbnb.errors import UsageError
from wbnb.store.local import LocalStore
from wbnb.store.names import InvalidName, check_name, folder_name, name_of, remember
from wbnb.store.runmeta import check_field

OLD_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"  # what every earlier version allowed

# Names a user (or an attacker) may try, for each kind. Each is either refused or
# stored under the store's own folder.
HOSTILE = [
    ".",
    "..",
    "../x",
    "../../etc",
    "a/b",
    "/abs",
    "a\\b",
    "%2e%2e",
    "%2F",
    "..%2F..",
    "a\x00b",
    "a\nb",
    "p\n",
    "\x1b[31m",
    "a\x85b",
    "x" * 129,
    "",
    " ",
    " lead",
    "trail ",
    "CON",
    "nul",
    ".hidden",
    "-lead",
    "a..b",
    "...",
    "~tilde",
    "50%",
    "it's",
    "a;b,c",
    "project name",
    "\u202eevil",
    "caf\u0065\u0301",
    "実験 1",
    "😀" * 128,
    "é" * 128,
    "%41" * 40,
    "\ud800",
]


def _quiet_init(tmp: Path, **kwargs: object) -> wbnb.Run:
    return wbnb.init(dir=tmp, settings={"silent": True, "system_interval": 0, "console": False}, **kwargs)


def test_a_project_with_a_space_is_logged_and_read_back(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = wbnb.init(project="project name", name="first try", group="my group", job_type="train eval")
    for i in range(5):
        wbnb.log({"loss": 1.0 / (i + 1)})
    run.finish()
    assert run.project == "project name"
    assert Path(run.dir).parent.parent == store_dir / "projects" / "project%20name"

    api = wbnb.Api()
    assert [p.name for p in api.projects()] == ["project name"]
    [read] = api.runs("project name")
    assert (read.id, read.name, read.group, read.job_type) == (run.id, "first try", "my group", "train eval")
    assert list(api.run(f"project name/{run.id}").history()["loss"]) == [1.0 / (i + 1) for i in range(5)]

    capsys.readouterr()
    assert main(["runs", "project name"]) == 0
    out = capsys.readouterr().out
    assert run.id in out and "first try" in out
    assert main(["show", f"project name/{run.id}"]) == 0
    assert f"first try (project name/{run.id})" in capsys.readouterr().out
    assert main(["projects"]) == 0
    assert "project name  1" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kind, value",
    [
        ("project", "project name"),
        ("project", "-lead.x_y"),
        ("project", "a;b,c'd"),
        ("project", "x" * 128),
        ("project", "実験"),
        ("entity", "my team"),
        ("run id", "run 1"),
        ("run id", "50%"),
        ("run id", "a\\b"),
        ("run id", ".hidden"),
    ],
)
def test_what_wandb_allows_is_allowed(kind: str, value: str) -> None:
    assert check_name(kind, value) == value


@pytest.mark.parametrize(
    "kind, value, why",
    [
        ("project", "a/b", "it contains '/'"),
        ("project", "a\\b", "it contains '\\\\'"),
        ("project", "a#b?c", "it contains '#', '?'"),
        ("project", "50%", "it contains '%'"),
        ("project", "a:b", "it contains ':'"),
        ("project", "", "it is empty"),
        ("project", "x" * 129, "it is 129 characters long"),
        ("project", "p\n", "control character ('\\n')"),
        ("project", "a\x00b", "control character ('\\x00')"),
        ("project", "..", "'.' and '..' are path segments"),
        ("entity", "a/b", "it contains '/'"),
        ("run id", "a;b", "it contains ';'"),
        ("run id", "it's", 'it contains "\'"'),
        ("run id", "a,b", "it contains ','"),
        ("run id", " x", "whitespace"),
        ("run id", "x\t", "control character"),
        ("run id", ".", "'.' and '..' are path segments"),
        ("project", 5, "it is a int, not a str"),
    ],
)
def test_what_wandb_refuses_is_refused_naming_the_field(kind: str, value: object, why: str) -> None:
    with pytest.raises(InvalidName) as err:
        check_name(kind, value)
    assert str(err.value).startswith(f"{kind} {value!r} is not valid: ") and why in str(err.value)
    assert isinstance(err.value, ValueError) and isinstance(err.value, UsageError)  # wandb raises UsageError


def test_init_refuses_bad_names_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"project 'a/b' is not valid: it contains '/'"):
        _quiet_init(tmp_path, project="a/b")
    with pytest.raises(ValueError, match=r"entity 'x:y' is not valid"):
        _quiet_init(tmp_path, project="p", entity="x:y")
    with pytest.raises(ValueError, match=r"run id 'a;b' is not valid"):
        _quiet_init(tmp_path, project="p", id="a;b")
    with pytest.raises(TypeError, match="group must be a str or None, got int"):
        _quiet_init(tmp_path, project="p", group=3)
    with pytest.raises(ValueError, match="name is 1025 characters long; at most 1024"):
        _quiet_init(tmp_path, project="p", name="n" * 1025)
    with pytest.raises(ValueError, match="job_type is 2000 characters long"):
        _quiet_init(tmp_path, project="p", job_type="j" * 2000, mode="disabled")
    assert wbnb.run is None and not (tmp_path / "projects").exists()


def test_labels_are_free_text() -> None:
    assert check_field("name", "lr=0.1 / bs=32: #1 (50%)\n") == "lr=0.1 / bs=32: #1 (50%)\n"
    assert check_field("group", None) is None and check_field("group", "g" * 1024) == "g" * 1024


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
@pytest.mark.parametrize("kind", ["project", "run id"])
def test_a_hostile_name_is_refused_or_stays_in_its_folder(tmp_path: Path, kind: str, name: str) -> None:
    """Through the store as ``init`` uses it: either ``InvalidName``, or a run stored in
    one folder right below its parent that reads back under the same name."""
    root = tmp_path / "store"
    store = LocalStore(root)
    project, run_id = (name, "r1") if kind == "project" else ("p", name)
    try:
        d = store.run_dir(project, run_id)
    except InvalidName:
        return
    writer = store.open_run(project, run_id, {"created_at": 1.0}, None)  # id and project: from the folders
    writer.close("finished")
    assert d.resolve().parent.parent == (root / "projects").resolve()  # two levels below projects/
    assert os.path.realpath(d).startswith(os.path.realpath(root) + os.sep)
    for folder in (d, d.parent):
        assert not folder.name.startswith(".") and len(folder.name.encode()) <= 255
        assert not any(ord(c) < 0x20 or c in "/\\" for c in folder.name)
    normal = unicodedata.normalize("NFC", name)
    assert name_of(d.parent, "project") == (normal if kind == "project" else "p")
    assert store.projects() == [normal if kind == "project" else "p"]
    assert [m["id"] for m in store.runs(project)] == [normal if kind == "run id" else "r1"]
    assert store.run(project, run_id)["state"] == "finished"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # nothing written beside the store


def test_names_older_versions_allowed_are_their_own_folders(tmp_path: Path) -> None:
    """A store written before names were mapped reads back unchanged: the folders are
    made by hand as earlier versions made them."""
    projects = {"mnist": ["a1b2c3d4", "run.2-x_y"], "Model_v1.2-final": ["Z9"], "0" * 128: ["a" * 128]}
    for project, ids in projects.items():
        for run_id in ids:
            d = tmp_path / "projects" / project / run_id
            d.mkdir(parents=True)
            (d / "run.json").write_text(json.dumps({"state": "finished", "created_at": 1.0, "config": {"x": 1}}))
        (tmp_path / "projects" / project / ".last_run").write_text(ids[0])
    store = LocalStore(tmp_path)
    assert store.projects() == sorted(projects)
    for project, ids in projects.items():
        assert sorted(m["id"] for m in store.runs(project)) == sorted(ids)
        for run_id in ids:
            assert store.run_dir(project, run_id) == tmp_path / "projects" / project / run_id
            meta = store.run(project, run_id)
            assert (meta["project"], meta["id"], meta["config"]) == (project, run_id, {"x": 1})


@settings(max_examples=300, deadline=None)
@given(st.from_regex(OLD_NAME, fullmatch=True).filter(lambda n: ".." not in n))
def test_every_old_name_maps_to_itself(name: str) -> None:
    assert folder_name(check_name("project", name)) == name
    assert folder_name(check_name("run id", name)) == name


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=140), st.sampled_from(["project", "run id", "entity"]))
def test_any_valid_name_is_one_safe_folder_that_maps_back(name: str, kind: str) -> None:
    try:
        name = check_name(kind, name)
    except InvalidName:
        return
    folder = folder_name(name)
    assert folder not in (".", "..") and not folder.startswith(".") and "/" not in folder and "\x00" not in folder
    assert len(folder.encode("utf-8")) <= 255
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / folder
        d.mkdir()
        remember(d, name)
        assert name_of(d, kind) == name
        assert [p.name for p in Path(tmp).iterdir()] == [folder]


def test_a_name_too_long_for_a_folder_is_cut_and_kept_inside(tmp_path: Path) -> None:
    project, run_id = "😀" * 128, "é" * 128  # 512 and 256 bytes of UTF-8
    run = _quiet_init(tmp_path, project=project, id=run_id)
    wbnb.log({"x": 1})
    run.finish()
    d = Path(run.dir).parent
    for folder, name in ((d, run_id), (d.parent, project)):
        assert len(folder.name.encode()) <= 255 and "~" in folder.name
        assert (folder / ".name").read_text(encoding="utf-8") == name
    api = wbnb.Api({"dir": str(tmp_path)})
    assert [p.name for p in api.projects()] == [project]
    assert [r.id for r in api.runs(project)] == [run_id]
    assert api.run(f"{project}/{run_id}").summary["x"] == 1
    # A cut folder whose name went missing is no run (nothing guesses it).
    (d / ".name").unlink()
    assert len(api.runs(project)) == 0


def test_a_name_is_one_project_however_it_is_composed(tmp_path: Path) -> None:
    composed, decomposed = "caf\u00e9", "caf\u0065\u0301"
    for project in (composed, decomposed):
        _quiet_init(tmp_path, project=project).finish()
    store = LocalStore(tmp_path)
    assert store.projects() == [composed] and len(store.runs(decomposed)) == 2
    assert {m["project"] for m in store.runs(composed)} == {composed}


def test_folders_that_are_no_names_are_not_listed(tmp_path: Path) -> None:
    """Folders made by hand in a store: only exact folders of valid names are listed."""
    for folder in ("ok", "a%2Fb", "%41", "lower%2e", "bad%", "~cut", ".hidden", "p\n"):
        (tmp_path / "projects" / folder).mkdir(parents=True)
    assert LocalStore(tmp_path).projects() == ["ok"]
