"""Gallery: the step index (Python), page fetch answers, and the view in Chromium."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
import pytest

from ..harness import Harness, record

XSS = "<img src=x onerror=alert(1)>"


def _log_images(run: Any, steps: range, per_step: int = 3, key: str = "samples") -> None:
    import wbnb

    for s in steps:
        imgs = [
            wbnb.Image(np.full((8, 8, 3), (s * 20 + i * 60) % 256, dtype=np.uint8), caption=f"s{s} i{i}")
            for i in range(per_step)
        ]
        run.log({key: imgs, "loss": 1.0 / (s + 1)}, step=s)


def _finished_runs(steps: dict[str, range], per_step: int = 3) -> list[Any]:
    """A finished run per name, with images at its steps."""
    import wbnb

    runs = []
    for name, logged in steps.items():
        run = wbnb.init(project="p", name=name, reinit="create_new")
        _log_images(run, logged, per_step=per_step)
        run.finish()
        runs.append(run)
    return runs


def _gallery(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import Gallery

    return Gallery(runs, min_interval=3600, **kw)


def test_step_index_and_fetch_answers_with_the_right_bytes(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="a")
    _log_images(run, range(0, 10, 2))
    run.log({"single": wbnb.Image(np.zeros((4, 4), dtype=np.uint8), caption=XSS)}, step=11)
    w = _gallery(run)
    assert w.image_keys == ["samples", "single"] and w.key == "samples"
    assert w.steps("samples") == [0, 2, 4, 6, 8] and w.steps("single") == [11]
    series = {s["key"]: np.frombuffer(s["data"], dtype=float).reshape(-1, 2) for s in w._snapshot["series"]}
    assert series["samples"].tolist() == [[0, 3], [2, 3], [4, 3], [6, 3], [8, 3]]
    recs = w.index.images(0, "samples", 4)
    reply, buffers = w.index.answer(
        {
            "type": "fetch",
            "req": 7,
            "items": [
                {"run": 0, "key": "samples", "step": 4, "from": 1, "to": 3},
                {"run": 0, "key": "nope", "step": 4},
            ],
        }
    )
    assert reply["req"] == 7 and [i["index"] for i in reply["items"]] == [1, 2]
    assert [i["caption"] for i in reply["items"]] == ["s4 i1", "s4 i2"]
    assert buffers == [run._store.media(recs[1]["path"]), run._store.media(recs[2]["path"])]
    assert buffers[0][:8] == b"\x89PNG\r\n\x1a\n" and reply["items"][0]["mime"] == "image/png"
    # the message handler answers with a custom message carrying the bytes
    comm = record(w)
    w._on_request(w, {"type": "fetch", "req": 1, "items": [{"run": 0, "key": "single", "step": 11}]}, [])
    ((data, bufs),) = comm.take()
    assert data["content"]["items"][0]["caption"] == XSS and len(bufs) == 1
    run.finish()


def test_live_index_grows_through_deltas(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    _log_images(run, range(3))
    w = _gallery(run)
    comm = record(w)
    _log_images(run, range(3, 5), per_step=2)
    assert w._feed.tick() == "delta"
    ((data, bufs),) = comm.take()
    upd = data["content"]["upd"]
    assert upd[0]["key"] == "samples" and upd[0]["from"] == 3
    assert np.frombuffer(bufs[0], dtype=float).reshape(-1, 2).tolist() == [[3, 2], [4, 2]]
    assert w._feed.tick() is None  # nothing new: no message
    run.finish()


def _mount(h: Harness, w: Any) -> Any:
    """Mount ``w``'s view once its first runs are drawn; the comm records what Python sends."""
    comm = record(w)
    h.mount(w, "gallery")
    h.page.wait_for_selector(".wbnb-gallery .wbnb-run")
    return comm


def _pump(h: Harness, w: Any, comm: Any) -> int:
    """Answer the page's fetch requests the way the kernel would; returns how many."""
    sent = h.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    for content in sent:
        w._on_request(w, content, [])
    h.deliver(w, comm.take())
    return len(sent)


def _img_bytes(h: Harness, selector: str) -> list[bytes]:
    out = h.page.evaluate(
        """async (sel) => {
        const res = [];
        for (const img of document.querySelectorAll(sel)) {
            const buf = await (await fetch(img.src)).arrayBuffer();
            let s = ''; for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
            res.push(btoa(s));
        }
        return res;
    }""",
        selector,
    )
    return [base64.b64decode(x) for x in out]


