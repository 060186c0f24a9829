"""Histograms over steps: rebinning, the thinned live grid, and the view in Chromium."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ..harness import Harness, record

XSS = "<img src=x onerror=alert(1)>"


def _widget(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import Histograms

    return Histograms(runs, min_interval=3600, **kw)


def test_rebin_keeps_mass_and_places_it() -> None:
    from wbnb.widgets.histograms import rebin

    edges = np.array([0.0, 1.0, 2.0, 4.0])
    counts = np.array([10.0, 20.0, 40.0])
    out = rebin(edges, counts, 0.0, 4.0, 4)
    assert out.tolist() == pytest.approx([10, 20, 20, 20])  # the wide bin spreads evenly
    assert rebin(edges, counts, -4.0, 4.0, 4).tolist() == pytest.approx([0, 0, 30, 40])
    clipped = rebin(edges, counts, 0.0, 2.0, 2)  # outside the range: into the last bin
    assert clipped.sum() == pytest.approx(70) and clipped.tolist() == pytest.approx([10, 60])
    assert rebin([3.0, 3.0], [5.0], 0.0, 4.0, 4).tolist() == [0, 0, 0, 5]  # one repeated value
    assert rebin(edges, [0, 0, 0], 0, 4, 4).tolist() == [0, 0, 0, 0]


def test_grid_rows_thin_out_range_grows_and_deltas_append(store_dir: Any) -> None:
    import wbnb

    rng = np.random.default_rng(1)
    run = wbnb.init(project="p", name="h")
    for s in range(100):
        run.log({"w": wbnb.Histogram(rng.normal(0, 1, 500)), "loss": 1.0}, step=s)
    w = _widget(run, max_rows=32, bins=16)
    steps, grid, (lo, hi) = w.grid("w")
    assert grid.shape == (len(steps), 16) and len(steps) <= 33
    assert steps[0] == 0 and steps[-1] == 99 and steps == sorted(steps)
    assert np.allclose(grid.sum(axis=1), 500)  # every row keeps its count
    (series,) = w._snapshot["series"]
    assert series["steps"] == steps and np.frombuffer(series["data"]).reshape(-1, 16).tolist() == grid.tolist()
    comm = record(w)
    run.log({"w": wbnb.Histogram(rng.normal(0, 1, 500).clip(lo, hi))}, step=100)  # inside the range
    assert w._feed.tick() == "delta"
    ((msg, bufs),) = comm.take()
    (u,) = msg["content"]["upd"]
    assert u["start"] >= len(steps) - 1 and u["steps"][-1] == 100
    assert np.frombuffer(bufs[0]).reshape(-1, 16).shape == (len(u["steps"]), 16)
    run.log({"w": wbnb.Histogram(rng.normal(50, 1, 500))}, step=101)  # far outside: a new range
    w._feed.tick()
    ((msg, bufs),) = comm.take()
    (u,) = msg["content"]["upd"]
    assert u["start"] == 0 and u["hi"] > 50 and u["lo"] == lo
    assert np.allclose(np.frombuffer(bufs[0]).reshape(-1, 16).sum(axis=1), 500)
    run.finish()


def test_heatmap_rows_hover_ridge_and_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    rng = np.random.default_rng(2)
    run = wbnb.init(project="p", name=XSS)
    for s in range(60):
        run.log(
            {
                "grad/fc1": wbnb.Histogram(rng.normal(s / 20, 1 + s / 60, 2000)),
                "weights/fc1": rng.normal(0, 0.1 + s / 200, (20, 20)),
            },
            step=s,
        )  # an array: a histogram too
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = _widget(run, max_rows=40)
    harness.mount(w, "histograms")
    harness.page.wait_for_selector(".wbnb-histograms .wbnb-panel canvas")
    panels = harness.page.locator(".wbnb-panel")
    assert panels.count() == 2
    expected = len(w.grid("grad/fc1")[0])
    assert 20 <= expected <= 41
    rows = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-panel')].map(p => [p.dataset.key, Number(p.dataset.rows)])"
    )
    assert rows == [["grad/fc1", expected], ["weights/fc1", len(w.grid("weights/fc1")[0])]]
    assert harness.page.locator(".wbnb-head").first.inner_text().startswith("grad/fc1")
    # hover the last row: its step and a bin's count, as text
    box = harness.page.locator('.wbnb-panel[data-key="grad/fc1"] canvas').bounding_box()
    plot = harness.page.evaluate("() => document.querySelector('.wbnb-histograms').__wbnb.panels.get(0).plot")
    harness.page.mouse.move(box["x"] + plot["x"] + plot["w"] / 2, box["y"] + plot["y"] + plot["h"] - 1)
    tip = harness.page.locator('.wbnb-panel[data-key="grad/fc1"] .wbnb-tip')
    tip.wait_for(state="visible")
    lines = tip.inner_text().splitlines()
    assert lines[0] == f"grad/fc1  ·  {XSS}" and lines[1] == "step 59" and lines[3].startswith("count ")
    harness.screenshot("histograms-heatmap")
    harness.page.locator(".wbnb-view").select_option("ridge")
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('view')") == "ridge"
    harness.screenshot("histograms-ridge")
    assert harness.page.locator(".wbnb-histograms img").count() == 0
    assert harness.page.evaluate("() => window.__xss") is False
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_live_rows_arrive_as_deltas(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    for s in range(5):
        run.log({"h": wbnb.Histogram(np.arange(100) % 10)}, step=s)
    w = _widget(run)
    comm = record(w)
    harness.mount(w, "histograms")
    harness.page.wait_for_selector('.wbnb-panel[data-rows="5"]')
    for s in range(5, 8):
        run.log({"h": wbnb.Histogram(np.arange(100) % 10)}, step=s)
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_selector('.wbnb-panel[data-rows="8"]')
    assert harness.page.evaluate("() => document.querySelector('.wbnb-histograms').__wbnb.channel.applied") == 1
    run.finish()


def test_views_mounted_with_keys_draw_only_theirs_and_both_take_new_rows(store_dir: Any, harness: Harness) -> None:
    """The run panel mounts a view per key over one model (ViewOptions.keys): each draws its
    key's panel, as wide as the view's element, and both take the model's deltas."""
    import wbnb

    run = wbnb.init(project="p", name="keyed")
    for s in range(5):
        run.log({"a": wbnb.Histogram(np.arange(100) % 10), "b": wbnb.Histogram(np.arange(50) % 5)}, step=s)
    w = _widget(run)
    comm = record(w)
    harness.mount(w, "histograms", keys=["a"])
    harness.mount(w, "histograms", keys=["b"])
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-histograms .wbnb-panel').length === 2")
    keys = "() => [...document.querySelectorAll('.wbnb-histograms')].map(r => [...r.__wbnb.panels.values()].map(p => [p.root.dataset.key, Number(p.root.dataset.rows)]))"  # noqa: E501
    assert harness.page.evaluate(keys) == [[["a", 5]], [["b", 5]]]
    for s in range(5, 8):
        run.log({"a": wbnb.Histogram(np.arange(100) % 10), "b": wbnb.Histogram(np.arange(50) % 5)}, step=s)
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-panel[data-rows=\"8\"]').length === 2")
    assert harness.page.evaluate(keys) == [[["a", 8]], [["b", 8]]]
    # the lone panel of each view spans its element (the harness's 1200 px), its canvas too
    widths = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-histograms .wbnb-panel')].map(p => [p.offsetWidth, p.querySelector('canvas').offsetWidth])"  # noqa: E501
    )
    assert all(panel > 1100 and panel - 20 < canvas <= panel for panel, canvas in widths), widths
    assert harness.page.locator(".wbnb-histograms .wbnb-bar").count() == 0  # compact: the panel shows the settings once
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_panels_fill_rows_and_follow_the_element_width(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="wide")
    for s in range(3):
        run.log({f"h{k}": wbnb.Histogram(np.arange(20) % (k + 2)) for k in range(4)}, step=s)
    w = _widget(run, width=300)
    harness.mount(w, "histograms")
    harness.page.wait_for_function(
        "() => document.querySelectorAll('.wbnb-histograms .wbnb-panel canvas').length === 4"
    )
    shape = """() => { const ps = [...document.querySelectorAll('.wbnb-histograms .wbnb-panel')];
        const top = ps[0].getBoundingClientRect().top;
        return [ps.filter(p => p.getBoundingClientRect().top === top).length,
                ps.every(p => Math.abs(p.querySelector('canvas').offsetWidth - (p.clientWidth - 12)) <= 1)]; }"""
    assert harness.page.evaluate(shape) == [3, True]  # 1200 px: three panels a row, canvases filling them
    harness.page.evaluate("() => { document.body.style.width = '500px'; }")
    harness.page.wait_for_function(f"() => {{ const [n, fit] = ({shape})(); return n === 1 && fit; }}")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
