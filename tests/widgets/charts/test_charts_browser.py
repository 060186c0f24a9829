"""Charts in a real headless Chromium: the Vega charts drawn, the legend's AUC, the step
slider, runs overlaid, the grid's width, one key per view, custom charts and safe text."""

from __future__ import annotations

from typing import Any

from ..harness import Harness, record
from .test_charts import LABELS, XSS, charts, scores, table


def _mount(h: Harness, w: Any, keys: list[str] | None = None) -> None:
    """Mount the view (with ``ViewOptions.keys`` when given) and wait until every panel has its chart."""
    if keys is None:
        h.mount(w, "charts")
    else:  # as the run panel mounts it: one view per key over one model
        for ref in (w._vega, w):
            h.add_model(ref)
        h.page.evaluate(
            """async ([id, url, keys]) => {
            const mod = await import(url);
            const el = document.createElement('div');
            document.getElementById('out').appendChild(el);
            const host = { getModel: (ref) => window.wbnb.models[String(ref).replace(/^IPY_MODEL_/, '')] };
            await new mod.View(el, window.wbnb.models[id], host, { keys }).ready;
        }""",
            [w.model_id, f"{h.base}/charts.js", keys],
        )
    h.page.wait_for_function(
        """() => { const v = document.querySelector('.wbnb-charts')?.__wbnb;
        return v && v.panels.size > 0 && [...v.panels.values()].every(p => p.view || p.shown?.kind === 'custom'); }""",
        timeout=20_000,
    )


def _rows(h: Harness, key: str) -> list[dict[str, Any]]:
    """The rows in the Vega dataset of ``key``'s chart."""
    rows: list[dict[str, Any]] = h.page.evaluate(
        "(key) => document.querySelector('.wbnb-charts').__wbnb.panels.get(key).view.data('table')"
        ".map(r => ({x: r.x, y: r.y, s: r.s, run: r.run}))",
        key,
    )
    return rows


def _texts(h: Harness, key: str) -> list[str]:
    """The texts of ``key``'s chart (Vega's SVG renderer: legend, titles, axes)."""
    texts: list[str] = h.page.locator(f'.wbnb-panel[data-key="{key}"] svg text').all_text_contents()
    return texts


