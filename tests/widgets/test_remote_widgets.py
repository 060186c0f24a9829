"""The notebook components over a real ``wbnb server``: one client logs runs (tables with
images, plot.* charts, audio, video, html, plotly figures, point clouds), ANOTHER client
draws them through the remote store (snapshots, the page's fetch answers, pictures); a
live run reaches a widget made before its steps; a table the server does not have yet is
said to be so and read again; a hostile client's records draw as errors for the others."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wbnb
from tests.server.serverproc import ServerProcess, make_key
from tests.waiting import wait_for
from tests.widgets.harness import Harness, record
from wbnb.store.remote import Connection, RemoteStore
from wbnb.store.wire import encode_rows
from wbnb.widgets import Charts, MediaView, Object3DView, PlotlyView, RunPanel, TableView

PNG = b"\x89PNG"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with ServerProcess(tmp_path_factory.mktemp("server") / "root") as proc:
        yield proc


@pytest.fixture(scope="module")
def keys(server: ServerProcess) -> dict[str, str]:
    """A key per client of the team: the one that logs, the one that reads, a hostile one."""
    return {name: make_key(server.root, "team", name=name) for name in ("writer", "reader", "hostile")}


@pytest.fixture
def writer(server: ServerProcess, keys: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This process logs to the server (spooled in ``tmp_path``)."""
    env = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0", "WBNB_DIR": str(tmp_path / "spool")}
    for name, value in {**env, "WBNB_BASE_URL": server.url, "WBNB_API_KEY": keys["writer"]}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def reader(server: ServerProcess, keys: dict[str, str]) -> RemoteStore:
    """Another client of the same team, reading the server only."""
    return RemoteStore(Connection(server.url, keys["reader"]), "team")


class Hostile:
    """A client that speaks the server's HTTP API itself: any record, any file."""

    def __init__(self, server: ServerProcess, key: str) -> None:
        self.store = RemoteStore(Connection(server.url, key), "team")

    def put(self, data: bytes, ext: str) -> str:
        """Upload a media file; its path."""
        return self.store.conn.request("PUT", f"/media/{hashlib.sha256(data).hexdigest()}.{ext}", data=data)["path"]

    def run(self, run_id: str, values: dict[str, Any], project: str = "evil") -> str:
        """A finished run whose one row (step 0) holds ``values`` as they are; its path."""
        path = self.store._run(project, run_id)
        self.store.conn.request("PUT", path, json={"meta": {"entity": "team", "name": run_id}, "resume": "allow"})
        rows = encode_rows(0, [(tuple(values), 0, time.time(), 0.0, list(values.values()))])
        self.store.conn.request("POST", f"{path}/batches", json={"history": rows, "state": "finished", "exit_code": 0})
        return f"{project}/{run_id}"

    @staticmethod
    def media_path(data: bytes, ext: str) -> str:
        """The path ``put(data, ext)`` will give the file (the server stores by content)."""
        digest = hashlib.sha256(data).hexdigest()
        return f"media/{digest[:2]}/{digest}.{ext}"

    def late(self, run_id: str, key: str, type_: str, data: bytes, ext: str) -> str:
        """A finished run whose ``key`` holds a ``type_`` record of ``data``, a file not put
        yet (``put`` it later); the run's path."""
        return self.run(run_id, {key: {"_type": type_, "path": self.media_path(data, ext)}})


@pytest.fixture
def hostile(server: ServerProcess, keys: dict[str, str]) -> Hostile:
    return Hostile(server, keys["hostile"])


class Fig:
    """A plotly-like figure (anything with ``to_plotly_json``)."""

    def to_plotly_json(self) -> dict[str, Any]:
        return {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2], "name": "counts"}], "layout": {}}


def _table(step: int) -> wbnb.Table:
    images = [wbnb.Image(np.full((8, 8, 3), 40 * i + step, np.uint8)) for i in range(3)]
    return wbnb.Table(columns=["id", "img", "label"], data=[[i, images[i], f"l{i}"] for i in range(3)])


