"""The product as a user meets it: JupyterLab 4 and Notebook 7 on 127.0.0.1, driven by
Debian's Chromium through Playwright. The curve must move while the training cell runs."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.jupyter_server import jupyter_server, open_notebook, output_has, rerun_until, write_notebook
from tests.waiting import wait_for
from tests.widgets.harness import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STEPS = 400
XSS = "<img src=x onerror=window.__xss=1>"

CELLS = [
    f"import time, wbnb\nrun = wbnb.init(project='e2e', name={XSS!r}, settings={{'system_interval': 0}})",
    f"for i in range({STEPS}):\n"
    "    wbnb.log({'train/loss': 1 / (i + 1), 'train/acc': i / 400})\n"
    "    time.sleep(0.01)\n"
    "print('training done')",
    "wbnb.finish()",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    pytest.importorskip("jupyterlab")
    pytest.importorskip("playwright")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (tests/run_all.sh installs it)")
    root = tmp_path_factory.mktemp("lab")
    with jupyter_server(root, {"WBNB_DIR": str(root / "wbnb-runs"), "WBNB_CONSOLE": "0"}) as base:
        yield base, root


@pytest.fixture(scope="module")
def browser(server: tuple[str, Path], chromium: Any) -> Any:
    return chromium


def _points(page: Any) -> dict[str, int]:
    """key -> points drawn, over every Curves view on the page (the run panel mounts one per key)."""
    return page.evaluate("""() => {
        const out = {};
        for (const el of document.querySelectorAll('.wbnb-curves')) {
            if (!el.__wbnb) continue;
            for (const [k, c] of el.__wbnb.charts) {
                out[k] = Math.max(out[k] ?? 0, c.view ? c.view.data('points').length : 0);
            }
        }
        return out;
    }""")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("app", ["lab", "notebooks"])
def test_live_curves_move_while_the_cell_runs(server: tuple[str, Path], browser: Any, app: str) -> None:
    base, root = server
    name = f"live-{app}.ipynb"
    write_notebook(root / name, CELLS)

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script("window.__xss = 0")
    open_notebook(page, base, name, app)
    page.keyboard.press("Shift+Enter")  # init: the live panel appears in the output
    page.wait_for_selector(".wbnb-dashboard .wbnb-run-header", timeout=120_000)

    page.keyboard.press("Shift+Enter")  # the training loop
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = output_has(page, "training done")
        if done:
            break
        counts = _points(page)
        total = counts.get("train/loss", 0)
        if not seen or total != seen[-1]:
            seen.append(total)
        time.sleep(0.1)
    assert done, "the training cell did not finish"
    ARTIFACTS.mkdir(exist_ok=True)
    rises = sum(1 for a, b in zip(seen, seen[1:]) if b > a)
    assert rises >= 3, f"the curve's point count rose only {rises} times while the cell ran: {seen}"

    page.keyboard.press("Shift+Enter")  # finish
    # exactly the logged steps, in every chart (each panel's view draws at its own frames)
    wait_for(lambda: _points(page) == {"train/acc": STEPS, "train/loss": STEPS}, 60, "every step drawn")

    text = page.locator(".wbnb-curves").first.inner_text()
    assert XSS in text, "the run name is shown as literal text"
    assert page.evaluate("() => window.__xss") == 0 and page.locator(".wbnb-dashboard img").count() == 0
    # The panel's output also holds its static SVG (for saved notebooks); with a kernel the
    # widget renderer (rank -10) wins over the SVG one (80), before and after finish().
    assert page.locator(".jp-RenderedSVG").count() == 0
    page.screenshot(path=str(ARTIFACTS / f"e2e-{app}-live-curves.png"), full_page=True)
    (ARTIFACTS / f"e2e-{app}-counts.json").write_text(json.dumps(seen))
    page.close()


MEDIA_CELLS = [
    "import numpy as np, wbnb\n"
    "run = wbnb.init(project='media', settings={'system_interval': 0, 'live_panel': False})\n"
    "for step, shade in enumerate((0, 120, 250)):\n"
    "    img = np.full((16, 16, 3), shade, dtype=np.uint8)\n"
    "    wbnb.log({'samples': [wbnb.Image(img, caption=f'shade {shade}')],\n"
    "              'cm': wbnb.plot.confusion_matrix(y_true=[0, 0, 1, 1, 1, 2], preds=[0, 1, 1, 1, 2, 2],\n"
    "                                                class_names=['cat', 'dog', 'bird'])})\n"
    "run.finish(quiet=True)",
    "from wbnb.widgets import Gallery\nGallery(run)",
    "from wbnb.widgets import ConfusionMatrix\nConfusionMatrix(run)",
]


@pytest.mark.timeout(600)
def test_gallery_slider_and_confusion_counts_in_jupyterlab(server: tuple[str, Path], browser: Any) -> None:
    base, root = server
    write_notebook(root / "media.ipynb", MEDIA_CELLS)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    open_notebook(page, base, "media.ipynb")
    for _ in MEDIA_CELLS:
        page.keyboard.press("Shift+Enter")
    page.wait_for_function("() => document.querySelectorAll('.wbnb-gallery figure img').length === 1", timeout=120_000)
    src = lambda: page.locator(".wbnb-gallery figure img").first.get_attribute("src")
    caption = lambda: page.locator(".wbnb-gallery figcaption").first.inner_text()
    assert caption() == "shade 250"  # the newest step first
    last = src()
    page.locator(".wbnb-gallery .wbnb-step-slider").fill("0")
    page.wait_for_function(
        "() => document.querySelector('.wbnb-gallery figcaption')?.innerText === 'shade 0'", timeout=60_000
    )
    assert src() != last  # the slider brought another image, fetched from the kernel

    page.wait_for_selector(".wbnb-confusion .wbnb-panel canvas", timeout=120_000)
    panel = page.locator(".wbnb-confusion .wbnb-panel").first.get_attribute("data-id")
    texts = page.evaluate(f"() => document.querySelector('.wbnb-confusion').__wbnb.cellTexts({panel})")
    assert texts == [["1", "1", "0"], ["0", "2", "1"], ["0", "0", "1"]]
    assert page.locator(".jp-RenderedSVG").count() == 0  # the live views, not their static pictures
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-lab-gallery-confusion.png"), full_page=True)
    page.close()


def _saved_picture(page: Any, path: Path) -> str:
    """Save the notebook from the page (Ctrl+S) and return the SVG its first cell's output holds."""
    saved = path.stat().st_mtime_ns
    page.keyboard.press("Control+s")
    start = time.monotonic()
    deadline, pressed = start + 60, start
    while True:
        # The server writes the file in place: it can be read half-written, so read until it parses.
        if path.stat().st_mtime_ns != saved:
            try:
                nb = json.loads(path.read_text())
            except json.JSONDecodeError:
                nb = None
            if nb is not None:
                svgs = [
                    "".join(o["data"]["image/svg+xml"])
                    for o in nb["cells"][0]["outputs"]
                    if "image/svg+xml" in o.get("data", {})
                ]  # saved as a list of lines
                assert len(svgs) == 1, f"expected one saved picture, found {len(svgs)}"
                return svgs[0]
        now = time.monotonic()
        assert now < deadline, f"{path.name} was not saved within 60 s (Ctrl+S pressed every 15 s)"
        if now - pressed > 15:  # a loaded machine can drop the keystroke: press again
            page.keyboard.press("Control+s")
            pressed = now
        time.sleep(0.2)


