"""RunPanel: its parts follow what the run logged; its header is text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import wbnb
from tests.waiting import wait_for, wait_for_system_samples
from wbnb.widgets import Curves, Gallery, Histograms, RunPanel, System
from wbnb.widgets.confusion import ConfusionMatrix
from wbnb.widgets.panel.contract import SYSTEM_SECTION


def test_parts_follow_what_the_run_logged(store_dir: Path) -> None:
    name = "<img src=x onerror=alert(1)>"
    run = wbnb.init(project="panel", name=name, settings={"system_interval": 0.05})
    for i in range(3):
        wbnb.log(
            {
                "loss": 1 / (i + 1),
                "samples": [wbnb.Image(np.zeros((4, 4, 3), dtype=np.uint8))],
                "cm": wbnb.plot.confusion_matrix(y_true=[0, 1], preds=[0, 1]),
                "w": wbnb.Histogram(np.arange(10)),
            }
        )
    wait_for_system_samples(run)
    run.finish(quiet=True)
    panel = RunPanel(f"panel/{run.id}")
    expected = {"curves": Curves, "system": System, "gallery": Gallery, "confusionmatrix": ConfusionMatrix}
    expected["histograms"] = Histograms
    assert list(panel.parts) == list(expected)  # anywidget subclasses each instance: compare with isinstance
    assert all(isinstance(panel.parts[name], cls) for name, cls in expected.items())
    cells = {c["key"]: c["part"] for s in panel.sections for c in s["cells"] if s["id"] != SYSTEM_SECTION}
    assert cells == {"loss": "curves", "samples": "gallery", "cm": "confusionmatrix", "w": "histograms"}
    header = panel.header.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in header and "<img" not in header and "finished" in header
    assert "<polyline" in panel.to_svg()


def test_a_run_with_only_scalars_gets_header_and_curves(store_dir: Path) -> None:
    run = wbnb.init(project="panel")
    wbnb.log({"loss": 1.0})
    panel = RunPanel(run)  # the live run: its system sampling is off in these tests
    assert list(panel.parts) == ["curves"] and isinstance(panel.curves, Curves) and panel.artifacts is None
    assert [[c["id"] for c in s["cells"]] for s in panel.sections] == [["curves:loss"]]
    assert "running since " in panel.header.value
    shown = panel.header.value
    import time

    time.sleep(1.1)  # time passing is the thing under test: a second ticks by
    panel.header.refresh()
    assert panel.header.value == shown  # an idle running run sends no per-second updates
    run.finish(quiet=True)
    panel.flush()
    assert "finished" in panel.header.value
    with pytest.raises(ValueError, match="RunPanel shows one run"):
        RunPanel([run, run])


def test_header_shows_cell_exceptions_and_alerts_as_text_and_follows_the_run(store_dir: Path) -> None:
    run = wbnb.init(project="panel")
    try:
        raise ValueError("<script>bad()</script>")
    except ValueError as e:
        run.record_exception(e)  # what the post_run_cell hook does for a failing cell
    panel = RunPanel(run)
    header = panel.header
    assert "ValueError: &lt;script&gt;bad()&lt;/script&gt; (the run stays open)" in header.value
    assert "<script>" not in header.value
    run.record_exception(KeyboardInterrupt())
    run.alert("loss is flat", "<b>check lr</b>", level="WARN")
    # The header's own thread picks new events up while the run is live.
    wait_for(lambda: "loss is flat" in header.value, what="the alert in the header")
    assert "KeyboardInterrupt" in header.value and "[WARN] loss is flat: &lt;b&gt;check lr&lt;/b&gt;" in header.value
    for i in range(5):
        run.alert(f"a{i}", "x")
    run.finish(quiet=True)
    panel.flush()
    assert "finished" in header.value and "… 3 earlier" in header.value and header.value.count("wbnb-event") == 6


def test_header_of_another_process_run_looks_less_often_while_nothing_changes(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from wbnb.store.local import LocalStore
    from wbnb.widgets.header import MAX_BACKOFF, RunHeader
    from wbnb.widgets.runs import resolve_runs

    run = wbnb.init(project="poll")
    wbnb.log({"loss": 1.0})
    (ref,) = resolve_runs(f"poll/{run.id}")  # as another process sees it: from the store
    looks: list[float] = []
    real = LocalStore.run
    monkeypatch.setattr(LocalStore, "run", lambda self, *a, **k: looks.append(time.monotonic()) or real(self, *a, **k))
    header = RunHeader(ref, interval=0.02)
    wait_for(lambda: len(looks) >= 8, what="eight looks at the run")
    # 0.02, 0.04, 0.08, then every 0.16 s apart: ~8 looks in a second, not 50.
    gaps = [b - a for a, b in zip(looks, looks[1:])]
    assert all(g >= 0.9 * min(0.02 * 2**i, MAX_BACKOFF * 0.02) for i, g in enumerate(gaps)), gaps
    run.finish(quiet=True)
    wait_for(lambda: "finished" in header.value, what="the header to see the run finished")  # still seen


def test_the_header_view_keeps_its_markup_and_shows_any_other_as_text(store_dir: Path, harness: Any) -> None:
    """The header is an anywidget (marimo renders nothing else) whose view copies only
    <div>, <b> and <span>: a page may write a model's state as the kernel does."""
    name = "<img src=x onerror=window.__xss=1>"
    run = wbnb.init(project="panel", name=name)
    header = RunPanel(run).header
    harness.page.evaluate("() => { window.__xss = 0; }")
    harness.mount(header, "header")
    shown = harness.page.locator(".wbnb-run-header")
    shown.wait_for()
    assert name in shown.inner_text() and "running" in shown.inner_text()
    assert shown.locator("b").inner_text() == name
    written = (
        "<div class='wbnb-run-header'><b>bold</b>"
        "<img src=x onerror=window.__xss=1><script>window.__xss=2</script></div>"
    )
    harness.page.evaluate("([id, v]) => window.wbnb.models[id].set('value', v)", [header.model_id, written])
    harness.page.locator(".wbnb-run-header b", has_text="bold").wait_for()
    harness.settle()
    assert harness.page.evaluate("() => document.images.length") == 0
    assert harness.page.locator(".wbnb-run-header script").count() == 0
    assert harness.page.evaluate("() => window.__xss") == 0
    run.finish(quiet=True)