def _log_everything() -> str:
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 60), rng.random((60, 2))
    sound = np.sin(440 * np.arange(800) / 8000)
    run = wbnb.init(project="remote", name="all")
    for step in range(2):
        run.log(
            {
                "tbl": _table(step),
                "roc": wbnb.plot.roc_curve(y, p, labels=["a", "b"]),
                "pr": wbnb.plot.pr_curve(y, p, labels=["a", "b"]),
                "line": wbnb.plot.line(wbnb.Table(columns=["x", "y"], data=[[0, 1], [1, 2]]), "x", "y", title="L"),
                "snd": wbnb.Audio(sound, sample_rate=8000),
                "clip": wbnb.Video(np.zeros((3, 3, 8, 8), np.uint8), fps=2),
                "page": wbnb.Html("<h1>hi</h1>"),
                "fig": wbnb.Plotly(Fig()),
                "cloud": wbnb.Object3D(rng.random((50, 3))),
            },
            step=step,
        )
    run.finish()
    return f"remote/{run.id}"


def test_each_component_draws_a_run_of_the_server_from_another_client(writer: None, reader: RemoteStore) -> None:
    path = _log_everything()

    tv = TableView(path, "tbl", store=reader, live=False)
    assert tv.steps == [0, 1] and tv._snapshot["preview"]["nrows"] == 3
    reply, _ = tv._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    assert [c["name"] for c in reply["columns"]] == ["id", "img", "label"]
    version = tv._snapshot["preview"]["version"]
    images = {"type": "fetch", "req": 2, "what": "images", "version": version, "cells": [{"row": 0, "col": 1}]}
    reply, buffers = tv._answer(images)
    assert reply["items"] == [{"row": 0, "col": 1, "mime": "image/png"}] and buffers[0].startswith(PNG)

    charts = Charts(path, store=reader, live=False)
    drawn = {c["key"]: c for c in charts._snapshot["charts"]}
    assert sorted(drawn) == ["line", "pr", "roc"]
    assert all(c["note"] == "" and len(c["data"]["x"]) > 1 for c in drawn.values())

    media = MediaView(path, store=reader, live=False)
    series = {s["key"]: s for s in media._snapshot["series"]}
    assert sorted(series) == ["clip", "page", "snd"] and series["snd"]["steps"] == [0, 1]
    got = {}
    for key, s in series.items():
        fetch = {"type": "fetch", "req": 3, "items": [{"id": s["id"], "step": 1, "index": 0, "columns": 40}]}
        reply, buffers = media._answer(fetch)
        got[key] = (reply["items"][0], buffers)
    assert got["snd"][1][0].startswith(b"RIFF") and got["snd"][0]["peaks"] == 40 and len(got["snd"][1][1]) == 640
    assert got["clip"][1][0].startswith(b"GIF8") and got["page"][1][0].endswith(b"<h1>hi</h1>")

    figures = PlotlyView(path, store=reader, live=False)
    reply, buffers = figures._answer({"type": "fetch", "req": 4, "id": 0, "step": 1, "index": 0})
    assert reply["found"] and json.loads(buffers[0]) == Fig().to_plotly_json()

    objects = Object3DView(path, store=reader, live=False)
    reply, buffers = objects._answer({"type": "fetch", "req": 5, "id": 0, "step": 0, "index": 0})
    assert reply["total"] == 50 and len(buffers[0]) == 50 * 3 * 4

    for w in (tv, charts, media, figures, objects):
        assert "<svg" in w._picture().markup()
    panel = RunPanel(wbnb.Api().run(f"team/{path}"), live=False)
    cells = {c["id"] for sec in panel.sections for c in sec["cells"]}
    assert {"charts:roc", "mediaview:snd", "plotlyview:fig", "object3dview:cloud"} <= cells
    assert any(c.startswith("tableview:tbl") for c in cells)


