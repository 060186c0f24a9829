"""Object3DView: point clouds and .obj models read back from a real store, thinned in the
reply, drawn on a canvas that turns with a drag in Chromium, and the picture."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ..harness import Harness, record

CASES = json.loads((Path(__file__).resolve().parents[2] / "cases" / "object3d_projection.json").read_text())
XSS = '<img src=x onerror="window.__xss=1">'


def _glb(path: Path, positions: list[list[float]]) -> Path:
    """A binary glTF with one mesh of ``positions`` (no faces: only what wbnb reads)."""
    blob = np.asarray(positions, dtype="<f4").tobytes()
    doc = {
        "asset": {"version": "2.0"},
        "buffers": [{"byteLength": len(blob)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(blob)}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": len(positions), "type": "VEC3"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
    }
    head = json.dumps(doc).encode()
    head += b" " * (-len(head) % 4)
    chunks = struct.pack("<II", len(head), 0x4E4F534A) + head + struct.pack("<II", len(blob), 0x004E4942) + blob
    path.write_bytes(b"glTF" + struct.pack("<II", 2, 12 + len(chunks)) + chunks)
    return path


def _view(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import Object3DView

    return Object3DView(runs, min_interval=3600, **kw)


def _cloud(n: int, columns: int = 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = rng.normal(size=(n, 3)).astype(np.float32)
    if columns == 4:
        return np.column_stack([pts, np.arange(n) % 3]).astype(np.float32)
    if columns == 6:
        return np.column_stack([pts, rng.integers(0, 256, size=(n, 3))]).astype(np.float32)
    return pts


def test_projection_and_colours_cases() -> None:
    """The rule the canvas draws by (js/object3d/projection.ts, tests/js/object3d.test.ts)."""
    from wbnb.widgets.object3d.projection import point_colors, project

    for c in CASES["project"]:
        x, y, depth = project(np.array(c["points"]), c["yaw"], c["pitch"], c["zoom"], c["width"], c["height"])
        assert np.allclose(x, c["x"], atol=1e-3) and np.allclose(y, c["y"], atol=1e-3), c["name"]
        assert np.allclose(depth, c["depth"], atol=1e-3), c["name"]
    for c in CASES["colors"]:
        assert point_colors(np.array(c["points"], dtype=float)).tolist() == c["rgb"], c["name"]


def test_points_by_step_thinned_reply_obj_and_gltf(store_dir: Any, tmp_path: Path) -> None:
    import wbnb
    from wbnb.widgets.object3d.contract import MAX_POINTS

    run = wbnb.init(project="p", name="clouds")
    big = _cloud(MAX_POINTS + 5000, columns=6)
    run.log({"cloud": wbnb.Object3D(_cloud(50, columns=4), caption="first")}, step=0)
    run.log({"cloud": wbnb.Object3D(big)}, step=1)
    obj = tmp_path / "tri.obj"
    obj.write_text("# a triangle\nv 0 0 0\nv 1 0 0\nv 0 1 0.5\nf 1 2 3\n")
    glb = _glb(tmp_path / "m.glb", [[0, 0, 0], [2, 0, 0], [0, 0, 3]])
    empty = tmp_path / "empty.glb"
    empty.write_bytes(b"glTF" + b"\0" * 16)
    run.log(
        {"mesh": wbnb.Object3D(str(obj)), "model": wbnb.Object3D(str(glb)), "empty": wbnb.Object3D(str(empty))}, step=1
    )
    run.finish()
    w = _view(run, live=False)
    assert w.object_keys == ["cloud", "empty", "mesh", "model"]
    assert w.points("cloud", step=0).shape == (50, 4)
    assert np.array_equal(w.points("cloud"), big)
    assert w.points("mesh").tolist() == [[0, 0, 0], [1, 0, 0], [0, 1, 0.5]]
    assert w.points("model").tolist() == [[0, 0, 0], [2, 0, 0], [0, 0, 3]]
    assert w.points("empty") is None
    sid = w.objects.entries[(0, "cloud")].id
    reply, buffers = w._answer({"type": "fetch", "req": 3, "id": sid, "step": 1, "index": 0})
    assert reply["shown"] == MAX_POINTS and reply["total"] == len(big) and reply["columns"] == "xyzrgb"
    sent = np.frombuffer(buffers[0], dtype="<f4").reshape(-1, 6)
    assert len(sent) == MAX_POINTS and np.array_equal(sent[0], big[0]) and np.array_equal(sent[-1], big[-1])
    reply, buffers = w._answer({"type": "fetch", "req": 4, "id": sid, "step": 0, "index": 0})
    assert reply["caption"] == "first" and reply["columns"] == "xyzc" and reply["shown"] == 50
    model = w.objects.entries[(0, "model")].id
    reply, buffers = w._answer({"type": "fetch", "req": 5, "id": model, "step": 1, "index": 0})
    assert reply["format"] == "glb" and reply["shown"] == 3 and len(buffers[0]) == 3 * 3 * 4
    nothing = w.objects.entries[(0, "empty")].id
    reply, buffers = w._answer({"type": "fetch", "req": 5, "id": nothing, "step": 1, "index": 0})
    assert reply["format"] == "glb" and reply["shown"] == 0 and buffers == []
    reply, buffers = w._answer({"type": "fetch", "req": 6, "id": sid, "step": 9, "index": 0})
    assert reply["format"] == "" and buffers == []
    assert w._answer({"type": "fetch", "id": sid}) is None


def test_a_new_step_is_a_delta(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    run.log({"pc": wbnb.Object3D(_cloud(10))}, step=0)
    w = _view(run)
    comm = record(w)
    run.log({"pc": wbnb.Object3D(_cloud(10, seed=1))}, step=4)
    assert w._feed.tick() == "delta"
    ((msg, _),) = comm.take()
    assert msg["content"]["upd"] == [{"id": 0, "run": 0, "key": "pc", "steps": [0, 4], "counts": [1, 1]}]
    run.finish()


def _lit(harness: Harness, panel: int) -> list[int]:
    """The canvas's painted pixels: how many, and a checksum of where."""
    return harness.page.evaluate(
        f"""() => {{ const c = document.querySelector(".wbnb-panel[data-id='{panel}'] canvas");
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0, sum = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) {{ n++; sum = (sum + i * 7) % 1000003; }}
        return [n, sum]; }}"""
    )


