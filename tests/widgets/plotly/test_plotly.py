"""PlotlyView: figures read back from a real store, the page's fetch, plotly.js drawing them
in Chromium (imported once per page, and not at all without a figure), the picture."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ..harness import Harness, record

go = pytest.importorskip("plotly.graph_objects")
XSS = '<img src=x onerror="window.__xss=1">'


def _figure(scale: float, title: str = "loss by epoch") -> Any:
    return go.Figure(
        [
            go.Scatter(x=[0, 1, 2, 3], y=[4 * scale, 3 * scale, 2.5 * scale, 2 * scale], name="train", mode="lines"),
            go.Scatter(x=[0, 1, 2, 3], y=[5 * scale, 4 * scale, 3.5 * scale, 3.2 * scale], name="val"),
        ],
        layout={"title": {"text": title}},
    )


def _view(runs: Any, **kw: Any) -> Any:
    from wbnb.widgets import PlotlyView

    return PlotlyView(runs, min_interval=3600, **kw)


def _fetch(w: Any, req: int, step: int, key: str = "fig", run: int = 0) -> tuple[dict[str, Any], list[bytes]]:
    sid = w.figures.entries[(run, key)].id
    reply, buffers = w._answer({"type": "fetch", "req": req, "id": sid, "step": step, "index": 0})
    return reply, buffers


def test_figures_by_step_fetch_and_delta_and_the_loader_only_with_a_figure(store_dir: Any) -> None:
    import wbnb
    from wbnb.widgets.plotly import PlotlyLoader

    run = wbnb.init(project="p", name="figs")
    run.log({"loss": 1.0}, step=0)
    w = _view(run)
    assert w._plotly is None and w.figure_keys == []  # no figure: plotly.js is not referenced
    assert w._snapshot["series"] == []
    comm = record(w)
    run.log({"fig": _figure(1)}, step=1)
    assert w._feed.tick() == "delta"
    # the loader is referenced as the first figure comes, before the page hears of that figure
    (update, _), (delta, _) = comm.take()
    assert update["method"] == "update" and update["state"]["_plotly"] == f"IPY_MODEL_{PlotlyLoader.shared().model_id}"
    assert delta["method"] == "custom" and delta["content"]["upd"][0]["steps"] == [1]
    w.close()
    run.log({"fig": _figure(2)}, step=2)
    w = _view(run)
    assert w._plotly is PlotlyLoader.shared() and len(w._plotly.source) > 1_000_000
    (series,) = w._snapshot["series"]
    assert series["key"] == "fig" and series["steps"] == [1, 2]
    fig = w.figure("fig", step=1)
    assert fig["layout"]["title"]["text"] == "loss by epoch" and [t["name"] for t in fig["data"]] == ["train", "val"]
    reply, buffers = _fetch(w, 7, 2)
    assert reply == {"type": "figure", "req": 7, "id": series["id"], "step": 2, "index": 0, "found": True}
    assert json.loads(buffers[0])["data"][0]["name"] == "train"
    assert _fetch(w, 8, 5)[0]["found"] is False and _fetch(w, 8, 5)[1] == []  # no such step
    assert (
        w._answer({"type": "fetch", "req": "x", "id": 0, "step": 1, "index": 0}) is None
    )  # not a fetch the page makes
    comm = record(w)
    run.log({"fig": _figure(3)}, step=3)
    assert w._feed.tick() == "delta"
    ((msg, _buffers),) = comm.take()
    assert msg["content"]["upd"] == [
        {"id": series["id"], "run": 0, "key": "fig", "steps": [1, 2, 3], "counts": [1, 1, 1]}
    ]
    run.finish()


def test_a_dict_figure_is_logged_and_read_back(store_dir: Any) -> None:
    """A figure that is not plotly's (anything with to_plotly_json) is stored as its JSON."""
    import wbnb

    class Fig:
        def to_plotly_json(self) -> dict[str, Any]:
            return {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2], "name": "counts"}], "layout": {}}

    run = wbnb.init(project="p", name="dict")
    run.log({"bars": wbnb.Plotly(Fig())}, step=0)
    run.finish()
    w = _view(run, live=False)
    assert w.figure("bars")["data"][0]["name"] == "counts"
    assert "counts  (bar)" in w._picture().markup()


def _count_module_urls(harness: Harness) -> None:
    harness.page.evaluate(
        """() => { window.__jsUrls = 0; const make = URL.createObjectURL;
        URL.createObjectURL = (b) => { if (b && b.type === 'text/javascript') window.__jsUrls++; return make(b); }; }"""
    )


