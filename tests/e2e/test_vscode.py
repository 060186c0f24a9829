"""The widgets under VS Code's widget manager: the bundle VS Code's Jupyter extension
renders ipywidgets with (@vscode/jupyter-ipywidgets8), on requirejs, loading anywidget
from the kernel environment's nbextension as VS Code does for a local kernel, in Debian's
Chromium. The page (tests/e2e/vscode/host.js) stands in for VS Code's webview and
extension host: it lays each output out in VS Code's output DOM (read from its source,
see host.js) and talks to a real kernel through a Jupyter server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.jupyter_server import TOKEN, jupyter_server
from tests.waiting import wait_for
from tests.widgets.harness import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# The version of VS Code's Jupyter extension's widget manager; fetched as its one file
# (`npm pack`): its package lists JupyterLab's front end as dependencies, which the
# bundle already holds.
VSCODE_WIDGETS = "@vscode/jupyter-ipywidgets8@1.0.9"
# Its tarball's hash as the registry published it (what package-lock.json would pin).
VSCODE_WIDGETS_INTEGRITY = (
    "sha512-bocCThfa4JDIDd7qCFAfW3HpzHfTLYxOTpTbiDfw4DXOUjKHnr6ObkMBiIkuzYPRybh5bY4FhYLemuDuTvIbpQ=="
)
CACHE = ROOT / "node_modules" / ".cache" / "wbnb-e2e"
XSS = "<img src=x onerror=window.__xss=1>"
HTML = """<!doctype html>
<html><head><meta charset="utf-8"><title>VS Code stand-in</title>
<script src="require.js"></script><script type="module" src="host.js"></script></head>
<body style="width: 1300px"></body></html>
"""


def _vscode_widgets() -> Path:
    """VS Code's widget manager bundle, from the npm registry (cached under node_modules)."""
    bundle = CACHE / "vscode-ipywidgets8" / "ipywidgets.js"
    if bundle.exists():
        return bundle
    CACHE.mkdir(parents=True, exist_ok=True)
    got = subprocess.run(
        ["npm", "pack", VSCODE_WIDGETS, "--pack-destination", str(CACHE)], cwd=ROOT, capture_output=True, text=True
    )
    if got.returncode:
        pytest.fail(f"cannot fetch {VSCODE_WIDGETS} from the npm registry: {got.stderr.strip()[-500:]}")
    packed = got.stdout.split()[-1]
    digest = hashlib.sha512((CACHE / packed).read_bytes()).digest()
    if f"sha512-{base64.b64encode(digest).decode()}" != VSCODE_WIDGETS_INTEGRITY:
        pytest.fail(f"{VSCODE_WIDGETS} from the registry is not the tarball pinned in {__name__}")
    unpacked = CACHE / "unpacked"
    shutil.rmtree(unpacked, ignore_errors=True)
    unpacked.mkdir()
    subprocess.run(["tar", "xzf", str(CACHE / packed), "-C", str(unpacked)], check=True)
    bundle.parent.mkdir(exist_ok=True)
    shutil.copy(unpacked / "package" / "dist" / "ipywidgets.js", bundle)
    shutil.rmtree(unpacked)
    (CACHE / packed).unlink()
    return bundle


def _site(site: Path) -> None:
    """The page, its scripts, and the kernel environment's anywidget nbextension."""
    from jupyter_core.paths import jupyter_path

    site.mkdir(parents=True)
    (site / "host.html").write_text(HTML)
    shutil.copy(_vscode_widgets(), site / "ipywidgets.js")
    shutil.copy(ROOT / "node_modules" / "requirejs" / "require.js", site / "require.js")
    subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "esbuild"),
            str(Path(__file__).parent / "vscode" / "host.js"),
            "--bundle",
            "--format=esm",
            f"--outfile={site / 'host.js'}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        check=True,
    )
    found = [
        Path(p) / "anywidget" for p in jupyter_path("nbextensions") if (Path(p) / "anywidget" / "index.js").exists()
    ]
    assert found, "anywidget's nbextension is not installed (pip install anywidget puts it in share/jupyter)"
    shutil.copytree(found[0], site / "nbextensions" / "anywidget")