def test_cloud_drawn_turned_by_a_drag_zoomed_and_reset(store_dir: Any, harness: Harness) -> None:
    import wbnb

    runs = []
    for name in ("a", f"b {XSS}"):
        run = wbnb.init(project="p", name=name)
        run.log({"pc": wbnb.Object3D(_cloud(2000, columns=4), caption=f"cap {XSS}")}, step=0)
        run.finish()
        runs.append(run)
    w = _view(runs)
    comm = record(w)
    harness.mount(w, "object3d")
    assert harness.answer(w, comm) == 2
    page = harness.page
    page.wait_for_selector(".wbnb-panel[data-id='1'][data-drawn='0'] canvas")
    first = _lit(harness, 0)
    assert first[0] > 500  # non-blank
    box = page.locator(".wbnb-panel[data-id='0'] canvas").bounding_box()
    other = page.locator(".wbnb-panel[data-id='1'] canvas").bounding_box()
    assert abs(box["y"] - other["y"]) < 1 and other["x"] >= box["x"] + box["width"]  # side by side
    assert box["width"] > 400  # laid out to the element's width (two runs in 1200 px)
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    view = "document.querySelector('.wbnb-object3d').__wbnb.clouds.get('0|0')"

    def repainted(act: Any) -> None:
        before = page.evaluate(f"() => {view}.paints")
        act()
        page.wait_for_function(f"(n) => {view}.paints > n", arg=before)

    def drag() -> None:
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx + 80, cy + 30, steps=4)
        page.mouse.up()

    repainted(drag)
    assert _lit(harness, 0) != first
    assert page.evaluate(f"() => {view}.yaw") > 0.6
    repainted(lambda: page.mouse.wheel(0, -300))
    assert page.evaluate(f"() => {view}.zoom") > 1
    repainted(lambda: page.mouse.dblclick(cx, cy))
    assert page.evaluate(f"() => [{view}.yaw, {view}.pitch, {view}.zoom]") == [0.6, 0.35, 1]
    assert _lit(harness, 0) == first  # back to the first view
    texts = page.locator(".wbnb-object3d").inner_text()
    assert "2000 points" in texts and f"cap {XSS}" in texts and f"b {XSS}" in texts
    assert page.locator(".wbnb-object3d img").count() == 0 and page.evaluate("() => window.__xss") is None
    harness.screenshot("object3d-two-runs")
    assert not harness.errors  # type: ignore[attr-defined]


