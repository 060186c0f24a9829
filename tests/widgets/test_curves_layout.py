"""Curves laid out to its element's width, and mounted by a container with ``keys``: the
run panel's grid mounts one view per key over one model (js/lib/view.ts ViewOptions)."""

from __future__ import annotations

from typing import Any

from .harness import Harness, record

ROOTS = "[...document.querySelectorAll('.wbnb-curves')].map(el => el.__wbnb)"


def _log(run: Any, steps: range, keys: list[str]) -> None:
    for i in steps:
        run.log({k: (j + 1) / (i + 1) for j, k in enumerate(keys)})


def _drawn(h: Harness) -> list[dict[str, int]]:
    """Per view on the page: key -> points in its chart (-1 while it has no chart yet)."""
    return h.page.evaluate(f"""() => {ROOTS}.map(v => Object.fromEntries(
        [...v.charts].map(([k, c]) => [k, c.view ? c.view.data('points').length : -1])))""")


def _rows(h: Harness) -> list[int]:
    """Charts per row of the page's first Curves, top to bottom, from their boxes."""
    return h.page.evaluate("""() => {
        const cells = [...document.querySelectorAll('.wbnb-curves .wbnb-cell')];
        const tops = cells.map(c => Math.round(c.getBoundingClientRect().top));
        const rows = new Map();
        for (const t of tops) rows.set(t, (rows.get(t) || 0) + 1);
        return [...rows.values()];
    }""")


def _fitted(h: Harness) -> bool:
    """Whether every chart's canvas is as wide as its box."""
    return h.page.evaluate("""() => [...document.querySelectorAll('.wbnb-curves .wbnb-chart')].every(box => {
        const canvas = box.querySelector('canvas');
        return canvas && Math.abs(canvas.getBoundingClientRect().width - Math.floor(box.clientWidth)) <= 1;
    })""")


def test_views_mounted_with_keys_draw_only_theirs_and_both_follow_the_model(store_dir: Any, harness: Harness) -> None:
    import wbnb
    from wbnb.widgets import Curves

    keys = ["loss", "val/acc", "val/f1"]
    run = wbnb.init(project="p", name="keyed")
    _log(run, range(50), keys)
    w = Curves(run, min_interval=3600)
    comm = record(w)
    harness.mount(w, "curves", keys=["loss"])
    harness.mount(w, "curves", keys=["val/f1"])
    harness.page.wait_for_function(
        f"() => {{ const d = {ROOTS}; return d.length === 2 && d.every(v => v.stats.embeds === 1); }}"
    )
    assert _drawn(harness) == [{"loss": 50}, {"val/f1": 50}]
    assert harness.page.locator(".wbnb-section").count() == 0  # no section heads in a keyed view
    assert harness.page.locator(".wbnb-curves :is(.wbnb-bar, .wbnb-legend)").count() == 0  # compact: no controls
    assert harness.page.locator(".wbnb-cell").evaluate_all("cs => cs.map(c => c.dataset.key)") == ["loss", "val/f1"]
    _log(run, range(50, 80), keys)
    w._feed.tick()
    harness.deliver(w, comm.take())  # one delta of the model: each view takes its key's points
    harness.page.wait_for_function(
        f"() => {ROOTS}.every(v => [...v.charts.values()].every(c => c.view.data('points').length === 80))"
    )
    assert _drawn(harness) == [{"loss": 80}, {"val/f1": 80}]
    assert harness.page.evaluate(f"() => {ROOTS}.map(v => [v.channel.applied, v.channel.rebuilds])") == [[1, 1], [1, 1]]
    assert _fitted(harness)  # the one chart fills the view's width
    width = harness.page.evaluate("() => document.querySelector('.wbnb-curves .wbnb-chart').clientWidth")
    assert width > 1000  # a keyed view's lone chart spans its element (1200 px here)
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_charts_fill_rows_of_a_wide_host_and_follow_its_width(store_dir: Any, harness: Harness) -> None:
    """In 1400 px, at least three charts a row (each as wide as its box); narrowed to 700 px,
    one a row, redrawn to the new width without being embedded again."""
    import wbnb
    from wbnb.widgets import Curves

    harness.page.set_viewport_size({"width": 1500, "height": 900})
    harness.page.evaluate("() => { document.body.style.width = '1400px'; }")
    keys = [f"m{k}" for k in range(6)]
    run = wbnb.init(project="p", name="wide")
    _log(run, range(40), keys)
    harness.mount(Curves(run, min_interval=3600), "curves")
    harness.page.wait_for_function(f"() => {ROOTS}[0].stats.embeds === 6")
    assert _rows(harness)[0] >= 3
    assert harness.page.locator(".wbnb-curves .wbnb-bar").count() == 1  # a standalone view has its controls
    assert _fitted(harness)
    harness.screenshot("curves-1400")
    harness.page.evaluate("() => { document.body.style.width = '700px'; }")
    harness.page.wait_for_function("""() => [...document.querySelectorAll('.wbnb-curves .wbnb-chart')].every(box => {
        const canvas = box.querySelector('canvas');
        return Math.abs(canvas.getBoundingClientRect().width - Math.floor(box.clientWidth)) <= 1;
    }) && document.querySelector('.wbnb-curves .wbnb-chart').clientWidth > 600""")
    assert _rows(harness) == [1] * 6
    assert harness.page.evaluate(f"() => {ROOTS}[0].stats.embeds") == 6  # resized, not embedded again
    assert harness.page.evaluate(f"() => {ROOTS}[0].stats.resizes") >= 6
    harness.screenshot("curves-700")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