def test_figures_drawn_by_plotly_imported_once_runs_side_by_side(store_dir: Any, harness: Harness) -> None:
    import wbnb

    runs = []
    for name, scale in (("a", 1.0), ("b", 2.0)):
        run = wbnb.init(project="p", name=name)
        run.log({"fig": _figure(scale, title=f"run {name} {XSS}")}, step=0)
        run.log({"fig": _figure(scale * 3)}, step=5)
        run.finish()
        runs.append(run)
    _count_module_urls(harness)
    w1 = _view(runs)
    comm1 = record(w1)
    harness.mount(w1, "plotly")
    assert harness.answer(w1, comm1) == 2  # both runs' panels are visible: one fetch each
    page = harness.page
    page.wait_for_selector(".wbnb-plotly .wbnb-panel[data-drawn='5'] .js-plotly-plot")
    page.wait_for_function("() => document.querySelectorAll('.wbnb-plotly .js-plotly-plot').length === 2")
    # each figure's traces are SVG paths plotly drew
    assert page.locator(".wbnb-plotly .js-plotly-plot .scatterlayer .trace path.js-line").count() == 4
    boxes = [page.locator(f".wbnb-panel[data-id='{i}']").bounding_box() for i in (0, 1)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[1]["x"] > boxes[0]["x"] + boxes[0]["width"] - 1
    assert page.locator(".wbnb-panel[data-id='1'] .wbnb-sub").inner_text() == "b"
    # the step slider: back to step 0 fetches it, and its title's HTML is plotly's text
    page.locator(".wbnb-panel[data-id='0'] .wbnb-step-slider").fill("0")
    assert harness.answer(w1, comm1) == 1
    page.wait_for_selector(".wbnb-panel[data-id='0'][data-drawn='0']")
    title = page.locator(".wbnb-panel[data-id='0'] .gtitle").text_content()
    assert title is not None and title.startswith("run a <img src=x")  # a tag plotly does not format: text
    assert page.locator(".wbnb-plotly img").count() == 0 and page.evaluate("() => window.__xss") is None
    assert page.evaluate(f"() => window.wbnb.models['{w1.model_id}'].get('steps_shown')") == {"0": 0}
    # a second figure view on the same page: plotly.js is not imported again
    run_c = wbnb.init(project="p", name="c")
    run_c.log({"other": _figure(1.0)}, step=0)
    run_c.finish()
    w2 = _view(run_c)
    comm2 = record(w2)
    harness.mount(w2, "plotly")
    harness.answer(w2, comm2)
    page.wait_for_function("() => document.querySelectorAll('.wbnb-plotly .js-plotly-plot').length === 3")
    assert page.evaluate("() => window.__jsUrls") == 1
    harness.screenshot("plotly-two-runs")
    assert not harness.errors  # type: ignore[attr-defined]


def test_no_figure_no_plotly_on_the_page(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="none")
    run.log({"loss": 1.0}, step=0)
    run.finish()
    _count_module_urls(harness)
    w = _view(run)
    harness.mount(w, "plotly")
    harness.page.wait_for_selector(".wbnb-plotly .wbnb-empty")
    assert harness.page.evaluate("() => window.__jsUrls") == 0
    assert harness.page.evaluate("() => Object.keys(window.__wbnb_vega ?? {})") == []


def test_keys_option_draws_only_those_keys(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="k")
    run.log({"a": _figure(1.0), "b": _figure(2.0)}, step=0)
    run.finish()
    w = _view(run)
    record(w)
    for model in (w._plotly, w):
        harness.add_model(model)
    harness.page.evaluate(
        """async ([id, url]) => { const mod = await import(url); const el = document.createElement('div');
        document.getElementById('out').appendChild(el);
        const m = window.wbnb.models[id];
        const host = { getModel: (ref) => window.wbnb.models[String(ref).replace(/^IPY_MODEL_/, '')] };
        await new mod.View(el, m, host, { keys: ['b'] }).ready; }""",
        [w.model_id, f"{harness.base}/plotly.js"],
    )
    harness.page.wait_for_selector(".wbnb-plotly .wbnb-panel")
    assert harness.page.eval_on_selector_all(".wbnb-plotly .wbnb-panel", "els => els.map(e => e.dataset.key)") == ["b"]


def test_picture_title_traces_and_escaped_text(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name=f"pic {XSS}")
    run.log({"fig": _figure(1.0, title=f"T {XSS}")}, step=0)
    run.finish()
    svg = _view(run, live=False)._picture().markup()
    assert "T &lt;img src=x" in svg and "<img" not in svg
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4  # train: lines; val: lines and its 4 markers
    assert "train  (scatter)" in svg and "val  (scatter)" in svg
    empty = wbnb.init(project="p", name="empty")
    empty.finish()
    assert "No plotly figures logged yet." in _view(empty, live=False)._picture().markup()


def test_a_saved_notebook_holds_plotly_js_once_and_none_without_a_figure(store_dir: Any) -> None:
    from ipywidgets.embed import dependency_state, embed_data

    import wbnb

    def loaders(widgets: list[Any]) -> int:
        data = embed_data(views=widgets, state=dependency_state(widgets, drop_defaults=True))
        return sum(1 for s in data["manager_state"]["state"].values() if len(s["state"].get("source", "")) > 10**6)

    run = wbnb.init(project="p", name="saved")
    run.log({"loss": 1.0}, step=0)
    without = _view(run, live=False)
    assert loaders([without]) == 0
    run.log({"a": _figure(1.0), "b": _figure(2.0)}, step=1)
    run.finish()
    assert loaders([_view(run, live=False, keys="a"), _view(run, live=False, keys="b"), without]) == 1


def test_output_holds_the_view_and_a_well_formed_picture(store_dir: Any) -> None:
    """The key, run name, title and trace name are the XSS string: text in the picture."""
    import wbnb

    from ..test_static import output_texts

    run = wbnb.init(project="p", name=XSS)
    fig = _figure(1.0, title=XSS)
    fig.data[0].name = XSS
    run.log({XSS: fig}, step=0)
    run.finish()
    shown = output_texts(_view(run, live=False))
    assert XSS in shown and any(s.startswith(XSS) for s in shown[1:])


def test_a_figure_still_being_written_is_answered_once_written(store_dir: Any, monkeypatch: Any) -> None:
    """The figure's JSON is written by the media thread after ``log()`` returns: the page's
    fetch in between gets the figure (it waits for the file), not a figure that cannot be read."""
    import threading

    import wbnb
    from wbnb.data.plotly import Plotly

    go_on = threading.Event()
    encode = Plotly._encode

    def held(self: Any) -> bytes:
        go_on.wait()
        return encode(self)

    monkeypatch.setattr(Plotly, "_encode", held)
    run = wbnb.init(project="p", name="slow")
    run.log({"fig": _figure(1.0)}, step=0)  # returns at once; the JSON is not written yet
    w = _view(run)
    # the file cannot be written before go_on is set, which happens only after the fetch began
    release = threading.Timer(0.2, go_on.set)
    release.start()
    reply, buffers = _fetch(w, 1, 0)
    release.join()
    assert reply["found"] and json.loads(buffers[0])["data"][0]["name"] == "train"
    run.finish()


def test_a_list_of_figures_is_fetched_item_by_item(store_dir: Any) -> None:
    import wbnb

    run = wbnb.init(project="p", name="lists")
    run.log({"figs": [wbnb.Plotly(_figure(1.0, title="first")), wbnb.Plotly(_figure(2.0, title="second"))]}, step=1)
    run.finish()
    w = _view(run)
    (series,) = w._snapshot["series"]
    assert series["steps"] == [1] and series["counts"] == [2]
    titles = []
    for i in range(2):
        reply, buffers = w._answer({"type": "fetch", "req": i, "id": series["id"], "step": 1, "index": i})
        assert reply["index"] == i and reply["found"]
        titles.append(json.loads(buffers[0])["layout"]["title"]["text"])
    assert titles == ["first", "second"]
    assert w._answer({"type": "fetch", "req": 2, "id": series["id"], "step": 1, "index": 2})[0]["found"] is False
    assert w.figure("figs", index=1)["layout"]["title"]["text"] == "second"
    svg = _view(run, live=False)._picture().markup()
    assert "first" in svg and "second" in svg and "lists  ·  2/2" in svg and svg.count("<polyline") == 4


def test_two_plotly_plots_drawn_for_a_list_of_figures(store_dir: Any, harness: Harness) -> None:
    import wbnb

    run = wbnb.init(project="p", name="lists")
    run.log({"figs": [wbnb.Plotly(_figure(1.0, title="first")), wbnb.Plotly(_figure(2.0, title="second"))]}, step=0)
    run.finish()
    w = _view(run)
    comm = record(w)
    harness.mount(w, "plotly")
    assert harness.answer(w, comm) == 2  # one fetch per figure
    page = harness.page
    page.wait_for_selector(".wbnb-plotly .wbnb-panel[data-drawn='0']")
    page.wait_for_function("() => document.querySelectorAll('.wbnb-plotly .js-plotly-plot').length === 2")
    assert page.locator(".wbnb-plotly .wbnb-panel").count() == 1
    assert page.locator(".wbnb-item .gtitle").all_text_contents() == ["first", "second"]
    boxes = [page.locator(f".wbnb-item[data-index='{i}'] .js-plotly-plot").bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 1 and boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] + 1
    harness.screenshot("plotly-list")
    assert not harness.errors  # type: ignore[attr-defined]