def _saved_picture_when(page: Any, path: Path, done: Callable[[str], bool], timeout: float = 120) -> str:
    """Save again and again until the saved picture satisfies ``done`` (the kernel redraws
    the output's picture a moment after the page has drawn), and return it."""
    svg = ""

    def saved_and_done() -> bool:
        nonlocal svg
        svg = _saved_picture(page, path)
        return done(svg)

    try:
        wait_for(saved_and_done, timeout, f"the picture saved in {path.name} to be the final one")
    except AssertionError as e:
        raise AssertionError(f"{e}; the last one saved: {svg[:2000]!r}") from None
    return svg


VIEW_CELLS = [
    "import wbnb\n"
    "run = wbnb.init(project='view', settings={'system_interval': 0, 'live_panel': False, 'silent': True})\n"
    "for i in range(300):\n"
    "    wbnb.log({'loss': 1 / (i + 1) + 0.05 * (i % 2)})\n"
    "from wbnb.widgets import Curves\n"
    "curves = Curves(run)\n"
    "curves",
    "print('view:', curves.log_y, curves.smoothing)",
    "run.finish()\nprint('finished')",
]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("app", ["lab", "notebooks"])
def test_the_saved_picture_shows_the_view_the_viewer_chose(server: tuple[str, Path], browser: Any, app: str) -> None:
    base, root = server
    path = root / f"view-{app}.ipynb"
    write_notebook(path, VIEW_CELLS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, base, path.name, app)
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "() => { const c = document.querySelector('.wbnb-curves')?.__wbnb?.charts.get('loss');"
        " return !!(c && c.view); }",
        timeout=120_000,
    )
    page.evaluate("() => { document.querySelector('.wbnb-curves').__kept = true; }")
    _assert_pictures_hidden(page)
    page.locator(".wbnb-curves .wbnb-bar input[type=checkbox]").check()
    page.locator(".wbnb-curves .wbnb-bar input[type=range]").fill("0.6")
    rerun_until(page, 1, lambda out: "view: True 0.6" in out)  # the kernel has the viewer's choice
    # A choice changes the view in place: the output is not rendered anew (its element stays).
    assert page.evaluate("() => document.querySelector('.wbnb-curves').__kept === true")
    page.locator(".jp-Notebook .jp-Cell .cm-content:visible").nth(2).click()
    page.keyboard.press("Shift+Enter")  # finish(): the output's picture is the final one, as the viewer left it
    page.locator(".jp-OutputArea-output", has_text="finished").wait_for(timeout=120_000)
    # The faint raw line and the smoothed one, on a log scale.
    _saved_picture_when(page, path, lambda svg: "log, smoothed 0.6" in svg and svg.count("<polyline") == 2)
    # finish() redrew the picture output only: the live view was not rendered anew.
    assert page.evaluate("() => document.querySelector('.wbnb-curves').__kept === true")
    _assert_pictures_hidden(page)
    page.close()


