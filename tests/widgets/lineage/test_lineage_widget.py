"""LineageGraph: the graph Python lays out drawn as SVG in Chromium (names as text), a
click on a node growing the graph through Python, zoom, and the static picture."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.artifacts.fill import log, new_catalog
from wbnb.store.catalog.records import RunRef

from ..harness import Harness, fresh_bundle, record

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True, scope="module")
def _bundle() -> None:
    fresh_bundle("lineage")


def _graph(tmp_path: Path) -> Any:
    """data -> train -> model(alias XSS) -> eval; the widget starts at model, depth 1."""
    from wbnb.widgets import LineageGraph

    (tmp_path / "src").mkdir()
    c = new_catalog(tmp_path / "catalog")
    prep, train, ev = RunRef("p", "prep"), RunRef("p", "train"), RunRef("p", "eval")
    raw = log(c, tmp_path / "src", "p", "raw", {"a": b"0"})
    c.use(raw.id, prep)
    data = log(c, tmp_path / "src", "p", "data", {"a": b"1"}, run=prep)
    c.use(data.id, train)
    model = log(c, tmp_path / "src", "p", "model", {"w": b"2"}, type="model", run=train, aliases=(XSS,))
    c.use(model.id, ev)
    return LineageGraph(model, catalog=c, depth=1)


def _texts(h: Harness) -> list[str]:
    return h.page.evaluate("() => [...document.querySelectorAll('.wbnb-lineage text')].map(t => t.textContent)")


def test_graph_drawn_as_text_and_a_click_expands_it(tmp_path: Path, harness: Harness) -> None:
    w = _graph(tmp_path)
    comm = record(w)
    harness.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")
    harness.mount(w, "lineage")
    harness.page.wait_for_selector(".wbnb-lineage .wbnb-node")
    harness.settle()
    texts = _texts(harness)
    assert "model:v0" in texts and "train" in texts and "eval" in texts
    assert any(t.startswith("model · <img src=x") for t in texts)  # the alias, as text (clipped to the box)
    titles = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-lineage title')].map(t => t.textContent)"
    )
    assert f"model:v0\nmodel · {XSS} · latest" in titles
    assert harness.page.evaluate("() => document.querySelectorAll('.wbnb-lineage img').length") == 0
    assert harness.page.evaluate("() => window.__xss") is False
    curves = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-lineage path[data-src]')].map(p => p.getAttribute('d'))"
    )
    assert curves == [e["d"] for e in w.graph["edges"]] and len(curves) == 2  # Python's curves, as they are
    # the node boxes are where Python put them
    xs = harness.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-lineage rect')].map(r => +r.getAttribute('x'))"
    )
    assert xs == [n["x"] for n in w.graph["nodes"]]

    # train has a hidden input (data): click it, Python grows the graph, the page draws it
    harness.page.click(".wbnb-node.wbnb-more[data-id='run:p/train']")
    sent = harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")
    assert sent == [{"type": "expand", "node": "run:p/train"}]
    for content in sent:
        w._on_request(w, content, [])
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-lineage .wbnb-node').length === 4")
    assert "data:v0" in _texts(harness)
    harness.screenshot("lineage-expanded")
    assert harness.page.query_selector(".wbnb-node.wbnb-more[data-id='run:p/train']") is None

    # zoom: a button press scales the drawing and syncs the trait
    width = float(harness.page.get_attribute(".wbnb-lineage svg", "width") or 0)
    harness.page.click(".wbnb-lineage .wbnb-bar button:nth-child(2)")
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('zoom')") == 1.25
    assert float(harness.page.get_attribute(".wbnb-lineage svg", "width") or 0) == pytest.approx(width * 1.25)
    harness.page.dispatch_event(".wbnb-lineage .wbnb-scroll", "wheel", {"deltaY": 100})
    assert harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('zoom')") == pytest.approx(1.0)
    assert not harness.errors  # type: ignore[attr-defined]


def test_picture_draws_the_same_boxes_with_names_escaped(tmp_path: Path) -> None:
    w = _graph(tmp_path)
    svg = w.to_svg()
    root = ET.fromstring(svg)  # well-formed: nothing a name holds became markup
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f".//{ns}img") is None and "&lt;img src=x" in svg
    rects = [float(r.get("x", "0")) for r in root.iter(f"{ns}rect")][1:]  # the first: the background
    assert rects == [n["x"] for n in w.graph["nodes"]]
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "model:v0" in texts and "+1" in texts and texts[0] == "lineage: 2 runs, 1 artifact versions"
    w.expand("run:p/train")
    assert "data:v0" in [t.text for t in ET.fromstring(w.to_svg()).iter(f"{ns}text")]


def test_a_lineage_ending_a_cell_displays_its_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from wbnb.jupyter.panel import register_display
    from wbnb.widgets import LineageGraph

    shell = InteractiveShell.instance()
    register_display(shell)
    shown: list[Any] = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: shown.append(obj))
    graph = _graph(tmp_path).lineage
    assert repr(graph) == f"<Lineage of {graph.root}: 2 runs, 1 version>"
    shell.display_formatter.ipython_display_formatter(graph)
    assert len(shown) == 1 and isinstance(shown[0], LineageGraph) and shown[0].lineage is graph
