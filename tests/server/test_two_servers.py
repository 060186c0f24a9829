"""Two ``wbnb server`` processes on one PostgreSQL, clients logging through both into
one project at once: every server shows every run, every step once.

The servers share ``--root`` for media, as servers on several machines would share a
network volume; runs, metrics and keys live only in the database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.waiting import wait_for
from wbnb.store.base import StoreError
from wbnb.store.remote import Connection, RemoteStore

from .pg import TempPostgres
from .serverproc import ServerProcess, make_key

CHILD = textwrap.dedent("""
    import sys, wbnb, numpy as np
    run = wbnb.init(project="shared", id=sys.argv[1], config={"server": sys.argv[2]})
    for i in range(int(sys.argv[3])):
        row = {"loss": 1.0 / (i + 1), "i": i}
        if i % 400 == 0:
            row["img"] = wbnb.Image(np.full((8, 8, 3), (i // 400) * 30, dtype=np.uint8))
        wbnb.log(row)
    wbnb.alert(title="done", text=sys.argv[1])
    run.finish()
""")


@pytest.fixture
def database() -> Iterator[str]:
    with TempPostgres() as pg:
        yield pg.create_database("two_servers")


def test_two_servers_one_database_clients_on_both(tmp_path: Path, database: str) -> None:
    root = tmp_path / "shared-root"
    servers = [ServerProcess(root, database=database), ServerProcess(root, database=database)]
    for server in servers:
        server.start()
    try:
        key = make_key(root, "team", database=database)  # one key, valid on both
        children = []
        for n in range(4):
            server = servers[n % 2]
            env = {
                **os.environ,
                "WBNB_BASE_URL": server.url,
                "WBNB_API_KEY": key,
                "WBNB_SILENT": "1",
                "WBNB_SYSTEM_INTERVAL": "0",
                "WBNB_CONSOLE": "0",
                "WBNB_DIR": str(tmp_path / f"spool{n}"),
            }
            children.append(
                subprocess.Popen(
                    [sys.executable, "-c", CHILD, f"run{n}", server.url, "2000"],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for child in children:
            _, err = child.communicate(timeout=240)
            assert child.returncode == 0, err
            assert "not uploaded" not in err
        for server in servers:
            store = RemoteStore(Connection(server.url, key), "team")
            runs = {m["id"]: m for m in store.runs("shared")}
            assert sorted(runs) == ["run0", "run1", "run2", "run3"]
            for n in range(4):
                meta = runs[f"run{n}"]
                assert meta["state"] == "finished" and meta["config"]["server"] == servers[n % 2].url
                rows, _ = store.rows("shared", f"run{n}")
                assert [r[1] for r in rows] == list(range(2000))
                images = [v for keys, _s, _t, _r, values in rows for k, v in zip(keys, values) if k == "img"]
                assert len(images) == 5
                assert store.media(images[-1]["path"])[:8] == b"\x89PNG\r\n\x1a\n"
                events, _ = store.records("shared", f"run{n}", "events")
                assert [e.get("text") for e in events if e.get("kind") == "alert"] == [f"run{n}"]
    finally:
        for server in servers:
            server.stop()


def _has_rows(store: RemoteStore, project: str, run_id: str) -> bool:
    try:
        return bool(store.rows(project, run_id)[0])
    except StoreError:  # not created yet
        return False


def test_a_database_outage_is_503_and_clients_catch_up(tmp_path: Path) -> None:
    import requests

    with TempPostgres() as pg:
        database = pg.create_database("outage")
        server = ServerProcess(tmp_path / "root", database=database).start()
        try:
            key = make_key(server.root, "team", database=database)
            env = {
                **os.environ,
                "WBNB_BASE_URL": server.url,
                "WBNB_API_KEY": key,
                "WBNB_SILENT": "1",
                "WBNB_SYSTEM_INTERVAL": "0",
                "WBNB_CONSOLE": "0",
                "WBNB_DIR": str(tmp_path / "spool"),
            }
            slow = CHILD.replace("wbnb.log(row)", "wbnb.log(row); __import__('time').sleep(0.002)")
            child = subprocess.Popen(
                [sys.executable, "-c", slow, "outage", server.url, "2000"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            store = RemoteStore(Connection(server.url, key), "team")
            wait_for(lambda: _has_rows(store, "shared", "outage"), what="the first steps on the server")
            pg.pause()  # while the rest are being logged
            answer = requests.get(f"{server.url}/api/v1/whoami", headers={"Authorization": f"Bearer {key}"}, timeout=10)
            assert answer.status_code == 503 and "database" in answer.json()["detail"]
            time.sleep(1.5)  # the outage
            pg.resume()
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            assert [r[1] for r in store.rows("shared", "outage")[0]] == list(range(2000))
            assert store.run("shared", "outage")["state"] == "finished"
            assert "Internal Server Error" not in server.log()
        finally:
            server.stop()