def _assert_pictures_hidden(page: Any) -> None:
    """One thing shows per widget: each picture output after a live view is in the page, hidden."""
    pictures = page.locator(".wbnb-picture")
    assert pictures.count() >= 1
    assert not any(pictures.nth(i).is_visible() for i in range(pictures.count()))


SLOW_CELLS = [
    "import time, wbnb\n"
    "from wbnb.widgets import Curves, feed\n"
    "with wbnb.init(project='slow', settings={'system_interval': 0, 'live_panel': False, 'silent': True}) as run:\n"
    "    for i in range(300):\n"
    "        wbnb.log({'loss': 1 / (i + 1)})\n"
    "read = feed.Feed._read_history\n"
    "feed.Feed._read_history = lambda self: (time.sleep(1.0), read(self))[1]  # a history that takes a while\n"
    "Curves.load_budget = 0.0\n"
    "Curves(f'slow/{run.id}')",
]


@pytest.mark.timeout(600)
def test_a_history_read_behind_the_cell_redraws_the_saved_picture(server: tuple[str, Path], browser: Any) -> None:
    base, root = server
    path = root / "slow.ipynb"
    write_notebook(path, SLOW_CELLS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, base, path.name)
    page.keyboard.press("Shift+Enter")
    page.get_by_text("Loading the history…").wait_for(timeout=120_000)  # the cell did not wait for it
    page.wait_for_function(
        "() => { const c = document.querySelector('.wbnb-curves')?.__wbnb?.charts.get('loss');"
        " return !!(c && c.view && c.view.data('points').length === 300); }",
        timeout=120_000,
    )
    # The kernel redraws the output's picture once the history is in.
    _saved_picture_when(page, path, lambda svg: "<polyline" in svg and "loading the history" not in svg)
    page.close()


TABLE_CELLS = [
    "import wbnb\n"
    "for name, lr, acc in [('alpha', 0.1, 0.7), ('beta', 0.01, 0.9), ('gamma', 0.001, 0.8)]:\n"
    "    with wbnb.init(project='tbl', name=name, config={'lr': lr}, tags=['base'] if lr > 0.005 else [],\n"
    "                   settings={'system_interval': 0, 'live_panel': False, 'silent': True}):\n"
    "        wbnb.log({'acc': acc})",
    "%load_ext wbnb\n%wbnb runs tbl --sort name",
    "from wbnb.widgets import RunTable\ntable = RunTable('tbl', sort='name')\ntable",
    "print('selected:', [wbnb.Api().run(f'tbl/{i}').name for i in table.selected])",
    "import re\nprint('pictured:', re.findall(r'>(alpha|beta|gamma)<', table.to_svg()))",
]

