"""A notebook executed headlessly (nbclient saves its widget state) shows each widget's
final picture in ``nbconvert --to html``, with no option: issue 18, item 5. The README's
main job, exactly as the README runs it, then converted, shows its charts in Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELLS = [
    "import os\nos.environ.update(WBNB_SYSTEM_INTERVAL='0', WBNB_CONSOLE='0')\nimport wbnb\n"
    "run = wbnb.init(project='pictures', name='<b>run</b>')\n"
    "for i in range(20):\n    run.log({'loss': 1 / (i + 1)})",
    "run.finish()",
]


def _pictures(html: str) -> list[str]:
    """The SVGs shown in the page's picture outputs (each a base64 <img> in its wrapper)."""
    found = re.findall(
        r'<div class="wbnb-picture"><img alt="wbnb picture" src="data:image/svg\+xml;base64,([^"]+)"', html
    )
    return [base64.b64decode(b).decode() for b in found]


@pytest.mark.timeout(300)
def test_nbconvert_html_of_a_notebook_with_widget_state_shows_the_final_pictures(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    NotebookClient(nb, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    views = [o for o in nb.cells[0].outputs if WIDGET_VIEW in o.get("data", {})]
    assert views and all("image/svg+xml" not in o["data"] for o in views)  # the picture is its own output
    # Where only a view's text shows (an untrusted notebook), the picture still shows below it.
    assert all(o["data"]["text/plain"] == "wbnb RunPanel (run the notebook to see it live)" for o in views)
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert "widget-state+json" in path.read_text()
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(path)], check=True, timeout=240)
    shown = _pictures(path.with_suffix(".html").read_text())
    assert len(shown) == len(views)  # one picture per widget view, none dropped for the saved state
    # finish() replaced the pictures taken at init (no points yet) with the final ones.
    assert all("loss" in svg and ">19<" in svg for svg in shown)
    assert all("&lt;b&gt;run&lt;/b&gt;" in svg and "<b>" not in svg for svg in shown)


@pytest.mark.timeout(900)
def test_the_readme_main_job_converted_to_html_shows_its_charts(tmp_path: Path, chromium: Any) -> None:
    """README: ``jupyter execute notebooks/quickstart.ipynb --output quickstart-run``, then
    ``jupyter nbconvert --to html``: every widget's picture is in the page, with no style of
    wbnb's in it to hide one, and Chromium shows each one loaded (offline: the page's widget
    manager from a CDN never loads)."""
    shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WBNB_") or k == "WBNB_CONFIG_DIR"}
    jupyter = [sys.executable, "-m", "jupyter"]
    subprocess.run(
        [*jupyter, "execute", "quickstart.ipynb", "--output", "quickstart-run"],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=840,
    )
    executed = tmp_path / "quickstart-run.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]  # the state is saved
    views = [o for c in nb.cells for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
    subprocess.run(
        [*jupyter, "nbconvert", "--to", "html", executed.name], cwd=tmp_path, env=env, check=True, timeout=240
    )
    page_path = executed.with_suffix(".html")
    html = page_path.read_text()
    shown = _pictures(html)
    assert views and len(shown) == len(views)
    # The charts: the run panel's curves and the media it logged after init() (the panel gains
    # a part for each new kind), final (the header says so).
    charts = ("train/loss", "val/loss", "val/acc", "val/mistakes", "val/confusion", "val/weights", "· finished ·")
    assert any(all(k in svg for k in charts) for svg in shown), [svg[:300] for svg in shown]
    # No stylesheet in the page names wbnb (its sheet comes with a rendered view, never here).
    assert not any("wbnb" in css for css in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    try:
        page.goto(page_path.as_uri())
        images = page.locator(".wbnb-picture img")
        assert images.count() == len(views)
        wait_for(
            lambda: page.evaluate("() => [...document.querySelectorAll('.wbnb-picture img')].every(i => i.complete)")
        )
        for i in range(images.count()):
            img = images.nth(i)
            img.scroll_into_view_if_needed()
            box = img.bounding_box()
            assert img.is_visible() and box is not None and box["width"] > 0 and box["height"] > 0
            assert img.evaluate("i => i.naturalWidth > 0 && i.naturalHeight > 0")  # the SVG decoded
    finally:
        page.close()