def test_a_widget_made_first_follows_a_run_logged_through_the_server(writer: None, reader: RemoteStore) -> None:
    run = wbnb.init(project="remote", name="live")
    run.log({"tbl": _table(0), "snd": wbnb.Audio(np.zeros(80), sample_rate=8000)}, step=0)
    wait_for(lambda: len(reader.rows("remote", run.id)[0]) == 1, what="the first step on the server")
    tv = TableView(f"remote/{run.id}", "tbl", store=reader, min_interval=0.05)
    media = MediaView(f"remote/{run.id}", store=reader, min_interval=0.05)
    try:
        for step in (1, 2):
            run.log({"tbl": _table(step), "snd": wbnb.Audio(np.zeros(80), sample_rate=8000)}, step=step)
        wait_for(lambda: tv.steps == [0, 1, 2], what="the table's new steps")
        wait_for(lambda: media.index.steps(0, "snd") == [0, 1, 2], what="the sound's new steps")
        assert tv.df["img"][0]["_type"] == "image"
    finally:
        run.finish()
        tv.close()
        media.close()


def test_a_large_table_logged_at_many_steps_reads_back_from_the_server(writer: None, reader: RemoteStore) -> None:
    rows = [[i, f"row {i}", i / 3] for i in range(20_000)]
    run = wbnb.init(project="remote", name="large")
    for step in range(4):
        rows[0][0] = step  # each step's table is its own file
        run.log({"big": wbnb.Table(columns=["i", "name", "third"], data=rows)}, step=step)
    run.finish()
    tv = TableView(f"remote/{run.id}", "big", store=reader, live=False)
    assert tv.steps == [0, 1, 2, 3] and tv._snapshot["preview"]["nrows"] == 20_000
    reply, buffers = tv._answer({"type": "fetch", "req": 1, "what": "columns", "step": 2})
    assert reply["nrows"] == 20_000 and np.frombuffer(buffers[0], np.float64)[:2].tolist() == [2.0, 1.0]


def test_the_remote_store_reads_only_media_paths(reader: RemoteStore) -> None:
    """A record's path names a media file or nothing: never another URL of the server."""
    for path in ("media/../../etc/passwd", "media/../entities/team/projects", 7, "../x"):
        for read in (reader.media, reader.media_size, reader.media_url):
            with pytest.raises(ValueError, match="not a media path"):
                read(path)  # type: ignore[arg-type]


def _columns(tv: TableView) -> tuple[list[str], list[str]]:
    """The names of the table the page gets, and its text cells of the last column."""
    reply, buffers = tv._answer({"type": "fetch", "req": 1, "what": "columns", "step": -1})
    return [c["name"] for c in reply["columns"]], [str(r[-1]) for r in tv._snapshot["preview"]["rows"]]


def test_a_hostile_clients_tables_draw_as_error_cells(writer: None, reader: RemoteStore, hostile: Hostile) -> None:
    """Records another client logged that are no table it can read: an error cell, never
    an exception (in the constructor, the page's requests or the picture)."""
    bodies = {
        "not json": b"\x00{not json",
        "a list": b"[1, 2]",
        "no columns": json.dumps({"columns": 5, "data": "x"}).encode(),
        "ragged": json.dumps({"columns": ["a", "b"], "data": [[1], "zz", None]}).encode(),
    }
    values: dict[str, Any] = {k: {"_type": "table", "path": hostile.put(b, "json")} for k, b in bodies.items()}
    values |= {
        "outside": {"_type": "table", "path": "media/../../etc/passwd"},
        "no path": {"_type": "table"},
        "int path": {"_type": "table", "path": 7},
        "chart": {"_type": "plot", "kind": "line", "table": values["a list"], "fields": {"x": "x", "y": "y"}},
    }
    evil = hostile.run("evil1", values)
    for key in values:
        if key == "chart":
            continue
        tv = TableView(evil, key, store=reader, live=False)
        names, cells = _columns(tv)
        assert names == ["error"] and "cannot be read" in cells[0], key
        assert ">error</text>" in tv._picture().markup()
    good = _log_everything()
    both = TableView([good, evil], "not json", store=reader, live=False)
    assert _columns(both)[0] == ["run", "error"]
    charts = Charts(evil, store=reader, live=False)
    assert "cannot read this chart's table" in charts._snapshot["charts"][0]["note"]