NAMES_JS = """() => {
  const table = document.querySelector('.wbnb-table');  // the first table on the page
  const heads = [...table.querySelectorAll('.wbnb-th')];
  const col = heads.findIndex(th => th.dataset.key === 'name');
  return [...table.querySelectorAll('.wbnb-row')]
    .sort((a, b) => a.offsetTop - b.offsetTop).map(r => r.children[col].textContent);
}"""


@pytest.mark.timeout(600)
def test_run_table_sorts_filters_and_hides_columns_in_jupyterlab(server: tuple[str, Path], browser: Any) -> None:
    base, root = server
    write_notebook(root / "table.ipynb", TABLE_CELLS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, base, "table.ipynb")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("() => document.querySelectorAll('.wbnb-table .wbnb-row').length === 3", timeout=120_000)
    names = lambda: page.evaluate(NAMES_JS)
    assert names() == ["alpha", "beta", "gamma"]  # --sort name
    page.click(".wbnb-th[data-key='summary.acc']")
    assert names() == ["alpha", "gamma", "beta"]  # ascending accuracy
    page.click(".wbnb-th[data-key='summary.acc']")
    assert names() == ["beta", "gamma", "alpha"]  # again: reversed
    page.locator(".wbnb-filter").fill("tags has base and config.lr < 0.05")
    page.wait_for_function("() => document.querySelectorAll('.wbnb-table .wbnb-row').length === 1")
    assert names() == ["beta"]
    page.locator(".wbnb-filter").fill("")
    page.locator(".wbnb-colsbtn").first.click()
    page.locator(".wbnb-citem[data-key='state'] input").first.uncheck()
    assert page.locator(".wbnb-table").first.locator(".wbnb-th[data-key='state']").count() == 0
    # Selecting a row in the second table reaches Python: the next cell reads it.
    page.keyboard.press("Escape")
    page.locator(".jp-Cell .cm-content:visible").nth(2).click()
    page.keyboard.press("Shift+Enter")
    second = page.locator(".wbnb-table").nth(1)
    second.locator(".wbnb-row").first.wait_for(timeout=60_000)
    second.locator(".wbnb-row", has_text="gamma").click()
    rerun_until(page, 3, lambda out: "selected: ['gamma']" in out)  # the selection reached the kernel
    # What the page shows reached the kernel too: the picture draws its order (not newest first).
    rerun_until(page, 4, lambda out: "pictured: ['alpha', 'beta', 'gamma']" in out)
    page.screenshot(path=str(ARTIFACTS / "e2e-lab-run-table.png"), full_page=True)
    page.close()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("app", ["lab", "notebooks"])
def test_a_saved_notebook_opened_untrusted_shows_its_pictures(server: tuple[str, Path], browser: Any, app: str) -> None:
    """A notebook file from elsewhere (not signed here: untrusted) shows each widget's picture:
    JupyterLab renders its HTML sanitised, and the sanitiser keeps an ``<img>``'s data: source."""
    import nbformat

    from wbnb.widgets.pictures.show import LIVE_NOTE, picture_bundle
    from wbnb.widgets.pictures.svg import Picture, text

    base, root = server
    path = root / f"untrusted-{app}.ipynb"
    write_notebook(path, ["Curves(run)"])
    nb = nbformat.read(path, as_version=4)
    view = {"model_id": "0" * 32, "version_major": 2, "version_minor": 1}
    nb.cells[0].outputs = [
        nbformat.v4.new_output(
            "display_data",
            {"application/vnd.jupyter.widget-view+json": view, "text/plain": f"wbnb Curves ({LIVE_NOTE})"},
        ),
        nbformat.v4.new_output("display_data", picture := picture_bundle(Picture(240, 80, text(8, 40, app)).markup())),
    ]
    nbformat.write(nb, path)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    open_notebook(page, base, path.name, app)
    # This notebook's picture (JupyterLab keeps notebooks opened before as background tabs).
    src = picture["text/html"].split('src="')[1].split('"')[0]
    image = page.locator(f'.jp-OutputArea-output .wbnb-picture img[src="{src}"]')
    image.wait_for(timeout=60_000)
    wait_for(lambda: image.evaluate("i => i.complete && i.naturalWidth > 0"), 30, "the picture loaded")
    box = image.bounding_box()
    assert image.is_visible() and box is not None and box["height"] > 0
    # Untrusted indeed: the view's output shows its text, no widget renderer was tried.
    outputs = page.locator(".jp-OutputArea", has=image).locator(".jp-OutputArea-output")
    assert outputs.first.inner_text().strip() == f"wbnb Curves ({LIVE_NOTE})"
    page.close()