def test_slider_changes_images_click_enlarges_runs_side_by_side(store_dir: Any, harness: Harness) -> None:
    runs = _finished_runs({"first": range(0, 6), "second": range(0, 6, 2)})
    w = _gallery(runs, columns=3, size=120)
    comm = _mount(harness, w)
    assert _pump(harness, w, comm) == 1  # one request for the page shown
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 6")
    store = runs[0]._store
    # the latest step (5) for the first run; the second shows its last step at or before 5 (4)
    titles = harness.page.locator(".wbnb-run-title").all_inner_texts()
    assert titles[0].startswith("first") and "step 5" in titles[0]
    assert titles[1].startswith("second") and "step 4" in titles[1]
    first = _img_bytes(harness, '.wbnb-run[data-run="0"] figure img')
    assert first == [store.media(r["path"]) for r in w.index.images(0, "samples", 5)]
    assert harness.page.locator('.wbnb-run[data-run="0"] figcaption').all_inner_texts() == ["s5 i0", "s5 i1", "s5 i2"]
    harness.screenshot("gallery-two-runs")
    # move the slider to the second step (2): other bytes are asked for and shown
    harness.page.locator(".wbnb-step-slider").fill("2")
    assert _pump(harness, w, comm) == 1
    harness.page.wait_for_function(
        "() => [...document.querySelectorAll('.wbnb-run[data-run=\"0\"] figcaption')]"
        ".map(c => c.textContent).join() === 's2 i0,s2 i1,s2 i2'"
    )
    moved = _img_bytes(harness, '.wbnb-run[data-run="0"] figure img')
    assert moved == [store.media(r["path"]) for r in w.index.images(0, "samples", 2)] and moved != first
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('step')") == 2
    # back to a step seen before: served from the page's cache, no new request
    harness.page.locator(".wbnb-step-slider").fill("5")
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 6")
    assert _pump(harness, w, comm) == 0
    # click enlarges
    harness.page.locator('.wbnb-run[data-run="1"] figure').nth(1).click()
    overlay = harness.page.locator(".wbnb-overlay")
    overlay.wait_for(state="visible")
    big = overlay.locator("img").bounding_box()
    thumb = harness.page.locator('.wbnb-run[data-run="1"] figure img').nth(1).bounding_box()
    assert big["width"] > 2 * thumb["width"]
    assert "s4 i1" in overlay.inner_text() and "second" in overlay.inner_text()
    harness.screenshot("gallery-enlarged")
    overlay.click()
    assert harness.page.locator(".wbnb-overlay").count() == 0
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_unchecking_a_run_hides_it_and_its_steps(store_dir: Any, harness: Harness) -> None:

    w = _gallery(_finished_runs({"even": range(0, 6, 2), "every": range(6)}, per_step=1))
    _mount(harness, w)
    model = f"window.wbnb.models['{w.model_id}']"
    steps = "() => document.querySelector('.wbnb-gallery').__wbnb.unionSteps('samples')"
    assert harness.page.evaluate(steps) == [0, 1, 2, 3, 4, 5]
    boxes = harness.page.locator(".wbnb-run-choice input")
    assert boxes.count() == 2
    boxes.nth(1).uncheck()
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery .wbnb-run').length === 1")
    assert harness.page.evaluate(f"() => [{model}.get('shown_runs'), {model}.saved > 0]") == [[0], True]
    assert harness.page.evaluate(steps) == [0, 2, 4]  # the slider moves over the runs shown
    assert harness.page.locator(".wbnb-run-title").inner_text().startswith("even")
    boxes.nth(1).check()
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery .wbnb-run').length === 2")
    assert harness.page.evaluate(f"() => {model}.get('shown_runs')") == []  # all shown again
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_captions_and_names_are_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name=XSS)
    run.log({XSS: [wbnb.Image(np.zeros((6, 6), dtype=np.uint8), caption=XSS)]})
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = _gallery(run)
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_selector(".wbnb-gallery figcaption")
    assert harness.page.locator("figcaption").inner_text() == XSS
    assert harness.page.locator(".wbnb-key option").all_inner_texts() == [XSS]
    assert harness.page.locator(".wbnb-run-title").inner_text().startswith(XSS)
    assert harness.page.locator(".wbnb-gallery figure img").count() == 1  # only the real image
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False