def test_a_file_the_server_does_not_have_yet_is_said_so_and_read_again(
    writer: None, reader: RemoteStore, hostile: Hostile
) -> None:
    """A table (and a chart's table) whose file comes after its row: "not available yet",
    and the file read once it is there (the miss is not kept)."""
    body = json.dumps({"columns": ["x", "y"], "data": [[0, 1], [1, 3]]}).encode()
    path = hostile.media_path(body, "json")
    table = {"_type": "table", "path": path}
    line = {"_type": "plot", "kind": "line", "table": table, "fields": {"x": "x", "y": "y"}, "title": "late"}
    late = hostile.run("late1", {"tbl": table, "line": line})
    tv = TableView(late, "tbl", store=reader, live=False)
    charts = Charts(late, store=reader, live=False)
    assert _columns(tv)[1] == ["the table logged by late1 cannot be read: not available yet"]
    assert "cannot read this chart's table" in charts.charts.chart("line")["note"]
    assert hostile.put(body, "json") == path
    assert _columns(tv)[0] == ["x", "y"]
    assert charts.charts.chart("line")["data"]["y"] == [1, 3]


def test_a_hostile_clients_figures_and_objects_draw_as_notes(reader: RemoteStore, hostile: Hostile) -> None:
    """Figures and 3-D objects another client logged that wbnb cannot draw: the page's
    answer says there is nothing to draw, the picture says so, nothing raises."""
    deep = b"[" * 100_000 + b"]" * 100_000  # JSON nested past what Python parses
    text = {"data": [{"type": "scatter", "y": {"bdata": base64.b64encode(b"a\0\0\0").decode(), "dtype": "<U1"}}]}
    figures = {
        "deep": hostile.put(deep, "json"),
        "data not a list": hostile.put(json.dumps({"data": 5}).encode(), "json"),
        "text typed array": hostile.put(json.dumps(text).encode(), "json"),
    }
    objects = {
        "deep": {"_type": "object3d", "path": hostile.put(deep, "gltf")},
        "a list": {"_type": "object3d", "path": hostile.put(b"[1, 2]", "gltf")},
        "uri not text": {"_type": "object3d", "path": hostile.put(b'{"buffers": [{"uri": 5}]}', "gltf")},
        "boxes not a list": {"_type": "object3d", "path": hostile.put(b"v 0 0 0\n", "obj"), "boxes": 5},
    }
    evil = hostile.run("evil2", {**{f"fig/{k}": {"_type": "plotly", "path": p} for k, p in figures.items()}, **objects})
    view = PlotlyView(evil, store=reader, live=False)
    for sid, key in enumerate(f"fig/{k}" for k in figures):
        reply, _ = view._answer({"type": "fetch", "req": 1, "id": sid, "step": 0, "index": 0})
        assert reply["found"], key  # the bytes go: the page says it cannot draw them
    assert view.figure("fig/deep") is None
    assert view._picture().markup().count("plotly</text>") == 3
    o3d = Object3DView(evil, store=reader, live=False)
    for sid, key in enumerate(objects):
        reply, buffers = o3d._answer({"type": "fetch", "req": 1, "id": sid, "step": 0, "index": 0})
        assert (reply["total"], reply["shapes"]) == ((1, []) if key == "boxes not a list" else (0, [])), key
    assert o3d.points("deep") is None
    assert "no points to draw" in o3d._picture().markup()


