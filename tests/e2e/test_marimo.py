"""marimo as a host: `marimo edit` on 127.0.0.1 runs tests/e2e/marimo/widgets.py while
Debian's Chromium (Playwright) watches. Every widget renders in marimo's shadow roots, page
and kernel talk both ways (a gallery's image fetch, a table's selection), a chart cell run
again draws again, and the live curves move while the training cell still runs."""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.jupyter_server import free_port, server_process
from tests.waiting import wait_for

NOTEBOOK = Path(__file__).resolve().parent / "marimo" / "widgets.py"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
STEPS = 400  # rows the training cell logs
XSS = "<img src=x onerror=window.__xss=1>"  # the live run's name

# marimo renders each widget in a shadow root of its own: queries walk into all of them.
DEEP = """window.__xss = 0;
window.deep = (sel) => {
  const out = [];
  const walk = (root) => {
    out.push(...root.querySelectorAll(sel));
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
  };
  walk(document);
  return out;
};"""

# Points each chart of ``key`` holds, per Curves on the page (older ones marked __old left out).
POINTS = """(key) => window.deep('.wbnb-curves').filter(el => !el.__old).flatMap(el => {
  const c = el.__wbnb && el.__wbnb.charts.get(key);
  return c ? [c.view ? c.view.data('points').length : 0] : [];
})"""


@dataclass
class Notebook:
    page: Any
    root: Path
    counts: list[int]  # the live chart's points, each time they changed while the training cell ran
    errors: list[str]


def _points(page: Any, key: str) -> int:
    return max(page.evaluate(POINTS, key), default=0)


def _console_has(page: Any, text: str) -> bool:
    return page.locator("[data-testid=console-output-area]", has_text=text).count() > 0


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Notebook]:
    """The notebook opened in marimo, its cells run; its training cell let go once the live
    panel's chart is drawn and watched until it is done."""
    root = tmp_path_factory.mktemp("marimo")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    # Run every cell on open (marimo's default waits for the "run all" button).
    (root / ".marimo.toml").write_text("[runtime]\nauto_instantiate = true\n")
    env = {
        "HOME": str(root),  # marimo reads and writes its settings here, not the machine's
        "XDG_CONFIG_HOME": str(root / ".config"),
        "WBNB_DIR": str(root / "wbnb-runs"),
        "WBNB_E2E_GO": str(root / "go"),
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        *(sys.executable, "-m", "marimo", "edit", NOTEBOOK.name, "--headless", "--no-token", "--skip-update-check"),
        *("--no-sandbox", "--host", "127.0.0.1", "--port", str(port)),
    ]
    with server_process("marimo", command, f"{base}/health", root / "server.log", env, cwd=root):
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script(DEEP)
        page.goto(base)
        # init()'s live panel mounts a cell's view once it is near the screen
        page.locator(".wbnb-dash-cell[data-cell='curves:train/loss']").scroll_into_view_if_needed(timeout=120_000)
        live = page.locator(".wbnb-curves", has_text="train/loss").first
        live.wait_for(timeout=120_000)
        live.scroll_into_view_if_needed()  # a chart out of view keeps its changes for later
        wait_for(lambda: _points(page, "train/loss") >= 1, 60, "the live panel's chart to draw")
        (root / "go").touch()
        counts: list[int] = []
        deadline = time.monotonic() + 120
        while not _console_has(page, "training done"):
            assert time.monotonic() < deadline, "the training cell did not finish"
            total = _points(page, "train/loss")
            if not counts or total != counts[-1]:
                counts.append(total)
            time.sleep(0.1)
        try:
            yield Notebook(page, root, counts, errors)
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "e2e-marimo.png"), full_page=True)
            page.close()


@pytest.mark.timeout(300)
def test_live_curves_move_while_the_cell_runs(notebook: Notebook) -> None:
    from wbnb.store.local import LocalStore

    page, counts = notebook.page, notebook.counts
    rises = sum(1 for a, b in zip(counts, counts[1:]) if b > a)
    assert rises >= 3, f"the curve's point count rose only {rises} times while the cell ran: {counts}"
    wait_for(
        lambda: set(page.evaluate(POINTS, "train/loss")) == set(page.evaluate(POINTS, "train/acc")) == {STEPS},
        60,
        "the live chart to hold every logged step",
    )
    # The panel's header follows the run to its end; the run's name is text everywhere.
    page.locator(".wbnb-run-header", has_text=XSS).filter(has_text="finished").wait_for(timeout=60_000)
    assert page.evaluate("() => window.__xss") == 0
    assert page.evaluate("() => window.deep('.wbnb-run-header img, .wbnb-curves img').length") == 0
    # finish() shows its summary in the cell's output, as HTML (the title is text too).
    page.get_by_text(re.compile(r"\(live/\w+\) finished")).first.wait_for(timeout=60_000)

    store = LocalStore(notebook.root / "wbnb-runs")
    (meta,) = store.runs("live")
    assert meta["metadata"]["environment"] == "marimo"
    assert meta["metadata"]["program"] == str(notebook.root / NOTEBOOK.name)
    lines = [r.get("line") for r in store.records("live", meta["id"], "console")[0]]
    assert "training done" in lines, lines  # console capture under marimo's stdout
    assert not notebook.errors, notebook.errors