def test_gap_rebuilds_the_index_from_the_snapshot(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="gap")
    _log_images(run, range(2))
    w = _gallery(run)
    comm = _mount(harness, w)
    _log_images(run, range(2, 4))
    w._feed.tick()  # delta 1, lost
    comm.take()
    _log_images(run, range(4, 5))
    w._feed.tick(final=True)  # snapshot 2
    comm.take()  # not delivered as a change either: only the gap makes the page read it
    harness.page.evaluate(
        "([id, s]) => { window.wbnb.models[id].state._snapshot = s; }", [w.model_id, {**w._snapshot, "series": []}]
    )
    # the real snapshot, buffers included, set silently through the harness' state path
    from ipywidgets.widgets.widget import _remove_buffers

    state, paths, buffers = _remove_buffers({"_snapshot": w._snapshot})
    harness.page.evaluate(
        """([id, st, paths, b]) => {
        const views = b.map(x => { const s = atob(x); const u = new Uint8Array(s.length);
            for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return new DataView(u.buffer); });
        paths.forEach((p, i) => { let o = st; for (const k of p.slice(0, -1)) o = o[k]; o[p[p.length-1]] = views[i]; });
        window.wbnb.models[id].state._snapshot = st._snapshot;
    }""",
        [w.model_id, state, paths, [base64.b64encode(bytes(x)).decode() for x in buffers]],
    )
    _log_images(run, range(5, 6))
    w._feed.tick()  # delta 3 arrives after 0: a gap
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelector('.wbnb-gallery').__wbnb.channel.applied === 3")
    steps = harness.page.evaluate("() => document.querySelector('.wbnb-gallery').__wbnb.unionSteps('samples')")
    assert steps == [0, 1, 2, 3, 4, 5]
    run.finish()


@pytest.mark.parametrize("n", [40])
def test_pages_of_many_images(store_dir: Any, harness: Harness, n: int) -> None:
    import wbnb

    run = wbnb.init(project="p", name="many")
    run.log({"grid": [wbnb.Image(np.full((5, 5), i * 5, dtype=np.uint8), caption=str(i)) for i in range(n)]})
    run.finish()
    w = _gallery(run, per_page=16, columns=8, size=64)
    comm = _mount(harness, w)
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent")
    assert sent[0]["items"] == [{"run": 0, "key": "grid", "step": 0, "from": 0, "to": 16}]  # only the page shown
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 16")
    assert "page 1/3" in harness.page.locator(".wbnb-page").inner_text()
    harness.page.locator(".wbnb-pager button").nth(1).click()
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelector('.wbnb-gallery figcaption')?.textContent === '16'")
    harness.screenshot("gallery-page-2")


def test_saved_state_holds_the_index_not_the_pixels(store_dir: Any) -> None:
    import json

    from ipywidgets.embed import dependency_state, embed_data

    import wbnb

    rng = np.random.default_rng(0)
    run = wbnb.init(project="p", name="big")
    for _ in range(20):
        run.log({"noise": [wbnb.Image(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)) for _ in range(5)]})
    run.finish()
    w = _gallery(run, live=False)
    pixels = sum(len(run._store.media(r["path"])) for s in w.steps("noise") for r in w.index.images(0, "noise", s))
    data = embed_data(views=[w], state=dependency_state([w], drop_defaults=True))
    saved = len(json.dumps(data["manager_state"]))
    esm = len(w._esm)
    assert pixels > 1_000_000 and saved - esm < 5_000  # 20 steps of index, no image bytes
    w.close()


def test_following_a_live_run_keeps_the_last_images_until_new_ones_come(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="follow")
    _log_images(run, range(3), per_step=2)
    w = _gallery(run)
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 2")
    _log_images(run, range(3, 4), per_step=2)
    w._feed.tick()
    harness.deliver(w, comm.take())  # the index grows; the cell still "runs": nobody answers yet
    harness.page.wait_for_function(
        "() => document.querySelector('.wbnb-run-title').textContent.includes('step 3 loading')"
    )
    assert harness.page.locator(".wbnb-step-label").inner_text().startswith("3 (latest)")
    assert harness.page.locator("figcaption").all_inner_texts() == ["s2 i0", "s2 i1"]  # the last ones, dimmed
    assert harness.page.locator(".wbnb-grid.wbnb-stale").count() == 1
    assert _pump(harness, w, comm) == 1  # the cell is done: the request is answered
    harness.page.wait_for_function(
        "() => [...document.querySelectorAll('figcaption')].map(c => c.textContent).join() === 's3 i0,s3 i1'"
    )
    assert harness.page.locator(".wbnb-grid.wbnb-stale").count() == 0
    run.finish()


