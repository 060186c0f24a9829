"""ConfusionMatrix: normalisation maths, live model, and the heatmap in Chromium."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ..harness import Harness, record

XSS = "<img src=x onerror=alert(1)>"
M = [[5, 1, 0], [2, 6, 2], [0, 0, 4]]


def _log_matrix(
    run: Any, matrix: Any, names: list[str], step: int, key: str = "val/cm", title: str | None = None
) -> None:
    import wbnb

    m = np.asarray(matrix)
    y_true = np.repeat(np.arange(len(m)), m.sum(axis=1))
    preds = np.concatenate([np.repeat(np.arange(len(m)), row) for row in m])
    run.log(
        {key: wbnb.plot.confusion_matrix(y_true=y_true, preds=preds, class_names=names, title=title), "loss": 1.0},
        step=step,
    )


def _widget(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import ConfusionMatrix

    return ConfusionMatrix(runs, min_interval=3600, **kw)


def test_normalize_maths() -> None:
    from wbnb.widgets.confusion import normalize

    m = np.array(M, dtype=float)
    assert normalize(m, "none").tolist() == M
    rows = normalize(m, "true")
    assert np.allclose(rows.sum(axis=1), 1) and rows[1].tolist() == pytest.approx([0.2, 0.6, 0.2])
    cols = normalize(m, "pred")
    assert np.allclose(cols.sum(axis=0), 1) and cols[:, 0].tolist() == pytest.approx([5 / 7, 2 / 7, 0])
    empty = normalize(np.zeros((2, 2)), "true")
    assert empty.tolist() == [[0, 0], [0, 0]]  # no division by zero
    with pytest.raises(ValueError):
        normalize(m, "rows")


def test_matrices_over_steps_snapshot_budget_delta_and_fetch(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="cm")
    for s in range(5):
        _log_matrix(run, np.array(M) * (s + 1), ["a", "b", "c"], step=s * 10)
    w = _widget(run, budget=20)  # 9 cells a matrix: the snapshot carries the last two
    assert w.matrix("val/cm").tolist() == (np.array(M) * 5).tolist()
    assert w.matrix("val/cm", step=10, by="true")[0].tolist() == pytest.approx([5 / 6, 1 / 6, 0])
    (series,) = w._snapshot["series"]
    assert series["steps"] == [0, 10, 20, 30, 40] and series["have"] == [30, 40] and series["k"] == 3
    data = np.frombuffer(series["data"], dtype=float).reshape(2, 3, 3)
    assert data[1].tolist() == (np.array(M) * 5).tolist()
    assert series["class_names"] == ["a", "b", "c"]
    reply, bufs = w.matrices.answer({"type": "fetch", "req": 3, "id": series["id"], "step": 10})
    assert reply["k"] == 3 and np.frombuffer(bufs[0]).reshape(3, 3).tolist() == (np.array(M) * 2).tolist()
    assert w.matrices.answer({"type": "fetch", "req": 4, "id": series["id"], "step": 11})[0]["k"] == 0
    assert w._answer({"type": "fetch", "req": 5, "id": series["id"], "step": 10})[0]["k"] == 3
    assert w._answer({"type": "fetch", "req": 5, "id": str(series["id"]), "step": 10}) is None  # a number is no text
    assert w._answer({"type": "fetch", "req": 6, "id": "x", "step": 10}) is None  # not a fetch the page makes
    assert w._answer({"type": "fetch", "id": series["id"], "step": 10}) is None
    comm = record(w)
    _log_matrix(run, M, ["a", "b", "c"], step=50)
    assert w._feed.tick() == "delta"
    ((msg, buffers),) = comm.take()
    (u,) = msg["content"]["upd"]
    assert u["step"] == 50 and u["k"] == 3 and np.frombuffer(buffers[0]).tolist() == sum(M, [])
    run.finish()


def _texts(h: Harness, panel: int = 0) -> list[list[str]]:
    return h.page.evaluate(f"() => document.querySelector('.wbnb-confusion').__wbnb.cellTexts({panel})")


def _hover(h: Harness, row: int, col: int, k: int, panel: int = 0) -> str:
    layout = h.page.evaluate(
        f"() => {{ const L = document.querySelector('.wbnb-confusion').__wbnb.panels.get({panel}).layout;"
        " return [L.left, L.top, L.cell]; }"
    )
    box = h.page.locator(f'.wbnb-panel[data-id="{panel}"] canvas').bounding_box()
    left, top, cell = layout
    h.page.mouse.move(box["x"] + left + (col + 0.5) * cell, box["y"] + top + (row + 0.5) * cell)
    tip = h.page.locator(f'.wbnb-panel[data-id="{panel}"] .wbnb-tip')
    tip.wait_for(state="visible")
    return tip.inner_text()


def test_counts_normalisation_hover_and_step_slider(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="clf")
    _log_matrix(run, np.array(M) * 2, ["cat", "dog", "bird"], step=0, title="validation")
    _log_matrix(run, M, ["cat", "dog", "bird"], step=100, title="validation")
    run.finish()
    w = _widget(run, budget=9)  # only the newest matrix travels in the snapshot
    comm = record(w)
    harness.mount(w, "confusion")
    harness.page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas")
    assert _texts(harness) == [[str(v) for v in row] for row in M]
    head = harness.page.locator(".wbnb-head").inner_text()
    assert "val/cm" in head and "clf" in head and "validation" in head
    tip = _hover(harness, 1, 2, 3)
    assert tip.splitlines() == [
        "true: dog",
        "predicted: bird",
        "count: 2",
        "20.0% of true dog",
        "33.3% of predicted bird",
    ]
    harness.screenshot("confusion-counts")
    # normalise by true class: each row as percentages
    harness.page.locator(".wbnb-normalize").select_option("true")
    assert _texts(harness) == [["83.3%", "16.7%", "0.0%"], ["20.0%", "60.0%", "20.0%"], ["0.0%", "0.0%", "100.0%"]]
    harness.screenshot("confusion-by-true")
    harness.page.locator(".wbnb-normalize").select_option("pred")
    assert _texts(harness)[0] == ["71.4%", "14.3%", "0.0%"]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('normalize')") == "pred"
    harness.page.locator(".wbnb-normalize").select_option("none")
    # the slider to the first step: not in the page yet, so it is asked for
    harness.page.locator(".wbnb-step-slider").fill("0")
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    assert sent == [{"type": "fetch", "req": 1, "id": 0, "step": 0}]
    assert "loading step 0" in harness.page.locator(".wbnb-note").inner_text()
    for content in sent:
        w._on_request(w, content, [])
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelector('.wbnb-panel').dataset.step === '0'")
    assert _texts(harness) == [[str(2 * v) for v in row] for row in M]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('steps_shown')") == {"0": 0}
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_live_delta_adds_a_step(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    _log_matrix(run, M, ["a", "b", "c"], step=0)
    w = _widget(run)
    comm = record(w)
    harness.mount(w, "confusion")
    harness.page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas")
    _log_matrix(run, np.array(M) * 3, ["a", "b", "c"], step=1)
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelector('.wbnb-panel').dataset.step === '1'")
    assert _texts(harness)[0] == ["15", "3", "0"]
    assert harness.page.locator(".wbnb-step-label").inner_text().endswith("2/2")
    run.finish()


def test_hundred_classes_render_readably(store_dir: Any, harness: Harness) -> None:
    import wbnb

    rng = np.random.default_rng(0)
    k = 100
    names = [f"class_{i:03d}" for i in range(k)]
    y = rng.integers(0, k, 20_000)
    p = np.where(rng.random(len(y)) < 0.7, y, rng.integers(0, k, len(y)))
    run = wbnb.init(project="p", name="big")
    run.log({"cm": wbnb.plot.confusion_matrix(y_true=y, preds=p, class_names=names)})
    run.finish()
    w = _widget(run, size=600)
    harness.mount(w, "confusion")
    harness.page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas")
    texts = _texts(harness)
    expected = w.matrix("cm")
    assert len(texts) == k and all(len(r) == k for r in texts)
    assert texts[42][42] == str(int(expected[42, 42]))
    tip = _hover(harness, 42, 7, k)
    assert tip.splitlines()[:3] == ["true: class_042", "predicted: class_007", f"count: {int(expected[42, 7])}"]
    # the canvas is not blank: the diagonal is darker than an off-diagonal cell
    dark = harness.page.evaluate("""() => {
        const p = document.querySelector('.wbnb-confusion').__wbnb.panels.get(0);
        const c = p.canvas, L = p.layout, d = window.devicePixelRatio || 1, ctx = c.getContext('2d');
        const at = (o, k) => Math.floor((o + (k + .5) * L.cell) * d);
        const px = (a, b) => ctx.getImageData(at(L.left, b), at(L.top, a), 1, 1).data;
        return [px(50, 50)[0], px(50, 10)[0]];
    }""")
    assert dark[0] < dark[1]
    harness.screenshot("confusion-100-classes")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_class_names_are_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name=XSS)
    _log_matrix(run, M, [XSS, "b", "c"], step=0, key=XSS, title=XSS)
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = _widget(run)
    harness.mount(w, "confusion")
    harness.page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas")
    assert harness.page.locator(".wbnb-confusion img").count() == 0
    assert harness.page.locator(".wbnb-head").inner_text().startswith(XSS)
    assert _hover(harness, 0, 0, 3).splitlines()[:2] == [f"true: {XSS}", f"predicted: {XSS}"]
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False


def test_views_mounted_with_keys_draw_only_theirs_and_both_take_new_steps(store_dir: Any, harness: Harness) -> None:
    """The run panel mounts a view per key over one model (ViewOptions.keys): each draws its
    key's matrix, and both take the model's deltas."""
    import wbnb

    run = wbnb.init(project="p", name="keyed")
    _log_matrix(run, M, ["a", "b", "c"], step=0, key="train/cm")
    _log_matrix(run, np.array(M) * 2, ["a", "b", "c"], step=0, key="val/cm")
    w = _widget(run)
    comm = record(w)
    harness.mount(w, "confusion", keys=["train/cm"])
    harness.mount(w, "confusion", keys=["val/cm"])
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-confusion .wbnb-panel canvas').length === 2")
    shown = """() => [...document.querySelectorAll('.wbnb-confusion')].map(r => [...r.__wbnb.panels.values()].map(
        p => [p.root.dataset.key, p.root.dataset.step, p.texts[0].join(' ')]))"""
    assert harness.page.evaluate(shown) == [[["train/cm", "0", "5 1 0"]], [["val/cm", "0", "10 2 0"]]]
    _log_matrix(run, np.array(M) * 3, ["a", "b", "c"], step=1, key="train/cm")
    _log_matrix(run, np.array(M) * 4, ["a", "b", "c"], step=1, key="val/cm")
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-panel[data-step=\"1\"]').length === 2")
    assert harness.page.evaluate(shown) == [[["train/cm", "1", "15 3 0"]], [["val/cm", "1", "20 4 0"]]]
    assert harness.page.locator(".wbnb-confusion .wbnb-bar").count() == 0  # compact: the panel shows the settings once
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_a_matrix_shrinks_to_a_narrow_element(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="narrow")
    _log_matrix(run, M, ["cat", "dog", "bird"], step=0)
    w = _widget(run, size=420)
    harness.mount(w, "confusion")
    harness.page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas")
    side = "() => document.querySelector('.wbnb-confusion').__wbnb.panels.get(0).layout.size"
    assert harness.page.evaluate(side) == 420
    harness.page.evaluate("() => { document.body.style.width = '360px'; }")
    harness.page.wait_for_function(f"() => ({side})() < 420")
    fits = "() => { const p = document.querySelector('.wbnb-confusion .wbnb-panel'); return p.offsetWidth <= 360; }"
    assert harness.page.evaluate(fits)
    assert _texts(harness) == [[str(v) for v in row] for row in M]  # still every cell, as text
    harness.page.evaluate("() => { document.body.style.width = '1200px'; }")
    harness.page.wait_for_function(f"() => ({side})() === 420")  # back to the widget's size, no larger
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
