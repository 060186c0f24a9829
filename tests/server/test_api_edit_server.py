"""The public API's read-and-edit loop against a real ``wbnb server``, on both
backends: a run's files (uploaded as it ends) listed and downloaded, edits kept
(``PATCH``), ``delete()`` (``DELETE``), and ``scan_history`` paging. Every check
reads back through a fresh connection, never the client's spool."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

import wbnb
from wbnb.api import Api
from wbnb.store.base import RunNotFound
from wbnb.store.local import LocalStore
from wbnb.store.remote import AuthError, Connection, RemoteStore, ServerError
from wbnb.store.wire import API

from .pg import TempPostgres
from .serverproc import ServerProcess, make_key

QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}


@pytest.fixture(params=["folder", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server on each backend: the API must not be able to tell them apart."""
    database = None
    if request.param == "postgres":
        pg: TempPostgres = request.getfixturevalue("postgres")
        database = pg.create_database(f"db_{os.urandom(4).hex()}")
    with ServerProcess(tmp_path / "server-root", database=database) as proc:
        yield proc


@pytest.fixture
def key(server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A key of entity ``team``; runs in this process log to the server through a spool."""
    key = make_key(server.root, "team", database=server.database)
    env = {**QUIET, "WBNB_DIR": str(tmp_path / "spool"), "WBNB_BASE_URL": server.url, "WBNB_API_KEY": key}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return key


def fresh(server: ServerProcess, key: str) -> Api:
    """An Api on a new connection: nothing of the client that logged the runs."""
    return Api(store=RemoteStore(Connection(server.url, key), "team"))


def logged_run(tmp_path: Path) -> Any:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "train.py").write_text("print('train')\n")
    run = wbnb.init(project="proj", config={"lr": 0.1}, tags=["a"])
    for i in range(5):
        run.log({"loss": 1.0 / (i + 1), "i": i})
    run.log({"sample": wbnb.Image(np.full((4, 4, 3), 9, dtype=np.uint8))})
    (Path(run.dir) / "ckpt").mkdir()
    (Path(run.dir) / "ckpt" / "model.bin").write_bytes(b"\x00weights\xff" * 1000)
    (Path(run.dir) / "README").write_text("no extension")
    run.log_code(str(src))
    run.finish()
    return run


def test_files_of_a_server_run_are_listed_and_downloaded(server: ServerProcess, key: str, tmp_path: Path) -> None:
    run = logged_run(tmp_path)
    public = fresh(server, key).run(f"team/proj/{run.id}")
    names = [f.name for f in public.files()]
    assert names[:3] == ["README", "ckpt/model.bin", "code/train.py"]
    assert len(names) == 4 and names[3].startswith("media/images/sample_5_")
    weights = b"\x00weights\xff" * 1000
    model = public.file("ckpt/model.bin")
    assert model.size == len(weights) and model.md5 == base64.b64encode(hashlib.md5(weights).digest()).decode()
    assert model.url.startswith(f"{server.url}{API}/media/") and model.updated_at is not None
    out = tmp_path / "out"
    model.download(root=str(out)).close()
    assert (out / "ckpt" / "model.bin").read_bytes() == weights
    with public.file("code/train.py").download(root=str(out)) as f:
        assert f.read() == "print('train')\n"
    with public.file("README").download(root=str(out)) as f:
        assert f.read() == "no extension"
    image = public.files()[3]
    image.download(root=str(out)).close()
    assert (out / image.name).read_bytes()[:4] == b"\x89PNG" and image.size == (out / image.name).stat().st_size
    with pytest.raises(ValueError, match="replace=True"):
        model.download(root=str(out))


def test_edits_are_kept_on_the_server_and_a_running_run_is_refused(
    server: ServerProcess, key: str, tmp_path: Path
) -> None:
    run = logged_run(tmp_path)
    public = fresh(server, key).run(f"team/proj/{run.id}")
    public.summary["best"] = 0.75
    public.config["lr"] = 0.5
    public.tags.append("b")
    public.name, public.notes, public.group, public.job_type = "renamed", "n", "g", "eval"
    public.update()
    again = fresh(server, key).run(f"team/proj/{run.id}")
    assert (again.summary["best"], again.config, again.tags) == (0.75, {"lr": 0.5}, ["a", "b"])
    assert (again.name, again.notes, again.group, again.job_type, again.state) == (
        "renamed",
        "n",
        "g",
        "eval",
        "finished",
    )
    assert [f.name for f in again.files()][:2] == ["README", "ckpt/model.bin"]  # an edit keeps the files listed

    live = wbnb.init(project="proj")
    live.log({"loss": 1.0})
    busy = fresh(server, key).run(f"team/proj/{live.id}")
    busy.tags.append("edited")
    with pytest.raises(ServerError, match="it is running"):
        busy.update()
    with pytest.raises(ServerError, match="it is running"):
        busy.delete()
    live.finish()
    assert fresh(server, key).run(f"team/proj/{live.id}").tags == []

    url = f"{server.url}{API}/entities/team/projects/proj/runs/{run.id}"
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    refused = requests.patch(url, data=json.dumps({"state": "failed"}), headers=auth, timeout=10)
    assert refused.status_code == 422 and "state" in refused.json()["detail"]
    refused = requests.patch(url, data=json.dumps({"tags": [""]}), headers=auth, timeout=10)
    assert refused.status_code == 422 and "tags" in refused.json()["detail"]
    assert fresh(server, key).run(f"team/proj/{run.id}").state == "finished"


def test_delete_on_the_server_and_only_by_the_runs_entity(server: ServerProcess, key: str, tmp_path: Path) -> None:
    keep = wbnb.init(project="proj")
    keep.finish()
    gone = wbnb.init(project="proj")
    gone.log({"loss": 1.0})
    gone.finish()
    other = make_key(server.root, "rivals", database=server.database)
    with pytest.raises(AuthError):
        RemoteStore(Connection(server.url, other), "team").delete_run("proj", gone.id)
    fresh(server, key).run(f"team/proj/{gone.id}").delete()
    assert [r.id for r in fresh(server, key).runs("team/proj")] == [keep.id]
    with pytest.raises(RunNotFound):
        fresh(server, key).run(f"team/proj/{gone.id}")
    with pytest.raises(RunNotFound):
        RemoteStore(Connection(server.url, key), "team").rows("proj", gone.id)
    again = wbnb.init(project="proj", id=gone.id)  # the id is free again: a new run, nothing of the old
    again.log({"x": 2})
    again.finish()
    rows, _ = RemoteStore(Connection(server.url, key), "team").rows("proj", gone.id)
    assert [dict(zip(keys, values)) for keys, _step, _ts, _rt, values in rows] == [{"x": 2}]
    assert [p.name for p in fresh(server, key).projects()] == ["proj"]

    spooled = LocalStore(tmp_path / "spool").run_dir("proj", keep.id)
    assert spooled.is_dir()
    wbnb.Api().run(f"team/proj/{keep.id}").delete()  # from the machine that logged it: its spooled copy goes too
    assert not spooled.exists() and [r.id for r in fresh(server, key).runs("team/proj")] == [gone.id]


def test_scan_history_pages_through_the_server(server: ServerProcess, key: str) -> None:
    run = wbnb.init(project="proj")
    for i in range(10):
        run.log({"x": i}, commit=False)
        run.log({"y": -i})  # a page may end inside a step
    run.finish()
    store = RemoteStore(Connection(server.url, key), "team")
    pages: list[int] = []
    request = store.conn.request

    def counting(method: str, path: str, **kwargs: Any) -> Any:
        if path.endswith("/rows"):
            pages.append(kwargs["params"]["limit"])
        return request(method, path, **kwargs)

    store.conn.request = counting  # type: ignore[method-assign]
    public = Api(store=store).run(f"team/proj/{run.id}")
    rows = list(public.scan_history(page_size=3))
    assert [(r["_step"], r["x"], r["y"]) for r in rows] == [(i, i, -i) for i in range(10)]
    assert pages == [3] * 7  # 20 records, 3 a page
    pages.clear()
    assert [r["x"] for r in public.scan_history(keys=["x"], max_step=2, page_size=2)] == [0, 1]
    assert len(pages) == 3  # steps 0 and 1, and the page that shows step 2: no further


def test_a_saved_file_over_the_servers_limit_is_left_out_and_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ServerProcess(tmp_path / "small", max_media=64 << 10) as small:
        key = make_key(small.root, "team")
        env = {**QUIET, "WBNB_DIR": str(tmp_path / "spool"), "WBNB_BASE_URL": small.url, "WBNB_API_KEY": key}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        run = wbnb.init(project="proj")
        run.log({"loss": 1.0})
        (Path(run.dir) / "big.bin").write_bytes(b"x" * (128 << 10))
        (Path(run.dir) / "small.txt").write_text("kept")
        with pytest.warns(RuntimeWarning, match=r"big.bin of run proj/.* was not uploaded: .*limit of 65536 bytes"):
            run.finish()
        public = fresh(small, key).run(f"team/proj/{run.id}")
        assert public.state == "finished" and [f.name for f in public.files()] == ["small.txt"]
        assert public.summary["loss"] == 1.0  # the rest of the run went up whole