@pytest.fixture(scope="module")
def vscode(tmp_path_factory: pytest.TempPathFactory, chromium: Any) -> Iterator[Any]:
    """A page with VS Code's widget manager and a kernel of its own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (tests/run_all.sh installs it)")
    root = tmp_path_factory.mktemp("vscode")
    _site(root / "static" / "wbnb-vscode")  # served at /static/ (the server's /files/ are sandboxed)
    env = {"WBNB_DIR": str(root / "wbnb-runs"), "WBNB_CONSOLE": "0"}
    with jupyter_server(root, env, (f"--ServerApp.extra_static_paths={root / 'static'}",)) as base:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/static/wbnb-vscode/host.html?token={TOKEN}")
        page.wait_for_function("() => !!window.wbnbHost")
        page.evaluate(
            "([b, t]) => wbnbHost.start(b, t, '/static/wbnb-vscode/ipywidgets.js', '/static/wbnb-vscode/nbextensions')",
            [base, TOKEN],
        )
        page.errors = errors
        yield page
        page.evaluate("() => wbnbHost.kernel.shutdown()")
        page.close()


def _run(page: Any, code: str) -> str:
    return page.evaluate("code => wbnbHost.run(code)", code)


def _no_errors(page: Any) -> None:
    assert page.evaluate("() => wbnbHost.errors") == [] and page.errors == []


@pytest.mark.timeout(600)
def test_curves_draw_and_follow_a_live_run_under_vscode_widget_manager(vscode: Any) -> None:
    page = vscode
    _run(
        page,
        "import wbnb\n"
        f"run = wbnb.init(project='vsc', name={XSS!r}, settings={{'system_interval': 0, 'live_panel': False}})\n"
        "for i in range(200):\n"
        "    wbnb.log({'train/loss': 1 / (i + 1), 'train/acc': i / 200})\n"
        "from wbnb.widgets import Curves\n"
        "curves = Curves(run)\n"
        "display(curves)",
    )
    points = """() => { const el = document.querySelector('.wbnb-curves');
        if (!el || !el.__wbnb) return {};
        const out = {};
        for (const [k, c] of el.__wbnb.charts) out[k] = c.view ? c.view.data('points').length : 0;
        return out; }"""
    page.wait_for_function(
        f"() => {{ const p = ({points})(); return p['train/loss'] === 200 && p['train/acc'] === 200; }}", timeout=60_000
    )
    # The run's name is text, in the legend: nothing ran.
    assert page.locator(".wbnb-curves .wbnb-legend-item").all_inner_texts() == [XSS]
    assert page.evaluate("() => window.__xss") is None
    # Live: rows logged now arrive as deltas (custom messages with binary buffers).
    _run(
        page,
        "for i in range(200, 350):\n    wbnb.log({'train/loss': 1 / (i + 1), 'train/acc': i / 350})\ncurves.flush()",
    )
    page.wait_for_function(f"() => ({points})()['train/loss'] === 350", timeout=60_000)
    assert page.evaluate("() => document.querySelector('.wbnb-curves').__wbnb.channel.applied") >= 1
    # A viewer's choice reaches the kernel through VS Code's comm.
    page.locator(".wbnb-curves .wbnb-bar input[type=checkbox]").check()
    wait_for(lambda: "True" in _run(page, "print(curves.log_y)"), 30, "log_y in the kernel")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "vscode-curves.png"), full_page=True)
    _no_errors(page)


def _curve_points(output: Any) -> dict[str, int]:
    """key -> points drawn, over every Curves view inside one cell's output (the run panel
    mounts one per key, and its Curves settings bar is a `.wbnb-curves` root with no charts)."""
    return output.evaluate("""out => { const pts = {};
        for (const el of out.querySelectorAll('.wbnb-curves')) {
            if (!el.__wbnb) continue;
            for (const [k, c] of el.__wbnb.charts) {
                pts[k] = Math.max(pts[k] ?? 0, c.view ? c.view.data('points').length : 0);
            }
        }
        return pts; }""")


def _last_output(page: Any) -> Any:
    """The output of the last cell run, fixed (``.last`` would move with the next cell)."""
    return page.locator(".cell_container").nth(page.locator(".cell_container").count() - 1)


@pytest.mark.timeout(600)
def test_the_live_panel_and_the_run_table_under_vscode_widget_manager(vscode: Any) -> None:
    page = vscode
    _run(
        page,
        "import wbnb\n"
        "for lr in (0.1, 0.01, 0.001):\n"
        "    with wbnb.init(project='vsc-table', name=f'lr-{lr}', config={'lr': lr},\n"
        "                   settings={'system_interval': 0, 'live_panel': False}):\n"
        "        for i in range(50):\n"
        "            wbnb.log({'loss': lr / (i + 1)})",
    )
    # init() in a notebook kernel shows the run's live panel (one anywidget mounting its parts' views).
    _run(
        page,
        "run = wbnb.init(project='vsc-live', name='live one', settings={'system_interval': 0})\n"
        "for i in range(100):\n"
        "    wbnb.log({'loss': 1 / (i + 1)})",
    )
    panel = _last_output(page)
    panel.locator(".wbnb-run-header", has_text="live one").wait_for(timeout=60_000)
    wait_for(lambda: _curve_points(panel).get("loss") == 100)
    _run(page, "run.finish()")
    panel.locator(".wbnb-run-header", has_text="finished").wait_for(timeout=60_000)
    # The run table: a filter expression, then a selected row reaches the kernel.
    _run(page, "from wbnb.widgets import RunTable\ntable = RunTable('vsc-table')\ndisplay(table)")
    table = _last_output(page)
    rows = table.locator(".wbnb-row")
    wait_for(lambda: rows.count() == 3)
    table.locator(".wbnb-filter").fill("config.lr < 0.05")
    wait_for(lambda: rows.count() == 2)
    rows.nth(0).click()
    wait_for(
        lambda: (
            _run(
                page, "print(len(table.selected), table.selected_runs()[0].config['lr'] if table.selected else '')"
            ).split()
            in (["1", "0.01"], ["1", "0.001"])
        )
    )
    page.screenshot(path=str(ARTIFACTS / "vscode-panel-and-table.png"), full_page=True)
    _no_errors(page)


@pytest.mark.timeout(600)
def test_gallery_images_travel_as_buffers_under_vscode_widget_manager(vscode: Any) -> None:
    """The page asks the kernel for the images it shows (a custom message up) and gets their
    bytes as binary buffers (down); the slider asks again."""
    page = vscode
    _run(
        page,
        "import numpy as np, wbnb\n"
        "run = wbnb.init(project='vsc-media', name='pics', settings={'system_interval': 0, 'live_panel': False})\n"
        "for s in range(4):\n"
        "    run.log({'samples': [wbnb.Image(np.full((8, 8, 3), 60 * s + 20 * i, dtype=np.uint8),\n"
        "                                    caption=f's{s} i{i}') for i in range(2)]}, step=s)\n"
        "run.finish()\n"
        "from wbnb.widgets import Gallery\n"
        "gallery = Gallery(run)\n"
        "display(gallery)",
    )
    out = _last_output(page)
    captions = out.locator(".wbnb-gallery figcaption")
    wait_for(lambda: captions.all_inner_texts() == ["s3 i0", "s3 i1"])
    expected = _run(
        page,
        "import base64\n"
        "print(' '.join(base64.b64encode(run._store.media(r['path'])).decode()\n"
        "               for r in gallery.index.images(0, 'samples', 1)))",
    ).split()
    out.locator(".wbnb-step-slider").fill("1")
    wait_for(lambda: captions.all_inner_texts() == ["s1 i0", "s1 i1"])
    shown = out.evaluate("""async (el) => {
        const res = [];
        for (const img of el.querySelectorAll('.wbnb-gallery figure img')) {
            const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
            let s = ''; for (const b of buf) s += String.fromCharCode(b);
            res.push(btoa(s));
        }
        return res; }""")
    assert shown == expected and len(shown) == 2
    _no_errors(page)


@pytest.mark.timeout(600)
def test_the_picture_output_is_hidden_after_a_live_view_and_shown_without_one_under_vscode(vscode: Any) -> None:
    """A widget is two outputs, its view then its picture (wbnb/widgets/pictures/show.py); in
    VS Code's output DOM the shared sheet hides the picture after a rendered view, and only there."""
    page = vscode
    _run(
        page,
        "import wbnb\n"
        "run = wbnb.init(project='vsc-picture', settings={'system_interval': 0, 'live_panel': False})\n"
        "for i in range(20):\n"
        "    wbnb.log({'loss': 1 / (i + 1)})\n"
        "from wbnb.widgets import Curves\n"
        "curves = Curves(run)\n"
        "display(curves)",
    )
    out = _last_output(page)
    out.locator(".wbnb-curves").wait_for(timeout=60_000)
    picture = out.locator(".output_container .wbnb-picture")
    assert picture.count() == 1 and not picture.is_visible()
    # finish() redraws the picture output in place (its display id); it stays hidden, the view stays.
    picture.locator("img").evaluate("img => { img.__old = true; }")
    _run(page, "run.finish()")
    wait_for(lambda: picture.locator("img").evaluate("img => !img.__old"), 60, "the picture redrawn at finish")
    assert not picture.is_visible() and out.locator(".wbnb-curves").is_visible()
    # A view that cannot render (VS Code then shows the output's next mime type, text/plain):
    # its picture shows, loaded.
    _run(
        page,
        "from wbnb.widgets.pictures.show import picture_bundle\n"
        "view = {'model_id': 'gone', 'version_major': 2, 'version_minor': 1}\n"
        "display({'application/vnd.jupyter.widget-view+json': view, 'text/plain': 'wbnb Curves'}, raw=True)\n"
        "display(picture_bundle(curves.to_svg()), raw=True)",
    )
    alone = _last_output(page).locator(".wbnb-picture img")
    alone.wait_for(timeout=30_000)
    wait_for(lambda: alone.evaluate("img => img.complete && img.naturalWidth > 0"), 30, "the picture loaded")
    box = alone.bounding_box()
    assert alone.is_visible() and box is not None and box["height"] > 0
    assert [e.split(":")[0] for e in page.evaluate("() => wbnbHost.errors.splice(0)")] == ["cannot render gone"]
    _no_errors(page)
