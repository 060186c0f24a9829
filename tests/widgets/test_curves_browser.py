"""Curves in a real headless Chromium: what it draws, live updates, gaps, safe text."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

from tests.waiting import wait_for

from .harness import Harness, record

XSS = "<img src=x onerror=alert(1)>"


def _curves(run: Any, **kw: Any) -> Any:
    from wbnb.widgets import Curves

    # A feed that never ticks by itself: the test decides when messages go out.
    w = Curves(run, min_interval=3600, **kw)
    return w


def _views(h: Harness) -> dict[str, int]:
    """key -> number of points in the chart's Vega dataset."""
    return h.page.evaluate("""() => {
        const dbg = document.querySelector('.wbnb-curves').__wbnb;
        const out = {};
        for (const [k, c] of dbg.charts) out[k] = c.view ? c.view.data('points').length : -1;
        return out;
    }""")


def _wait_drawn(h: Harness, keys: int) -> None:
    h.page.wait_for_function(
        f"""() => {{
        const el = document.querySelector('.wbnb-curves');
        if (!el || !el.__wbnb) return false;
        const cs = [...el.__wbnb.charts.values()];
        return cs.length === {keys} && cs.every(c => c.view && c.view.data('points').length > 0);
    }}""",
        timeout=20_000,
    )


def _settle(h: Harness) -> None:
    """Let queued deltas apply (next animation frame) and Vega finish its pulse."""
    h.page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))"
    )