def test_a_glb_drawn_as_points_and_a_model_without_any_named(store_dir: Any, harness: Harness, tmp_path: Path) -> None:
    import wbnb

    empty = tmp_path / "empty.glb"
    empty.write_bytes(b"glTF" + b"\0" * 16)
    run = wbnb.init(project="p", name="m")
    grid = [[x, y, z] for x in range(10) for y in range(10) for z in range(10)]
    run.log({"model": wbnb.Object3D(str(empty)), "solid": wbnb.Object3D(str(_glb(tmp_path / "m.glb", grid)))}, step=0)
    run.finish()
    w = _view(run)
    comm = record(w)
    harness.mount(w, "object3d")
    harness.answer(w, comm)
    harness.page.wait_for_selector(".wbnb-object3d .wbnb-model")
    assert harness.page.locator(".wbnb-model").inner_text() == "3-D model (glb): no points to draw"
    harness.page.wait_for_selector(".wbnb-panel[data-key='solid'] canvas")
    assert harness.page.locator(".wbnb-panel[data-key='solid'] .wbnb-info").inner_text() == "1000 points"
    solid = harness.page.get_attribute(".wbnb-panel[data-key='solid']", "data-id")
    assert _lit(harness, int(solid or -1))[0] > 500


def test_picture_projects_coloured_points_and_escapes_text(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name=f"r {XSS}")
    run.log({"pc": wbnb.Object3D(_cloud(5000, columns=6), caption=f"c {XSS}")}, step=0)
    run.finish()
    svg = _view(run, live=False)._picture().markup()
    assert svg.count("<circle") == 3000 and 'fill="rgb(' in svg
    assert "r &lt;img" in svg and "c &lt;img" in svg and "<img" not in svg
    empty = wbnb.init(project="p", name="e")
    empty.finish()
    assert "No 3-D objects logged yet." in _view(empty, live=False)._picture().markup()


def test_output_holds_the_view_and_a_well_formed_picture(store_dir: Any) -> None:
    """The key, run name and caption are the XSS string: text in the picture."""
    import wbnb

    from ..test_static import output_texts

    run = wbnb.init(project="p", name=XSS)
    run.log({XSS: wbnb.Object3D(_cloud(100), caption=XSS)}, step=0)
    run.finish()
    shown = output_texts(_view(run, live=False))
    assert shown.count(XSS) == 2 and any(s.startswith(XSS) for s in shown)  # key, caption; run name in the sub line


def test_a_new_step_while_shown_is_fetched_and_drawn(store_dir: Any, harness: Harness) -> None:
    """The panel follows the newest step: a delta grows its slider and the new cloud is fetched."""
    import wbnb

    run = wbnb.init(project="p", name="live")
    run.log({"pc": wbnb.Object3D(_cloud(300))}, step=0)
    w = _view(run)
    comm = record(w)
    harness.mount(w, "object3d")
    assert harness.answer(w, comm) == 1
    harness.page.wait_for_selector(".wbnb-panel[data-drawn='0'] canvas")
    run.log({"pc": wbnb.Object3D(_cloud(700, seed=2))}, step=3)
    assert w._feed.tick() == "delta"
    harness.deliver(w, comm.take())
    assert harness.answer(w, comm) == 1
    harness.page.wait_for_selector(".wbnb-panel[data-drawn='3']")
    assert harness.page.locator(".wbnb-info").inner_text() == "700 points"
    assert harness.page.locator(".wbnb-step-label").text_content() == "3  ·  2/2"
    run.finish()


def test_a_list_of_clouds_at_one_step_is_fetched_item_by_item(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="lists")
    clouds = [_cloud(10 * (i + 1), seed=i) for i in range(3)]
    run.log({"clouds": [wbnb.Object3D(c, caption=f"cloud {i}") for i, c in enumerate(clouds)]}, step=2)
    run.finish()
    w = _view(run)
    ((series),) = w._snapshot["series"]
    assert series["steps"] == [2] and series["counts"] == [3]  # the snapshot says how many items
    sid = series["id"]
    got = []
    for i in range(3):
        reply, buffers = w._answer({"type": "fetch", "req": 10 + i, "id": sid, "step": 2, "index": i})
        assert reply["index"] == i and reply["caption"] == f"cloud {i}" and reply["total"] == 10 * (i + 1)
        got.append(buffers[0])
        assert np.array_equal(np.frombuffer(buffers[0], "<f4").reshape(-1, 3), clouds[i])
    assert len(set(got)) == 3  # three different buffers
    reply, buffers = w._answer({"type": "fetch", "req": 13, "id": sid, "step": 2, "index": 3})
    assert reply["format"] == "" and buffers == []  # no such item
    assert w._answer({"type": "fetch", "req": 14, "id": sid, "step": 2}) is None  # no index: not the page's fetch
    assert np.array_equal(w.points("clouds", index=2), clouds[2])