def test_the_step_index_is_thinned_for_long_runs() -> None:
    from wbnb.widgets.gallery.model import MAX_SHOWN, ImageIndex
    from wbnb.widgets.runs import RunRef

    index = ImageIndex([RunRef(None, "p", "r", "r", {})])  # type: ignore[arg-type]
    page: list[float] = []  # the page's copy, updated the way js/gallery applies deltas

    def apply_delta() -> None:
        delta = index.delta()
        if delta:
            (upd,), (buf,) = delta[0]["upd"], delta[1]
            del page[2 * upd["from"] :]
            page.extend(np.frombuffer(buf).tolist())

    rec = [{"_type": "image", "path": "media/x"}]
    for n, step in enumerate(range(0, 3 * 4 * MAX_SHOWN, 3)):  # 4096 image steps
        index.ingest(0, [(("img",), step, 0.0, 0.0, (rec,))])
        if n % 97 == 0:
            apply_delta()
    apply_delta()
    e = index.entries[(0, "img")]
    assert len(e.steps) == 4 * MAX_SHOWN and e.stride == 4
    snap = np.frombuffer(bytes(index.snapshot()["series"][0]["data"])).reshape(-1, 2)
    shown = snap[:, 0].astype(int).tolist()
    assert len(shown) <= MAX_SHOWN + 1 and shown[0] == 0 and shown[-1] == 3 * (4 * MAX_SHOWN - 1)
    assert all(b - a == 12 for a, b in zip(shown[:-1], shown[1:-1]))  # evenly spaced, then the last
    assert page == snap.ravel().tolist()  # deltas leave the page with exactly the snapshot
    assert index.images(0, "img", 3 * 7) == rec  # every step is still there to fetch


def _captions(h: Harness) -> list[list[str]]:
    """Per Gallery view on the page, its captions."""
    return h.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-gallery')].map(g => [...g.querySelectorAll('figcaption')]"
        ".map(c => c.textContent))"
    )


def test_views_mounted_with_keys_show_theirs_with_their_own_step(store_dir: Any, harness: Harness) -> None:
    """The run panel mounts a view per key over one model (ViewOptions.keys): each shows its
    key (no key picker), takes only the images it asked for, has its own step slider, and
    both follow the model's deltas."""
    import wbnb

    def log(steps: range) -> None:
        for s in steps:
            img = {k: [wbnb.Image(np.full((8, 8, 3), s * 40, dtype=np.uint8), caption=f"{k}{s}")] for k in "ab"}
            run.log(img, step=s)

    run = wbnb.init(project="p", name="keyed")
    log(range(3))
    w = _gallery(run)
    comm = record(w)
    harness.mount(w, "gallery", keys=["a"])
    harness.mount(w, "gallery", keys=["b"])
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery .wbnb-run').length === 2")
    assert harness.page.locator(".wbnb-key").evaluate_all("ks => ks.map(k => k.offsetParent === null)") == [True] * 2
    assert harness.page.locator(".wbnb-size, .wbnb-columns").count() == 0  # compact: the panel shows them once
    assert _pump(harness, w, comm) == 2  # a request per view, each answered to it alone
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 2")
    assert _captions(harness) == [["a2"], ["b2"]]
    received = "() => [...document.querySelectorAll('.wbnb-gallery')].map(g => g.__wbnb.images.stats.received)"
    assert harness.page.evaluate(received) == [1, 1]
    # the first view's slider back to step 0: the other view, and the model's step, stay
    harness.page.locator(".wbnb-step-slider").first.fill("0")
    assert _pump(harness, w, comm) == 1
    harness.page.wait_for_function("() => document.querySelector('.wbnb-gallery figcaption').textContent === 'a0'")
    assert _captions(harness) == [["a0"], ["b2"]]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('step')") == -1
    log(range(3, 4))
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function(
        "() => document.querySelectorAll('.wbnb-gallery .wbnb-run-title')[1].textContent.includes('step 3 loading')"
    )
    assert _pump(harness, w, comm) == 1  # the second view follows the newest step
    harness.page.wait_for_function(
        "() => document.querySelectorAll('.wbnb-gallery figcaption')[1].textContent === 'b3'"
    )
    assert _captions(harness) == [["a0"], ["b3"]]
    labels = harness.page.locator(".wbnb-step-label").all_inner_texts()
    assert labels[0].endswith("1/4") and labels[1].endswith("4/4")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_thumbnails_shrink_to_a_narrow_element(store_dir: Any, harness: Harness) -> None:
    run = _finished_runs({"narrow": range(0, 2)}, per_step=4)[0]
    w = _gallery(run, columns=4, size=160)
    comm = _mount(harness, w)
    _pump(harness, w, comm)
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 4")
    widths = "() => [...document.querySelectorAll('.wbnb-gallery figure')].map(f => f.getBoundingClientRect().width)"
    assert all(abs(x - 160) < 1 for x in harness.page.evaluate(widths))
    harness.page.evaluate("() => { document.body.style.width = '400px'; }")
    grid = harness.page.evaluate(
        "() => document.querySelector('.wbnb-gallery .wbnb-grid').getBoundingClientRect().right"
    )
    assert grid <= 8 + 400 + 1  # four columns still, inside the element
    assert all(60 < x < 100 for x in harness.page.evaluate(widths))
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
