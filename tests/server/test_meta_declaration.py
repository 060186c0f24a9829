"""Run metadata has one declaration (``store/runmeta.py``): what the tracker writes
fits it, every list of field names names declared fields, and the server checks
requests against it (``server/meta.py``), the limits included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import wbnb
from wbnb.server.files import SERVER_OWNED
from wbnb.server.liveness import Liveness
from wbnb.server.meta import RUN_META, RunEdit, problems, readable
from wbnb.store.edits import EDITABLE, check_edit
from wbnb.store.limits import LABEL_MAX, NOTES_MAX, TAG_MAX
from wbnb.store.local import LocalStore
from wbnb.store.runmeta import RunMeta, check_field
from wbnb.store.uploader import LOCAL_ONLY, SERVERS_OWN

ROOT = Path(__file__).resolve().parents[2]
DECLARED = RunMeta.__optional_keys__ | RunMeta.__required_keys__
MEDIA = "media/ab/" + "0" * 64 + ".txt"


def _refused(meta: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as e:
        RUN_META.validate_python(meta)
    return "; ".join(problems(e.value.errors()))


@pytest.mark.parametrize(
    "names",
    [SERVER_OWNED, LOCAL_ONLY, SERVERS_OWN, EDITABLE],
    ids=["SERVER_OWNED", "LOCAL_ONLY", "SERVERS_OWN", "EDITABLE"],
)
def test_every_list_of_fields_names_declared_fields(names: tuple[str, ...]) -> None:
    """mypy checks each key the code reads or writes, but not names kept as strings."""
    assert set(names) <= DECLARED, set(names) - DECLARED


def test_what_the_server_adds_is_declared() -> None:
    """``crash_reason`` was written without being declared (mypy found it)."""
    silent = Liveness(stale_after=1.0).shown({"state": "running", "heartbeat_at": 0.0})
    assert silent["state"] == "crashed" and set(silent) <= DECLARED
    damaged = readable({"state": "finished", "created_at": "yesterday"})
    assert "created_at" in damaged["damaged"] and set(damaged) <= DECLARED


def test_what_the_tracker_writes_fits_the_declaration(store_dir: Path, tmp_path: Path) -> None:
    """Every field of every ``run.json`` the SDK writes is declared and passes the
    server's check: finished, resumed and crashed runs, with each writer of metadata."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text("print('hi')\n")
    run = wbnb.init(project="p", id="done", name="a", notes="n", tags=["t"], group="g", job_type="j", config={"lr": 1})
    run.define_metric("acc", step_metric="epoch", summary="max", goal="maximize")
    run.log({"acc": 0.5, "epoch": 1})
    run.summary["best"] = 1.0
    run.log_code(str(source))
    run.mark_preempting()
    run.finish()
    wbnb.init(project="p", id="done", resume="allow").finish(exit_code=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WBNB_DIR": str(store_dir)}
    script = "import os, wbnb; wbnb.init(project='p', id='dies'); os._exit(0)"
    subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=120)

    store = LocalStore(store_dir)
    runs = {meta["id"]: meta for meta in store.runs("p")}
    assert runs["done"]["resumed"] == 1 and runs["done"]["state"] == "failed"
    assert runs["dies"]["state"] == "crashed" and runs["dies"]["last_step"] is None
    for run_id in runs:
        stored = json.loads((store.run_dir("p", run_id) / "run.json").read_text())
        assert set(stored) <= DECLARED, set(stored) - DECLARED
        RUN_META.validate_python(stored)


def test_the_server_checks_every_declared_field() -> None:
    assert "code.path" in _refused({"code": {"name": "c", "path": 5, "files": 1}})
    assert "resumed" in _refused({"resumed": "1"})
    assert "pid" in _refused({"pid": True})
    assert "files.a.txt.path: Value error, not a media path" in _refused({"files": {"a.txt": {"path": "x", "size": 1}}})
    assert "files./etc/passwd.[key]" in _refused({"files": {"/etc/passwd": {"path": MEDIA, "size": 1}}})
    assert "files.a.txt.size" in _refused({"files": {"a.txt": {"path": MEDIA, "size": -1}}})
    assert "metrics.acc.hidden" in _refused({"metrics": {"acc": {"hidden": 1}}})