def test_the_picture_draws_a_list_s_first_items_and_counts_the_rest(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="pics")
    run.log({"clouds": [wbnb.Object3D(_cloud(50, seed=i), caption=f"cap {i}") for i in range(5)]}, step=0)
    run.finish()
    svg = _view(run, live=False)._picture().markup()
    assert svg.count("<circle") == 150  # three clouds drawn
    assert "cap 0" in svg and "cap 2" in svg and "cap 3" not in svg
    assert "pics  ·  1/5" in svg and "pics  ·  3/5" in svg and "+2 more" in svg


def test_three_canvases_drawn_for_a_list_of_clouds(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="lists")
    items = [wbnb.Object3D(_cloud(500 * (i + 1), seed=i), caption=f"cap {i} {XSS}") for i in range(3)]
    run.log({"clouds": items}, step=0)
    run.finish()
    w = _view(run)
    comm = record(w)
    harness.mount(w, "object3d")
    assert harness.answer(w, comm) == 3  # one fetch per item
    page = harness.page
    page.wait_for_selector(".wbnb-panel[data-drawn='0']")
    assert page.locator(".wbnb-panel").count() == 1 and page.locator(".wbnb-panel canvas").count() == 3
    lit = page.evaluate(
        """() => [...document.querySelectorAll('.wbnb-panel canvas')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })"""
    )
    assert all(n > 100 for n in lit), lit  # each canvas drawn
    boxes = [page.locator(f".wbnb-item[data-index='{i}'] canvas").bounding_box() for i in range(3)]
    assert all(abs(b["y"] - boxes[0]["y"]) < 1 for b in boxes)  # side by side
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] and boxes[1]["x"] + boxes[1]["width"] <= boxes[2]["x"]
    infos = page.locator(".wbnb-info").all_inner_texts()
    assert infos == ["500 points", "1000 points", "1500 points"]
    assert page.locator(".wbnb-caption").all_inner_texts() == [f"cap {i} {XSS}" for i in range(3)]
    assert page.locator(".wbnb-item-head").all_inner_texts() == ["1/3", "2/3", "3/3"]
    assert page.locator(".wbnb-object3d img").count() == 0 and page.evaluate("() => window.__xss") is None
    harness.screenshot("object3d-list")
    assert not harness.errors  # type: ignore[attr-defined]


def test_the_slider_to_a_step_with_fewer_items_keeps_that_many_cells(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="mixed")
    run.log({"pc": wbnb.Object3D(_cloud(300))}, step=0)
    run.log({"pc": [wbnb.Object3D(_cloud(400, seed=1)), wbnb.Object3D(_cloud(600, seed=2))]}, step=1)
    run.finish()
    w = _view(run)
    comm = record(w)
    harness.mount(w, "object3d")
    assert harness.answer(w, comm) == 2
    page = harness.page
    page.wait_for_selector(".wbnb-panel[data-drawn='1']")
    assert page.locator(".wbnb-info").all_inner_texts() == ["400 points", "600 points"]
    page.locator(".wbnb-step-slider").fill("0")
    assert harness.answer(w, comm) == 1
    page.wait_for_selector(".wbnb-panel[data-drawn='0']")
    assert page.locator(".wbnb-panel canvas").count() == 1 and page.locator(".wbnb-info").all_inner_texts() == [
        "300 points"
    ]
    assert page.locator(".wbnb-item-head").all_inner_texts() == [""]
    page.locator(".wbnb-step-slider").fill("1")  # back: both items were kept, no fetch
    page.wait_for_selector(".wbnb-panel[data-drawn='1']")
    assert page.locator(".wbnb-info").all_inner_texts() == ["400 points", "600 points"]
    assert page.evaluate("() => document.querySelector('.wbnb-object3d').__wbnb.records.stats.fetches") == 3