def test_a_hostile_clients_image_cells_come_without_their_odd_overlays(reader: RemoteStore, hostile: Hostile) -> None:
    """Image cells whose masks and boxes are not what ``wbnb.Image`` writes: the page gets
    each image (its overlays that cannot be read left out), and nothing raises."""
    from wbnb.data.png import encode_png

    png = hostile.put(encode_png(np.zeros((8, 8, 3), np.uint8)), "png")
    odd = [{"masks": [1]}, {"boxes": [1]}, {"boxes": {"b": 5}}, {"boxes": {"b": {"box_data": 5}}}, {"masks": {"m": 5}}]
    cells = [[{"_type": "image", "path": png, **extra}] for extra in odd]
    body = json.dumps({"columns": ["img"], "data": [*cells, [{"_type": "image", "path": "media/../x.png"}]]}).encode()
    evil = hostile.run("evil3", {"tbl": {"_type": "table", "path": hostile.put(body, "json")}})
    tv = TableView(evil, "tbl", store=reader, live=False)
    want = [{"row": r, "col": 0} for r in range(len(odd) + 1)]
    version = tv._snapshot["preview"]["version"]
    reply, buffers = tv._answer({"type": "fetch", "req": 1, "what": "images", "version": version, "cells": want})
    assert [i["row"] for i in reply["items"]] == list(range(len(odd) + 1))
    assert all(b.startswith(PNG) for b in buffers[: len(odd)]) and buffers[-1] == b""


def test_the_page_asks_again_for_a_figure_the_server_does_not_have_yet(
    reader: RemoteStore, hostile: Hostile, harness: Harness
) -> None:
    """The figure's file comes after its row: the page says so, keeps no miss, and draws
    the figure once a later ask finds the file."""
    body = json.dumps({**Fig().to_plotly_json(), "layout": {"title": "late"}}).encode()  # no other test's
    late = hostile.late("late2", "fig", "plotly", body, "json")
    view = PlotlyView(late, store=reader, live=False)
    comm = record(view)
    harness.mount(view, "plotly")
    harness.answer(view, comm)
    harness.page.wait_for_selector(".wbnb-plotly .wbnb-note:has-text('file not available (yet)')")
    hostile.put(body, "json")
    harness.answer(view, comm)  # asked again
    harness.page.wait_for_selector(".wbnb-plotly .wbnb-panel[data-drawn='0'] .js-plotly-plot")
    assert not harness.errors  # type: ignore[attr-defined]


def test_the_page_asks_again_for_a_table_the_server_does_not_have_yet(
    reader: RemoteStore, hostile: Hostile, harness: Harness
) -> None:
    """A finished run's table whose file comes after its row: the page shows the error
    cell, asks again, and shows the table once the file is there."""
    body = json.dumps({"columns": ["x", "y"], "data": [[0, 3]]}).encode()  # no other test's: the server has none
    late = hostile.late("late3", "tbl", "table", body, "json")
    view = TableView(late, "tbl", store=reader, live=False)
    comm = record(view)
    harness.mount(view, "tableview")
    harness.answer(view, comm)
    head = harness.page.locator(".wbnb-tableview .wbnb-th")
    harness.page.wait_for_selector(".wbnb-tableview .wbnb-row:has-text('not available yet')")
    assert head.all_inner_texts() == ["error"]
    hostile.put(body, "json")
    harness.answer(view, comm)  # asked again
    harness.page.wait_for_function("() => document.querySelector('.wbnb-tableview .wbnb-th')?.textContent === 'x'")
    assert head.all_inner_texts() == ["x", "y"]
    assert not harness.errors  # type: ignore[attr-defined]


def test_the_page_asks_again_for_a_sound_the_server_does_not_have_yet(
    reader: RemoteStore, hostile: Hostile, harness: Harness
) -> None:
    """A finished run's audio whose file comes after its row: the cell says so, asks
    again, and plays the sound once the file is there."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.arange(800, dtype="<i2").tobytes())  # no other test's
    data = out.getvalue()
    late = hostile.late("late4", "snd", "audio", data, "wav")
    view = MediaView(late, store=reader, live=False)
    comm = record(view)
    harness.mount(view, "mediaview")
    harness.answer(view, comm)
    harness.page.wait_for_selector(".wbnb-mediaview :text('file not available (yet)')")
    hostile.put(data, "wav")
    harness.answer(view, comm)  # asked again
    harness.page.wait_for_selector(".wbnb-mediaview audio", state="attached")
    assert not harness.errors  # type: ignore[attr-defined]