def test_the_server_reads_the_limits_in_a_fresh_process() -> None:
    """``server/meta.py`` is the first reader of the declaration there: pydantic still
    finds the limits its annotations name (``runmeta.declaration`` binds them)."""
    code = (
        "from pydantic import ValidationError\n"
        "from wbnb.server.meta import RUN_META, RunEdit\n"
        "for check in (RUN_META.validate_python, RunEdit.model_validate):\n"
        "    for bad in ({'name': 'a' * 1025}, {'tags': ['']}, {'notes': 'a' * 100_001}):\n"
        "        try:\n"
        "            check(bad)\n"
        "        except ValidationError:\n"
        "            continue\n"
        "        raise AssertionError(f'{bad!r:.40} was taken')\n"
        "RUN_META.validate_python({'files': {'a.txt': {'path': '" + MEDIA + "', 'size': 1}}})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def test_the_server_keeps_what_it_does_not_check() -> None:
    sent = {"created_at": 1, "summary": {"loss": float("nan")}, "from_a_newer_client": [1]}
    assert RUN_META.validate_python(sent) == {**sent, "created_at": 1.0}


def test_an_edit_takes_the_declared_types_and_nothing_else() -> None:
    assert RunEdit.model_validate({"notes": None, "tags": ["x"]}).model_dump(exclude_unset=True) == {
        "notes": None,
        "tags": ["x"],
    }
    for bad, field in (({"tags": ["x", ""]}, "tags"), ({"name": 5}, "name"), ({"state": "finished"}, "state")):
        with pytest.raises(ValidationError) as e:
            RunEdit.model_validate(bad)
        assert field in problems(e.value.errors())[0]


# -- the SDK refuses what the server refuses (one declaration, two checkers) -----------

SDK_SET = (*EDITABLE, "metrics")  # what init, Run's setters, define_metric and Api edits set
PROBES: list[Any] = [
    None,
    0,
    3,
    True,
    1.5,
    "",
    "a",
    "a" * TAG_MAX,
    "a" * (TAG_MAX + 1),
    "a" * LABEL_MAX,
    "a" * (LABEL_MAX + 1),
    "a" * NOTES_MAX,
    "a" * (NOTES_MAX + 1),
    [],
    ["a"],
    [""],
    ["a" * TAG_MAX],
    ["a" * (TAG_MAX + 1)],
    ["a", 1],
    [None],
    {},
    {"k": 1},
    {"k": [1, "x", None]},
    {"k": None},
    {"k": {"step_metric": "s", "summary": "min,max", "goal": "maximize", "hidden": True}},
    {"k": {"step_metric": 5}},
    {"k": {"step_metric": "s" * (LABEL_MAX + 1)}},
    {"k": {"summary": "best"}},
    {"k": {"summary": "bogus"}},
    {"k": {"goal": "up"}},
    {"k": {"hidden": 1}},
    {"k": {"from_a_newer_client": 1}},
]


def _server_takes(field: str, value: Any) -> bool:
    try:
        RUN_META.validate_python({field: value})
    except ValidationError:
        return False
    return True


def _agrees(field: str, value: Any, sdk: Callable[[Any], Any]) -> None:
    """The SDK takes ``value`` when the server would; what it takes (converted: tags from
    a tuple...) the server takes."""
    try:
        sent = sdk(value)
    except (TypeError, ValueError) as e:
        assert not _server_takes(field, value), f"the SDK refuses {field}={value!r:.60} ({e}); the server takes it"
        return
    assert _server_takes(field, sent), f"the SDK takes {field}={value!r:.60}; the server refuses it"


@pytest.mark.parametrize("field", SDK_SET)
def test_the_declaration_is_checked_alike_by_the_sdk_and_the_server(field: str) -> None:
    assert field in DECLARED
    for value in PROBES:
        _agrees(field, value, lambda v: check_field(field, v))


@pytest.mark.parametrize("field", EDITABLE)
def test_an_api_edit_is_refused_exactly_when_the_server_would_refuse_it(field: str) -> None:
    """``Api().run(...)``'s setters and ``update()`` check through ``check_edit``."""
    for value in PROBES:
        _agrees(field, value, lambda v: check_edit({field: v})[field])


@pytest.mark.parametrize("field", ["name", "notes", "tags", "group", "job_type"])
def test_init_and_the_run_setters_refuse_exactly_what_the_server_would(store_dir: Path, field: str) -> None:
    def init(value: Any) -> Any:
        run = wbnb.init(project="p", **{field: value})
        run.finish()
        return run._meta.get(field)

    for value in PROBES:
        _agrees(field, value, init)
    assert wbnb.run is None
    if field in ("group", "job_type"):
        return  # not settable on a run being logged, as in wandb
    run = wbnb.init(project="p")

    def set_(value: Any) -> Any:
        setattr(run, field, value)
        return run._meta.get(field)

    for value in PROBES:
        _agrees(field, value, set_)
    run.finish()