def test_draws_every_scalar_in_sections_with_legend_and_hover(store_dir: Any, harness: Harness) -> None:
    import wbnb

    runs = []
    for j, name in enumerate(["alpha", "beta"]):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        for i in range(3000):
            run.log(
                {
                    "loss": math.exp(-i / 800) * (1 + j) + 0.01 * math.sin(i / 7),
                    "val/acc": 1 - math.exp(-i / 900),
                    "val/f1": i / 3000,
                }
            )
        run.finish()
        runs.append(run)
    w = _curves(runs)
    harness.mount(w, "curves")
    _wait_drawn(harness, 3)
    counts = _views(harness)
    series = {(s["run"], s["key"]): len(s["data"]) // 48 for s in w._snapshot["series"]}
    for key in ("loss", "val/acc", "val/f1"):
        assert counts[key] == series[(0, key)] + series[(1, key)]
        assert 500 < series[(0, key)] <= 1536
    text = harness.page.inner_text(".wbnb-curves")
    assert "Charts" in text and "val" in text  # sections: no prefix, then "val/"
    assert harness.page.locator(".wbnb-legend-item").all_inner_texts() == ["alpha", "beta"]
    # hover in the middle of the loss chart: each run's nearest point, with step and value
    canvas = harness.page.locator('.wbnb-cell[data-key="loss"] canvas')
    box = canvas.bounding_box()
    harness.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = harness.page.locator('.wbnb-cell[data-key="loss"] .wbnb-tip')
    tip.wait_for(state="visible")
    lines = tip.inner_text().splitlines()
    assert len(lines) == 2 and lines[0].startswith("alpha  step ") and lines[1].startswith("beta  step ")
    harness.screenshot("curves-two-runs-hover")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_delta_appends_points_without_reembedding(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="live")
    for i in range(100):
        run.log({"loss": 1 / (i + 1)})
    w = _curves(run)
    comm = record(w)
    harness.mount(w, "curves")
    _wait_drawn(harness, 1)
    assert _views(harness) == {"loss": 100}
    harness.page.evaluate("() => { window.__canvas = document.querySelector('.wbnb-cell canvas'); }")
    for i in range(100, 150):
        run.log({"loss": 1 / (i + 1), "new/key": i})
    assert w._feed.tick() == "delta"
    msgs = comm.take()
    assert len(msgs) == 1 and msgs[0][0]["method"] == "custom" and msgs[0][0]["content"]["seq"] == 1
    assert len(msgs[0][1]) == 2  # one binary buffer per updated series
    harness.deliver(w, msgs)
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-cell').length === 2")
    _wait_drawn(harness, 2)
    _settle(harness)
    assert _views(harness) == {"loss": 150, "new/key": 50}
    same = harness.page.evaluate("""() => {
        const dbg = document.querySelector('.wbnb-curves').__wbnb;
        const canvas = document.querySelector('.wbnb-cell canvas');
        return [window.__canvas === canvas, dbg.channel.applied, dbg.channel.rebuilds];
    }""")
    assert same == [True, 1, 1]  # the same canvas, delta 1 applied, only the initial build
    harness.screenshot("curves-after-delta")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_sequence_gap_rebuilds_from_snapshot(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="gappy")
    for i in range(50):
        run.log({"loss": float(i)})
    w = _curves(run)
    comm = record(w)
    harness.mount(w, "curves")
    _wait_drawn(harness, 1)
    for i in range(50, 60):
        run.log({"loss": float(i)})
    w._feed.tick()  # delta 1: lost on the way
    comm.take()
    for i in range(60, 70):
        run.log({"loss": float(i)})
    w._feed.tick(final=True)  # snapshot 2 (a trait update)
    snapshot_msgs = comm.take()
    assert snapshot_msgs[0][0]["method"] == "update" and snapshot_msgs[0][0]["state"]["_snapshot"]["seq"] == 2
    for i in range(70, 75):
        run.log({"loss": float(i)})
    w._feed.tick()  # delta 3
    delta3 = comm.take()
    # The browser gets the snapshot's state silently (as if it had been saved with the
    # notebook) and then delta 3: it sees 3 after 0, a gap, and rebuilds from the snapshot.
    harness.page.evaluate(
        "([id, s]) => { const m = window.wbnb.models[id]; m.state._snapshot = s; }", [w.model_id, {"seq": -5}]
    )  # placeholder, replaced right below
    data, buffers = snapshot_msgs[0]
    harness.page.evaluate(
        """([id, d, b]) => {
        const m = window.wbnb.models[id];
        const views = b.map(x => { const s = atob(x); const u = new Uint8Array(s.length);
            for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return new DataView(u.buffer); });
        (d.buffer_paths || []).forEach((p, i) => {
            let o = d.state; for (const k of p.slice(0, -1)) o = o[k]; o[p[p.length-1]] = views[i];
        });
        m.state._snapshot = d.state._snapshot;  // no change event: only a gap can make it read this
    }""",
        [w.model_id, data, [__import__("base64").b64encode(x).decode() for x in buffers]],
    )
    harness.deliver(w, delta3)
    _settle(harness)
    state = harness.page.evaluate("""() => {
        const dbg = document.querySelector('.wbnb-curves').__wbnb;
        const c = dbg.charts.get('loss');
        return [dbg.channel.applied, dbg.channel.rebuilds, c.view.data('points').length,
                Math.max(...c.view.data('points').map(d => d.s))];
    }""")
    assert state == [3, 2, 75, 74]
    harness.screenshot("curves-after-gap")


def test_html_in_names_is_shown_as_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name=XSS)
    for i in range(20):
        run.log({"loss": 1.0 / (i + 1), f"{XSS}/x": float(i)})
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = _curves(run)
    harness.mount(w, "curves")
    _wait_drawn(harness, 2)
    assert harness.page.locator(".wbnb-curves img").count() == 0
    assert harness.page.locator(".wbnb-legend-item").all_inner_texts() == [XSS]
    assert XSS in harness.page.locator(".wbnb-section > summary").all_inner_texts()
    canvas = harness.page.locator('.wbnb-cell[data-key="loss"] canvas')
    box = canvas.bounding_box()
    harness.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = harness.page.locator('.wbnb-cell[data-key="loss"] .wbnb-tip')
    tip.wait_for(state="visible")
    assert tip.inner_text().startswith(XSS + "  step ")
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False
    harness.screenshot("curves-html-name")


def _download_from_menu(page: Any, cell: Any, action: str) -> Any:
    """Open the chart's vega-embed menu and download with one of its links (vega-embed
    makes the image on mousedown: the click waits until the link has it, as a hand would)."""
    cell.hover()
    if not cell.locator(".vega-embed details[open]").count():  # it stays open after a download
        cell.locator(".vega-embed summary").click()
    link = cell.get_by_role("link", name=action)
    link.dispatch_event("mousedown")
    page.wait_for_function("a => a.getAttribute('href') !== '#'", arg=link.element_handle())  # data: or blob:
    with page.expect_download() as got:
        link.click()
    return got.value