def test_roc_drawn_with_a_curve_per_class_and_auc_in_the_legend(store_dir: Any, harness: Harness) -> None:
    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name="clf")
    roc = wbnb.plot.roc_curve(y, p, labels=LABELS, title="Validation ROC")
    t = table(30)
    run.log({"roc": roc, "pr": wbnb.plot.pr_curve(y, p, labels=LABELS), "hist": wbnb.plot.histogram(t, "acc")})
    run.log({"bar": wbnb.plot.bar(table(4), "split", "acc"), "line": wbnb.plot.line(t, "epoch", "acc")})
    run.finish()
    w = charts(run)
    harness.page.set_viewport_size({"width": 1400, "height": 900})
    _mount(harness, w)
    rows = _rows(harness, "roc")
    assert len(rows) == sum(len(c["x"]) for c in roc.fields["curves"])
    texts = _texts(harness, "roc")
    for c in roc.fields["curves"]:
        assert f"{c['class']} (AUC {c['auc']:.2f})" in texts
    assert "Validation ROC" in texts and "False positive rate" in texts
    marks = harness.page.locator('.wbnb-panel[data-key="roc"] svg path[aria-roledescription="line mark"]').count()
    assert marks == 4  # a curve per class and the chance line
    assert any(s.startswith("cat (AP ") for s in _texts(harness, "pr"))
    assert len(_rows(harness, "hist")) > 1 and len(_rows(harness, "bar")) == 4
    # laid out to the element's width: at 1400 px the first three charts share a row
    tops = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-charts .wbnb-panel')].map(p => p.getBoundingClientRect().top)"
    )
    assert tops[0] == tops[1] == tops[2] < tops[3]
    harness.screenshot("charts-grid")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_step_slider_asks_for_an_older_step_and_changes_the_data(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    logged = {}
    for step, n in ((0, 40), (10, 200)):
        y, p = scores(step, n=n)
        logged[step] = wbnb.plot.roc_curve(y, p, labels=LABELS)
        run.log({"roc": logged[step]}, step=step)
    run.finish()
    w = charts(run)
    comm = record(w)
    _mount(harness, w)
    newest = _rows(harness, "roc")
    assert len(newest) == sum(len(c["x"]) for c in logged[10].fields["curves"])
    harness.page.locator('.wbnb-panel[data-key="roc"] input[type=range]').fill("0")
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    assert sent == [{"type": "fetch", "req": 1, "key": "roc", "step": 0}]
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('steps_shown')") == {"roc": 0}
    for content in sent:
        w._on_request(w, content, [])
    harness.deliver(w, comm.take())
    harness.page.wait_for_function(
        "() => document.querySelector('.wbnb-charts').__wbnb.panels.get('roc').shown.step === 0"
    )
    harness.page.wait_for_function(
        "(n) => document.querySelector('.wbnb-charts').__wbnb.panels.get('roc').view?.data('table').length === n",
        arg=sum(len(c["x"]) for c in logged[0].fields["curves"]),
    )
    auc0 = logged[0].fields["curves"][0]["auc"]
    assert f"cat (AUC {auc0:.2f})" in _texts(harness, "roc")
    assert "step 0 (1/2)" in harness.page.locator('.wbnb-panel[data-key="roc"] .wbnb-steps').inner_text()
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_two_runs_overlaid_on_one_chart(store_dir: Any, harness: Harness) -> None:
    import wbnb

    runs = []
    for name, seed in (("alpha", 0), ("beta", 1)):
        run = wbnb.init(project="p", name=name, reinit="create_new")
        y, p = scores(seed)
        run.log({"roc": wbnb.plot.roc_curve(y, p, labels=LABELS)})
        run.finish()
        runs.append(run)
    w = charts(runs)
    _mount(harness, w)
    assert {r["run"] for r in _rows(harness, "roc")} == {"alpha", "beta"}
    legend = [s for s in _texts(harness, "roc") if "AUC" in s]
    assert len(legend) == 6 and sum(s.startswith("alpha · ") for s in legend) == 3
    harness.screenshot("charts-two-runs")
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_a_view_mounted_with_keys_draws_only_those(store_dir: Any, harness: Harness) -> None:
    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name="r")
    run.log({"roc": wbnb.plot.roc_curve(y, p), "pr": wbnb.plot.pr_curve(y, p)})
    run.finish()
    w = charts(run)
    _mount(harness, w, keys=["pr"])
    keys = harness.page.evaluate("() => [...document.querySelector('.wbnb-charts').__wbnb.panels.keys()]")
    assert keys == ["pr"]
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_custom_chart_shows_its_spec_fields_and_rows_as_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    t = wbnb.Table(columns=[XSS, "n"], data=[[XSS, 1], ["b", 2]])
    run.log({"cc": wbnb.plot_table(f"me/{XSS}", t, {"stage": XSS}, {"title": XSS})})
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = charts(run)
    _mount(harness, w)
    text = harness.page.locator('.wbnb-panel[data-key="cc"]').inner_text()
    assert f"custom chart “me/{XSS}” is not drawn here" in text and f"stage → {XSS}" in text and "2 rows" in text
    assert harness.page.locator(".wbnb-custom th").all_inner_texts() == [XSS, "n"]
    assert harness.page.locator(".wbnb-charts img").count() == 0
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False


def test_html_in_title_class_and_run_names_is_text(store_dir: Any, harness: Harness) -> None:
    import wbnb

    y, p = scores(0)
    run = wbnb.init(project="p", name=XSS)
    run.log({XSS: wbnb.plot.roc_curve(y, p, labels=[XSS, "dog", "bird"], title=XSS)})
    run.finish()
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    w = charts(run)
    _mount(harness, w)
    texts = _texts(harness, XSS)
    assert XSS in texts and any(s.startswith(f"{XSS} (AUC ") for s in texts)
    assert harness.page.locator(".wbnb-charts .wbnb-head").inner_text() == XSS
    assert harness.page.locator(".wbnb-charts img").count() == 0
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]


def test_a_live_delta_adds_a_step_and_redraws_the_newest(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="r")
    run.log({"roc": wbnb.plot.roc_curve(*scores(0, n=40), labels=LABELS)}, step=0)
    w = charts(run)
    comm = record(w)
    _mount(harness, w)
    assert harness.page.locator('.wbnb-panel[data-key="roc"] .wbnb-steps').is_hidden()  # one step: no slider
    newer = wbnb.plot.roc_curve(*scores(1, n=300), labels=LABELS)
    run.log({"roc": newer}, step=4)
    w._feed.tick(final=False)
    harness.deliver(w, comm.take())
    n = sum(len(c["x"]) for c in newer.fields["curves"])
    harness.page.wait_for_function(
        "(n) => document.querySelector('.wbnb-charts').__wbnb.panels.get('roc').view?.data('table').length === n", arg=n
    )
    assert "step 4 (2/2)" in harness.page.locator('.wbnb-panel[data-key="roc"] .wbnb-steps').inner_text()
    run.finish()
    w.close()
    assert not harness.errors, harness.errors  # type: ignore[attr-defined]
