"""The tracker against a real ``wbnb server`` process: login, logging through server
restarts and outages, ``wbnb sync``, and reading back through ``Api()`` and widgets.

Every check reads back from the server (never the client's spool) and counts steps:
"nothing lost" means each acknowledged step is there, "no duplicates" that it is
there once.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import wbnb
from tests.waiting import wait_for, wait_for_system_samples
from wbnb.store.base import RunNotFound
from wbnb.store.remote import AuthError, Connection, RemoteStore
from wbnb.sync import sync

from .pg import TempPostgres
from .serverproc import ServerProcess, make_key

QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}


@pytest.fixture(scope="module")
def postgres() -> Iterator[TempPostgres]:
    with TempPostgres() as pg:
        yield pg


@pytest.fixture(params=["folder", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server on each backend: the client must not be able to tell them apart."""
    database = None
    if request.param == "postgres":
        database = request.getfixturevalue("postgres").create_database(f"db_{os.urandom(4).hex()}")
    proc = ServerProcess(tmp_path / "server-root", database=database)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def client(tmp_path: Path, server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment of a client logged in as entity ``team``, spooling into its own folder."""
    key = make_key(server.root, "team", database=server.database)
    env = {**QUIET, "WBNB_DIR": str(tmp_path / "spool"), "WBNB_BASE_URL": server.url, "WBNB_API_KEY": key}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def server_steps(server: ServerProcess, key: str, project: str, run_id: str, entity: str = "team") -> list[int]:
    """Steps of a run as the server holds them (a fresh connection, no client state)."""
    store = RemoteStore(Connection(server.url, key), entity)
    rows, _ = store.rows(project, run_id)
    return [step for _keys, step, *_ in rows]


def test_login_checks_the_key_and_saves_it_private(
    server: ServerProcess, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = make_key(server.root, "team", database=server.database)
    with pytest.raises(AuthError, match="refused the API key"):
        wbnb.login(key=key[:-4] + "AAAA", host=server.url)
    assert wbnb.login(key=key, host=server.url) is True
    assert "logged in to" in capsys.readouterr().err
    path = Path(os.environ["WBNB_CONFIG_DIR"]) / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["hosts"][server.url] == {"key": key, "entity": "team"}
    # A saved login is enough: init() goes to the server, Api() reads it back.
    for name, value in {**QUIET, "WBNB_DIR": str(tmp_path / "spool")}.items():
        monkeypatch.setenv(name, value)
    run = wbnb.init(project="p", config={"lr": 0.1})
    for i in range(10):
        wbnb.log({"loss": 1 / (i + 1)})
    run.finish()
    remote = wbnb.Api().run(f"team/p/{run.id}")
    assert remote.state == "finished" and remote.config["lr"] == 0.1 and remote.summary["loss"] == 0.1
    assert list(remote.history()["loss"]) == [1 / (i + 1) for i in range(10)]


def test_init_with_a_wrong_key_fails_at_the_call(client: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WBNB_API_KEY", "wbnb_000000000000_" + "x" * 43)
    with pytest.raises(AuthError, match="refused the API key"):
        wbnb.init(project="p")
    assert wbnb.run is None


def test_cross_entity_read_is_refused(server: ServerProcess, client: dict[str, str]) -> None:
    other = make_key(server.root, "rivals", database=server.database)
    run = wbnb.init(project="secret")
    wbnb.log({"x": 1})
    run.finish()
    with pytest.raises(AuthError):
        wbnb.Api(api_key=other).runs("team/secret")
    assert len(wbnb.Api().runs("team/secret")) == 1


CHILD = textwrap.dedent("""
    import sys, wbnb, numpy as np
    run = wbnb.init(project="p", id=sys.argv[1])
    for i in range(int(sys.argv[2])):
        log = {"loss": 1.0 / (i + 1), "i": i}
        if i % 500 == 0:
            log["img"] = wbnb.Image(np.full((8, 8, 3), i % 256, dtype=np.uint8))
        wbnb.log(log)
        print(i, flush=True)  # acknowledged: log() returned
        if i == int(sys.argv[3]):
            input()  # wait for the test to do something to the server
    run.finish()
    print("finished", flush=True)
""")


def start_child(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        env={**os.environ, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(proc: subprocess.Popen[str], line: str) -> None:
    for got in proc.stdout:  # type: ignore[union-attr]
        if got.strip() == line:
            return
    raise AssertionError(f"child ended before printing {line!r}: {proc.stderr.read()}")  # type: ignore[union-attr]


def test_server_killed_mid_run_loses_and_duplicates_nothing(server: ServerProcess, client: dict[str, str]) -> None:
    child = start_child(["killed", "3000", "1499"], client)
    read_until(child, "1499")
    server.kill()  # SIGKILL: no chance to flush or say goodbye
    time.sleep(1.0)  # the client's uploader now fails and backs off
    server.start()
    child.stdin.write("\n")  # type: ignore[union-attr]
    child.stdin.flush()  # type: ignore[union-attr]
    read_until(child, "finished")
    assert child.wait(60) == 0
    key = client["WBNB_API_KEY"]
    assert server_steps(server, key, "p", "killed") == list(range(3000))
    run = wbnb.Api().run("team/p/killed")
    assert run.state == "finished" and run.summary["i"] == 2999
    image = run.history(keys=["img"], samples=10)["img"].iloc[-1]
    assert wbnb.Api().store.media(image["path"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_network_cut_before_finish_then_wbnb_sync(server: ServerProcess, client: dict[str, str]) -> None:
    env = {**client, "WBNB_FINISH_TIMEOUT": "3"}
    child = start_child(["cut", "2000", "999"], env)
    read_until(child, "999")
    server.kill()  # the server is gone for the rest of the run and its finish()
    child.stdin.write("\n")  # type: ignore[union-attr]
    child.stdin.flush()  # type: ignore[union-attr]
    read_until(child, "finished")
    assert child.wait(60) == 0
    err = child.stderr.read()  # type: ignore[union-attr]
    assert "not uploaded" in err and "wbnb sync" in err
    server.start()
    key = client["WBNB_API_KEY"]
    assert len(server_steps(server, key, "p", "cut")) < 2000  # the tail is only in the spool
    sync = subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "sync"],
        env={**os.environ, **client},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sync.returncode == 0, sync.stderr
    assert "sync p/cut" in sync.stderr and "100%" in sync.stderr
    assert sync.stderr.endswith("wbnb: synced 1 of 1 runs\n")
    assert server_steps(server, key, "p", "cut") == list(range(2000))
    assert wbnb.Api().run("team/p/cut").state == "finished"
    again = subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "sync"],
        env={**os.environ, **client},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0 and "nothing to sync" in again.stderr
    assert server_steps(server, key, "p", "cut") == list(range(2000))


def test_client_killed_then_sync_marks_it_crashed(server: ServerProcess, client: dict[str, str]) -> None:
    child = start_child(["dead", "5000", "2999"], client)
    read_until(child, "2999")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    sync = subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "sync"],
        env={**os.environ, **client},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert sync.returncode == 0, sync.stderr
    assert server_steps(server, client["WBNB_API_KEY"], "p", "dead") == list(range(3000))
    assert wbnb.Api().run("team/p/dead").state == "crashed"


def test_a_killed_run_reads_killed_on_the_server(server: ServerProcess, client: dict[str, str]) -> None:
    run = wbnb.init(project="p")  # a sweep's trial that Hyperband or a cancel stopped ends so
    wbnb.log({"loss": 1.0})
    run._end(exit_code=None, quiet=True, state="killed")
    assert wbnb.Api().run(f"team/p/{run.id}").state == "killed"


def test_offline_run_is_uploaded_by_sync(
    server: ServerProcess, client: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = wbnb.init(project="p", mode="offline", config={"opt": "sgd"})
    for i in range(100):
        wbnb.log({"acc": i / 100})
    run.finish()
    with pytest.raises(RunNotFound):
        wbnb.Api().run(f"team/p/{run.id}")
    report = sync()
    assert report.ok and report.synced == [f"p/{run.id}"]
    remote = wbnb.Api().run(f"team/p/{run.id}")
    assert remote.state == "finished" and remote.config["opt"] == "sgd" and remote.entity == "team"
    assert list(remote.history(samples=1000)["acc"]) == [i / 100 for i in range(100)]


@pytest.mark.parametrize("where", ["this machine", "another machine"])
def test_a_resumed_server_run_keeps_what_the_resuming_call_does_not_give(
    server: ServerProcess, client: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """As in the local store: the name, notes, tags, group, job type, config and
    creation time the run was made with, unless the resuming call passes new ones.
    From another machine (a spool that never held the run) they come from the server."""
    labels = {"name": "first", "notes": "n", "tags": ["a"], "group": "g", "job_type": "train"}
    wbnb.init(project="res", id="r1", config={"lr": 1}, **labels).log({"loss": 1.0})  # type: ignore[arg-type]
    wbnb.finish()
    server_store = RemoteStore(Connection(server.url, client["WBNB_API_KEY"]), "team")
    before = server_store.run("res", "r1")
    if where == "another machine":
        monkeypatch.setenv("WBNB_DIR", str(tmp_path / "another-spool"))
    again = wbnb.init(project="res", id="r1", resume="allow")
    assert again.resumed and again.step == 1 and again.config["lr"] == 1
    assert (again.name, again.notes, again.tags, again.group, again.job_type) == ("first", "n", ("a",), "g", "train")
    again.log({"loss": 0.5})
    again.finish()
    after = server_store.run("res", "r1")
    assert {k: after.get(k) for k in (*labels, "created_at")} == {k: before.get(k) for k in (*labels, "created_at")}
    assert after["config"] == {"lr": 1} and after["resumed"] == 1 and after["state"] == "finished"
    assert server_steps(server, client["WBNB_API_KEY"], "res", "r1") == [0, 1]
    renamed = wbnb.init(project="res", id="r1", resume="must", name="second", tags=["b"])
    assert (renamed.name, renamed.tags, renamed.notes) == ("second", ("b",), "n")
    renamed.finish()
    last = server_store.run("res", "r1")
    assert (last["name"], last["tags"], last["notes"], last["created_at"]) == (
        "second",
        ["b"],
        "n",
        before["created_at"],
    )


def test_a_widget_follows_a_run_another_machine_logs(server: ServerProcess, client: dict[str, str]) -> None:
    from wbnb.widgets import Curves

    child = start_child(["watched", "3000", "999"], client)
    read_until(child, "999")
    key = client["WBNB_API_KEY"]
    wait_for(lambda: len(server_steps(server, key, "p", "watched")) == 1000)
    curves = Curves(wbnb.Api().run("team/p/watched"), min_interval=0.1)  # reads the server, follows it
    try:
        assert curves.series.frame("i")["s"].max() == 999
        child.stdin.write("\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]
        read_until(child, "finished")
        assert child.wait(60) == 0
        wait_for(lambda: curves.series.frame("i")["s"].max() == 2999)
        frame = curves.series.frame("loss")
        assert frame["y"].iloc[-1] == 1 / 3000
    finally:
        curves.close()


def test_media_widgets_read_images_and_system_samples_from_the_server(
    client: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from wbnb.widgets import Gallery, System

    monkeypatch.setenv("WBNB_SYSTEM_INTERVAL", "0.2")
    run = wbnb.init(project="media")
    pixels = {step: np.full((6, 6, 3), step * 20, dtype=np.uint8) for step in range(5)}
    for step, image in pixels.items():
        wbnb.log({"samples": [wbnb.Image(image, caption=f"<b>{step}</b>")]}, step=step)
    wait_for_system_samples(run)
    run.finish()
    remote = wbnb.Api().run(f"team/media/{run.id}")
    assert isinstance(remote._store, RemoteStore)  # read back through HTTP, not the spool
    gallery = Gallery(remote, live=False)
    try:
        assert gallery.steps("samples") == [0, 1, 2, 3, 4]
        reply, buffers = gallery.index.answer(
            {"type": "fetch", "req": 1, "items": [{"run": 0, "key": "samples", "step": 3}]}
        )
        assert reply["items"][0]["caption"] == "<b>3</b>" and buffers[0][:8] == b"\x89PNG\r\n\x1a\n"
        import io

        from PIL import Image

        assert np.array_equal(np.asarray(Image.open(io.BytesIO(buffers[0]))), pixels[3])
    finally:
        gallery.close()
    system = System(remote, live=False)
    try:
        assert any(k.startswith("cpu") or "cpu" in k for k in system.metric_keys)
    finally:
        system.close()


def test_server_down_at_init_spools_then_uploads_when_it_is_back(
    server: ServerProcess, client: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = client["WBNB_API_KEY"]
    wbnb.login(key=key, host=server.url)  # remembers the entity for when the server is away
    monkeypatch.delenv("WBNB_API_KEY")
    server.kill()
    with pytest.warns(RuntimeWarning, match="cannot reach") as said:
        run = wbnb.init(project="p", id="early")
        for i in range(500):
            wbnb.log({"x": i})
        time.sleep(1.0)  # the uploader tries (and fails) meanwhile
        server.start()
        run.finish()
    assert len([w for w in said if "cannot reach" in str(w.message)]) == 1  # said once, at init()
    assert server_steps(server, key, "p", "early") == list(range(500))
    assert wbnb.Api().run("team/p/early").state == "finished"


def test_a_silent_client_reads_as_crashed_and_an_idle_one_stays_running(
    tmp_path: Path, client: dict[str, str], server: ServerProcess
) -> None:
    quick = ServerProcess(tmp_path / "quick-root", database=server.database, stale_after=2.0).start()
    try:
        key = make_key(quick.root, "team", database=quick.database)
        env = {**client, "WBNB_BASE_URL": quick.url, "WBNB_API_KEY": key}
        dead = start_child(["silent", "100000", "99"], env)
        idle = start_child(["idle", "200", "99"], env)  # waits on stdin after step 99, logging nothing
        read_until(dead, "99")
        read_until(idle, "99")
        os.kill(dead.pid, signal.SIGKILL)
        dead.wait()
        store = RemoteStore(Connection(quick.url, key), "team")
        wait_for(lambda: store.run("p", "silent")["state"] == "crashed", timeout=15)
        assert "no word from its client" in store.run("p", "silent")["crash_reason"]
        time.sleep(3)  # longer than stale_after: only the heartbeats keep it running
        assert store.run("p", "idle")["state"] == "running"
        idle.stdin.write("\n")  # type: ignore[union-attr]
        idle.stdin.flush()  # type: ignore[union-attr]
        read_until(idle, "finished")
        assert store.run("p", "idle")["state"] == "finished"
        states = {m["id"]: m["state"] for m in store.runs("p")}
        assert states == {"silent": "crashed", "idle": "finished"}
    finally:
        quick.stop()


def test_run_table_lists_and_follows_server_runs(client: dict[str, str]) -> None:
    from wbnb.widgets import RunTable

    first = wbnb.init(project="tbl", name="first", config={"lr": 0.1})
    first.log({"loss": 2.0})
    first.finish()
    table = RunTable("team/tbl", filter="config.lr > 0", sort="name", poll=0.2)  # the logged-in server
    try:
        assert isinstance(table.api.store, RemoteStore) and table.run_ids == [first.id]
        second = wbnb.init(project="tbl", name="second", config={"lr": 0.2})
        second.log({"loss": 1.0})
        second.finish()
        wait_for(lambda: table.run_ids == [second.id, first.id])  # newest first
    finally:
        table.close()


def run_sync(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``wbnb sync`` as a script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "wbnb.cli", "sync"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` and its bytes."""
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def test_sync_exits_non_zero_and_keeps_the_spool_while_the_server_is_unreachable(
    server: ServerProcess, client: dict[str, str]
) -> None:
    run = wbnb.init(project="p", mode="offline")
    for i in range(50):
        wbnb.log({"x": i})
    run.finish()
    spool = Path(client["WBNB_DIR"])
    before = folder_bytes(spool)
    server.kill()
    down = run_sync(client)
    assert down.returncode == 1, down.stderr
    assert f"wbnb: synced 0 of 1 runs; 1 not (fully) synced, kept untouched in {spool}" in down.stderr
    said = [line for line in down.stderr.splitlines() if run.id in line]
    assert len(said) == 1 and f"p/{run.id}" in said[0] and f"cannot reach {server.url}" in said[0]
    assert "`wbnb sync` again when the server is back" in said[0]
    assert folder_bytes(spool) == before
    server.start()
    back = run_sync(client)
    assert back.returncode == 0, back.stderr
    assert server_steps(server, client["WBNB_API_KEY"], "p", run.id) == list(range(50))


def test_sync_skips_a_damaged_spool_run_and_uploads_the_others(server: ServerProcess, client: dict[str, str]) -> None:
    runs = []
    for n in range(3):
        run = wbnb.init(project="p", mode="offline")
        for i in range(50):
            wbnb.log({"x": n * 100 + i})
        run.finish()
        runs.append(run.id)
    damaged = Path(client["WBNB_DIR"]) / "projects" / "p" / runs[1] / "run.json"
    damaged.write_text('{"state": "fini')  # cut short
    before = folder_bytes(damaged.parent)
    done = run_sync(client)
    assert done.returncode == 1, done.stderr  # `wbnb sync && rm -rf spool` must not delete it
    said = [line for line in done.stderr.splitlines() if runs[1] in line]
    assert len(said) == 1 and said[0].startswith(
        f"  p/{runs[1]} ({damaged.parent}): skipped, damaged: {damaged} is damaged"
    )
    assert "`wbnb sync` again" in said[0]
    assert f"wbnb: synced 2 of 3 runs; 1 not (fully) synced, kept untouched in {client['WBNB_DIR']}" in done.stderr
    assert folder_bytes(damaged.parent) == before  # never modified nor deleted
    key = client["WBNB_API_KEY"]
    for n in (0, 2):
        assert server_steps(server, key, "p", runs[n]) == list(range(50))
        assert wbnb.Api().run(f"team/p/{runs[n]}").summary["x"] == n * 100 + 49
    with pytest.raises(RunNotFound):
        wbnb.Api().run(f"team/p/{runs[1]}")