@pytest.mark.timeout(300)
def test_every_widget_renders_and_answers_the_page(notebook: Notebook) -> None:
    page = notebook.page
    # The panel's cells mount their views once near the screen.
    for cell in ("gallery:samples", "histograms:weights"):
        page.locator(f".wbnb-dash-cell[data-cell='{cell}']").scroll_into_view_if_needed(timeout=60_000)
        page.locator(f".wbnb-dash-cell[data-cell='{cell}'] .wbnb-widget").wait_for(timeout=60_000)
    # Gallery (alone and in the panel): images fetched from the kernel as binary buffers.
    images = "() => window.deep('.wbnb-gallery figure img').map(i => i.complete ? i.naturalWidth : 0)"
    wait_for(lambda: page.evaluate(images) == [16, 16], 60, "both galleries' images")
    gallery = page.locator(".wbnb-gallery").first
    assert gallery.locator("figcaption").first.inner_text() == "shade 250"  # the newest step first
    gallery.locator(".wbnb-step-slider").fill("0")
    gallery.locator("figcaption", has_text="shade 0").wait_for(timeout=60_000)

    # ConfusionMatrix: the counts of the last step, on the canvas.
    confusion = page.locator(".wbnb-confusion").first
    panel = confusion.locator(".wbnb-panel canvas").first
    panel.wait_for(timeout=60_000)
    texts = confusion.evaluate("el => el.__wbnb.cellTexts(Number(el.querySelector('.wbnb-panel').dataset.id))")
    assert texts == [["1", "1", "0"], ["0", "2", "1"], ["0", "0", "1"]]

    # Histograms (alone, through mo.ui.anywidget, and in the panel): three steps on one grid.
    grids = page.locator('.wbnb-histograms .wbnb-panel[data-key="weights"][data-rows="3"] canvas')
    wait_for(lambda: grids.count() == 2, 60, "both histograms' grids")

    # System and the panel's curves: charts with their points once in view.
    system = page.locator(".wbnb-curves", has_text="CPU/cpu_percent").first
    system.scroll_into_view_if_needed()
    wait_for(lambda: _points(page, "CPU/cpu_percent") >= 2, 60, "the system chart's points")
    header = page.locator(".wbnb-run-header", has_text="media").filter(has_text="finished")
    header.wait_for(timeout=60_000)
    page.locator(".wbnb-dash-cell[data-cell='curves:loss']").last.scroll_into_view_if_needed()  # the panel's
    wait_for(lambda: _points(page, "loss") == 3, 60, "the panel's loss chart")

    # RunTable: its row; selecting it reaches the kernel, which reruns the cell reading it.
    row = page.locator(".wbnb-table .wbnb-row", has_text="media")
    row.wait_for(timeout=60_000)
    assert page.locator(".wbnb-table .wbnb-row").count() == 1
    row.click()
    wait_for(lambda: _console_has(page, "selected: ['media']"), 60, "the selection to reach the kernel")

    # Each widget's stylesheet reaches the shadow root marimo renders it in.
    bars = page.evaluate("() => window.deep('.wbnb-bar, .wbnb-tbar').map(b => getComputedStyle(b).display)")
    assert len(bars) >= 10 and set(bars) == {"flex"}, bars
    assert not notebook.errors, notebook.errors


@pytest.mark.timeout(300)
def test_a_chart_cell_run_again_draws_again(notebook: Notebook) -> None:
    """marimo closes the comms a cell made when it runs again, the shared vega loader's
    among them if that cell made it first: the new chart must still get one."""
    page = notebook.page
    page.evaluate("() => window.deep('.wbnb-curves').forEach(el => { el.__old = true; })")
    cell = page.locator(".marimo-cell", has_text="System(media)")
    cell.scroll_into_view_if_needed()
    cell.hover()
    cell.locator("[data-testid=run-button]:not([disabled])").click()
    shown = """() => {
      const el = window.deep('.wbnb-curves').find(e => !e.__old && e.__wbnb?.charts.has('CPU/cpu_percent'));
      el?.scrollIntoView();  // a chart out of view keeps its changes for later
      return !!el;
    }"""
    wait_for(lambda: page.evaluate(shown), 60, "the cell run again to show its System")
    wait_for(lambda: _points(page, "CPU/cpu_percent") >= 2, 60, "the chart of the cell run again to draw")
    assert not notebook.errors, notebook.errors
