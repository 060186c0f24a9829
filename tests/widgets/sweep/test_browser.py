"""The sweep panel and Compare in Chromium: axes and one line per trial, brushing an axis
hides the lines outside it and sends the runs that pass, the charts and the trial table,
a re-read adding a trial, and hostile run names and parameter values shown as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..harness import Harness, fresh_bundle, record
from .fill import XSS, fill


@pytest.fixture(autouse=True, scope="module")
def _bundle() -> None:
    fresh_bundle("sweep")
    fresh_bundle("compare")


def _guard(h: Harness) -> None:
    h.page.evaluate("() => { window.__xss = false; window.alert = () => { window.__xss = true; }; }")


def _visible(h: Harness) -> int:
    return h.page.evaluate(
        "() => [...document.querySelectorAll('.wbnb-pline')].filter(p => getComputedStyle(p).display !== 'none').length"
    )


def _brush(h: Harness, key: str, top: float, bottom: float) -> None:
    """Drag along the axis ``key`` from ``top`` to ``bottom`` (fractions of its height)."""
    box = h.page.evaluate(
        """(key) => { const g = [...document.querySelectorAll('.wbnb-axis-g')].find(g => g.dataset.key === key);
        const r = g.querySelector('.wbnb-brush-area').getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y, h: r.height}; }""",
        key,
    )
    h.page.mouse.move(box["x"], box["y"] + top * box["h"])
    h.page.mouse.down()
    h.page.mouse.move(box["x"], box["y"] + (top + bottom) / 2 * box["h"])
    h.page.mouse.move(box["x"], box["y"] + bottom * box["h"])
    h.page.mouse.up()


def _sent(h: Harness, w: Any) -> list[Any]:
    return h.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].sent.splice(0)")


def test_panel_axes_lines_brushing_and_hostile_text(store_dir: Path, harness: Harness) -> None:
    from wbnb.widgets import SweepPanel

    book = fill()
    w = SweepPanel("abcd1234", project="sw", book=book, poll=None)
    comm = record(w)
    _guard(harness)
    harness.mount(w, "sweep")
    harness.page.wait_for_selector(".wbnb-sweep .wbnb-pline")
    labels = harness.page.eval_on_selector_all(".wbnb-axis-label", "ls => ls.map(l => l.textContent)")
    assert labels == ["lr (log)", "dropout", "optimizer", "val_loss"]
    assert _visible(harness) == 12

    # brush the top third of lr's (log) axis: only the trials with the largest lr stay
    _brush(harness, "param.lr", 0.0, 0.34)
    shown = _visible(harness)
    lrs = sorted((t.params["lr"], t.run_id) for t in book.list)
    expected = [rid for lr, rid in lrs if lr >= 10 ** (-5 + 4 * (1 - 0.34))]
    assert 0 < shown == len(expected) < 12
    sent = _sent(harness, w)
    assert sent[-1]["type"] == "select" and sorted(sent[-1]["ids"]) == sorted(expected)
    w._on_request(w, sent[-1], [])
    assert sorted(w.selected) == sorted(expected)
    assert "runs in the brushed ranges" in harness.page.inner_text(".wbnb-count")

    # a second axis narrows further; a click on the first clears its brush
    _brush(harness, "metric", 0.5, 1.0)
    assert _visible(harness) < shown or shown == 0
    _brush(harness, "param.lr", 0.5, 0.5)
    assert _visible(harness) >= shown - 12 and _sent(harness, w)[-1]["type"] == "select"

    # the charts and the table; hostile strings as text
    assert harness.page.locator(".wbnb-trials-chart .wbnb-trial").count() == 12
    assert harness.page.locator(".wbnb-rungs-chart .wbnb-cut").count() == 3
    assert harness.page.locator(".wbnb-rungs-chart .wbnb-band").count() == 2
    rows = harness.page.eval_on_selector_all(".wbnb-trials tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(rows) == 12 and rows[1].endswith(XSS) and XSS in rows[2]  # run name; optimizer value
    ticks = harness.page.eval_on_selector_all(".wbnb-tick", "ts => ts.map(t => t.firstChild.nodeValue)")
    assert "<img sr…" in ticks  # clipped as the picture clips it, whole in its title
    assert XSS in harness.page.eval_on_selector_all(".wbnb-tick title", "ts => ts.map(t => t.textContent)")
    harness.settle()
    assert harness.page.evaluate("() => document.querySelectorAll('.wbnb-sweep img').length") == 0
    assert harness.page.evaluate("() => window.__xss") is False

    # a re-read with a new trial draws it
    import wbnb

    run = wbnb.init(project="sw", name="late", config={"lr": 1e-3})
    run.log({"val_loss": 0.5})
    book.add({"lr": 1e-3, "dropout": 0.1, "optimizer": "sgd", "epochs": 6}, "running", run.id)
    w.refresh()
    harness.deliver(w, comm.take())
    harness.page.wait_for_function("() => document.querySelectorAll('.wbnb-trials tbody tr').length === 13")
    assert harness.page.locator(".wbnb-pline").count() == 13
    run.finish()
    assert harness.errors == []  # type: ignore[attr-defined]
    harness.screenshot("sweep-panel")


def test_compare_draws_a_project_and_brushing_selects(store_dir: Path, harness: Harness) -> None:
    import wbnb
    from wbnb.widgets import Compare

    fill(n=8)
    other = wbnb.init(project="sw", config={"lr": 0.5}, reinit="create_new")
    other.log({"acc": 0.5})
    other.finish()
    w = Compare("sw", metric="val_loss", poll=None)
    _guard(harness)
    harness.mount(w, "compare")
    harness.page.wait_for_selector(".wbnb-compare .wbnb-pline")
    assert harness.page.locator(".wbnb-pline").count() == 9
    assert _visible(harness) == 9  # the run without val_loss too, ending at the last parameter
    assert harness.page.eval_on_selector(".wbnb-compare select", "s => s.value") == "val_loss"
    caption = harness.page.inner_text(".wbnb-importance caption")
    assert "parameter importance for val_loss" in caption and "random-forest importance" in caption
    _brush(harness, "summary.val_loss", 0.6, 1.0)
    assert 0 < _visible(harness) < 8  # the run without a value is outside every brushed range
    ids = _sent(harness, w)[-1]["ids"]
    w._on_request(w, {"type": "select", "ids": ids}, [])
    assert w.selected == ids and len(ids) == _visible(harness)
    # the metric picked on the page reaches Python, which re-reads the runs against it
    harness.page.select_option(".wbnb-compare select", "acc")
    w.set_state({"metric": harness.page.evaluate(f"() => window.wbnb.models['{w.model_id}'].get('metric')")})
    assert w.parallel["metric"] == "acc" and w.parallel["axes"][-1]["key"] == "summary.acc"
    harness.settle()
    assert harness.page.evaluate("() => window.__xss") is False
    assert harness.errors == []  # type: ignore[attr-defined]