def test_the_chart_menu_downloads_the_chart_as_png_and_svg(store_dir: Any, harness: Harness) -> None:
    """Each chart is embedded by vega-embed, whose menu offers the PNG / SVG export only."""
    import struct

    import wbnb

    run = wbnb.init(project="p", name="save")
    for i in range(200):
        run.log({"val/acc": i / 200, "loss": 1 / (i + 1)})
    w = _curves(run)
    harness.mount(w, "curves")
    _wait_drawn(harness, 2)
    cell = harness.page.locator('.wbnb-cell[data-key="val/acc"]')
    assert cell.locator(".vega-embed.has-actions canvas").count() == 1
    png = _download_from_menu(harness.page, cell, "Save as PNG")
    harness.screenshot("curves-chart-menu")
    assert cell.locator(".vega-actions a").all_inner_texts() == ["Save as SVG", "Save as PNG"]  # no source, no editor
    assert png.suggested_filename == "val_acc.png"
    data = Path(png.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR: twice the chart's size on screen
    canvas = cell.locator("canvas").bounding_box()
    assert (width, height) == (round(2 * canvas["width"]), round(2 * canvas["height"]))
    svg = _download_from_menu(harness.page, cell, "Save as SVG")
    assert svg.suggested_filename == "val_acc.svg"
    text = Path(svg.path()).read_text()
    assert text.startswith("<svg") and ">val/acc</text>" in text and "<path" in text
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_a_chart_out_of_view_draws_its_changes_when_it_shows(store_dir: Any, harness: Harness) -> None:
    """Charts scrolled away keep a delta's points queued and draw them when scrolled to:
    a panel of many charts redraws only what is on screen."""
    import wbnb

    harness.page.set_viewport_size({"width": 1280, "height": 500})
    keys = [f"m{k}" for k in range(24)]  # rows of three: the last rows far below the 500 px view
    run = wbnb.init(project="p", name="far")
    for i in range(100):
        run.log({k: i * (j + 1) for j, k in enumerate(keys)})
    w = _curves(run)
    comm = record(w)
    harness.mount(w, "curves")
    _wait_drawn(harness, 24)
    harness.page.wait_for_function(
        "() => [...document.querySelector('.wbnb-curves').__wbnb.charts.values()].some(c => c.away)"
    )  # the observer has looked
    for i in range(100, 130):
        run.log({k: i * (j + 1) for j, k in enumerate(keys)})
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.idle()")
    _settle(harness)
    counts = _views(harness)
    assert counts["m0"] == 130  # on screen: drawn at once
    assert counts["m23"] == 100  # far below: still its old points
    harness.page.locator('.wbnb-cell[data-key="m23"]').scroll_into_view_if_needed()
    harness.page.wait_for_function(
        "() => document.querySelector('.wbnb-curves').__wbnb.charts.get('m23').view.data('points').length === 130"
    )
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def _dots(svg: str) -> int:
    """How many symbols the first symbol mark of a Vega SVG draws."""
    return svg.split('class="mark-symbol', 1)[1].split("</g>", 1)[0].count("<path")


def test_a_customised_chart_is_drawn_with_the_live_points(store_dir: Any, harness: Harness) -> None:
    """`set_chart` swaps a key's spec for the user's altair chart; the page embeds it (the
    key is in its title, so it is not the shared template) and feeds it the live points."""
    import altair as alt

    import wbnb

    run = wbnb.init(project="p", name="custom")
    for i in range(50):
        run.log({"loss": 1 / (i + 1), "acc": i / 50})
    w = _curves(run)
    comm = record(w)
    dots = alt.Chart(w.series.frame("loss")).mark_point().encode(x="s:Q", y="y:Q").properties(title="dots of loss")
    w.set_chart("loss", dots)
    harness.mount(w, "curves")
    _wait_drawn(harness, 2)
    svg = "k => document.querySelector('.wbnb-curves').__wbnb.charts.get(k).view.toSVG()"
    drawn = harness.page.evaluate(f"({svg})('loss')")
    assert ">dots of loss</text>" in drawn and drawn.count('class="mark-symbol') == 1
    assert _dots(drawn) == 50  # a dot per step
    assert 'class="mark-symbol' not in harness.page.evaluate(f"({svg})('acc')")  # the template's line
    for i in range(50, 60):
        run.log({"loss": 1 / (i + 1), "acc": i / 50})
    w._feed.tick()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function(
        "() => document.querySelector('.wbnb-curves').__wbnb.charts.get('loss').view.data('points').length === 60"
    )
    _settle(harness)
    drawn = harness.page.evaluate(f"({svg})('loss')")
    assert _dots(drawn) == 60
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_controls_smoothing_log_scale_and_step_metric(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="ctl")
    run.define_metric("val/acc", step_metric="epoch")
    for i in range(400):
        run.log({"loss": 1 + (i % 2), "epoch": i // 100, "val/acc": i / 400})
    w = _curves(run)
    harness.mount(w, "curves")
    _wait_drawn(harness, 3)
    dbg = "document.querySelector('.wbnb-curves').__wbnb"
    assert harness.page.evaluate(f"() => {dbg}.stats.embeds") == 3
    # auto x-axis: val/acc is drawn against its step metric (epoch 0..3), loss against steps
    domain = f"k => {dbg}.charts.get(k).view.scale('x').domain()"
    assert harness.page.evaluate(f"() => ({domain})('val/acc')") == [0, 3]
    assert harness.page.evaluate(f"() => ({domain})('loss')")[1] >= 399
    # smoothing: turning it on makes the views anew (with the faint raw layer), moving
    # the slider after that changes the smoothed values in place
    harness.page.locator(".wbnb-bar input[type=range]").fill("0.5")
    harness.page.wait_for_function(f"() => {dbg}.stats.embeds === 6")
    harness.page.locator(".wbnb-bar input[type=range]").fill("0.9")
    _settle(harness)
    ys = harness.page.evaluate(f"() => {dbg}.charts.get('loss').view.data('points').slice(0, 6).map(d => [d.y, d.ys])")
    assert all(y in (1.0, 2.0) for y, _ in ys) and any(abs(s - y) > 0.1 for y, s in ys[1:])
    assert abs(ys[5][1] - (0.1 * sum(0.9 ** (5 - i) * y for i, (y, _) in enumerate(ys))) / (1 - 0.9**6)) < 1e-9
    assert harness.page.evaluate(f"() => {dbg}.stats.embeds") == 6
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('smoothing')") == 0.9
    harness.screenshot("curves-smoothed")
    # log scale: a user action, so the charts are embedded again with a log y scale
    harness.page.locator(".wbnb-bar input[type=checkbox]").check()
    harness.page.wait_for_function(f"() => {dbg}.stats.embeds === 9")
    assert harness.page.evaluate(f"() => {dbg}.charts.get('loss').view.scale('y').type") == "log"
    # val/acc starts at 0, which a log scale cannot show: it is left out, the rest is drawn
    low, high = harness.page.evaluate(f"() => {dbg}.charts.get('val/acc').view.scale('y').domain()")
    assert 0 < low < high <= 1
    # wall time on the x-axis
    harness.page.locator(".wbnb-bar select").select_option("wall")
    harness.page.wait_for_function(f"() => {dbg}.stats.embeds === 12")
    assert harness.page.evaluate(f"() => {dbg}.charts.get('loss').view.scale('x').type") == "time"
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('x_axis')") == "wall"
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def _compiled_on_new_page(
    context: Any, base: str, w: Any, keys: int
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Mount ``w`` on a new page of ``context``: (points per chart, how its specs were
    got: page / stored / made and "lite": 1 if the page imported Vega-Lite, page errors)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        h = Harness(page, base)
        h.mount(w, "curves")
        _wait_drawn(h, keys)
        stats = page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.stats.compiled")
        stats["lite"] = page.evaluate(
            "() => Object.keys(window.__wbnb_vega || {}).filter(k => k.endsWith('/lite')).length"
        )
        return _views(h), stats, errors
    finally:
        page.close()


def test_compiled_specs_are_kept_for_the_next_page(store_dir: Any, browser: tuple[Any, str]) -> None:
    """A notebook opened again in the same browser compiles no chart spec: the compiled,
    parsed Vega of each template comes from localStorage, draws the same, and the page
    never loads Vega-Lite."""
    import wbnb

    run = wbnb.init(project="p", name="specs")
    for i in range(200):
        run.log({"loss": 1 / (i + 1), "val/acc": i / 200, "val/f1": i / 400})
    run.finish()
    w = _curves(run)
    chromium, base = browser
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        first, made, errors = _compiled_on_new_page(context, base, w, 3)
        assert made == {"page": 2, "stored": 0, "made": 1, "lite": 1}  # one template, three keys
        again, stored, more = _compiled_on_new_page(context, base, w, 3)
        assert stored == {"page": 2, "stored": 1, "made": 0, "lite": 0}
        assert again == first == {"loss": 200, "val/acc": 200, "val/f1": 200}
        w.log_y = True  # another template: compiled once more, then kept too
        _, logged, _ = _compiled_on_new_page(context, base, w, 3)
        assert logged["made"] == 1 and logged["lite"] == 1
        probe = context.new_page()
        probe.goto(f"{base}/harness.html")
        keys = probe.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('wbnb.spec.'))")
        assert len(keys) == 3  # two templates and the index
    finally:
        context.close()
    assert not errors and not more, errors + more


def test_charts_draw_where_storage_is_refused(store_dir: Any, browser: tuple[Any, str]) -> None:
    """Some webviews and sandboxed frames throw on localStorage: charts still draw."""
    import wbnb

    run = wbnb.init(project="p", name="nostorage")
    for i in range(50):
        run.log({"loss": 1 / (i + 1)})
    run.finish()
    chromium, base = browser
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script("Object.defineProperty(window, 'localStorage', { get() { throw new Error('denied'); } })")
    try:
        counts, stats, errors = _compiled_on_new_page(context, base, _curves(run), 1)
    finally:
        context.close()
    assert counts == {"loss": 50} and stats["made"] == 1 and stats["lite"] == 1
    assert not errors, errors


def test_a_long_history_is_read_behind_the_cell_and_arrives_as_a_snapshot(
    store_dir: Any, harness: Harness, monkeypatch: Any
) -> None:
    import wbnb
    from wbnb.store.local import LocalStore
    from wbnb.widgets import Curves

    run = wbnb.init(project="p", name="long")
    for i in range(500):
        run.log({"loss": 1 / (i + 1)})
    real = LocalStore.columns

    def slow(self: Any, *a: Any, **k: Any) -> Any:  # a history that takes a while to read
        time.sleep(0.5)
        return real(self, *a, **k)

    monkeypatch.setattr(LocalStore, "columns", slow)
    monkeypatch.setattr(Curves, "load_budget", 0.0)
    w = Curves(run, min_interval=3600)
    comm = record(w)
    # The constructor did not wait: the widget says it is loading, and so does its picture.
    assert w.loading and w._snapshot["loading"] and w._snapshot["series"] == []
    assert "loading the history" in w.to_svg()
    for i in range(500, 510):
        run.log({"loss": 1 / (i + 1)})  # logged while the history is being read
    harness.mount(w, "curves")
    harness.page.get_by_text("Loading the history…").wait_for()
    wait_for(lambda: not w.loading, what="the history read behind the cell")
    assert w._snapshot["seq"] == 1 and w._snapshot["series"]
    harness.deliver(w, comm.take())  # snapshot 1, as the page receives it
    _wait_drawn(harness, 1)
    assert _views(harness)["loss"] == len(w._snapshot["series"][0]["data"]) // 48
    w.flush()  # the rows logged meanwhile follow, each once
    assert w.series.series[(0, "loss")].buckets.count == 510
    assert "<polyline" in w.to_svg()
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
