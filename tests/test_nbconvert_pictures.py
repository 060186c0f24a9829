"""A notebook executed headlessly (nbclient saves its widget state) shows each widget's
final picture in ``nbconvert --to html``, with no option: issue 18, item 5."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

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
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert "widget-state+json" in path.read_text()
    subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(path)], check=True, timeout=240)
    shown = _pictures(path.with_suffix(".html").read_text())
    assert len(shown) == len(views)  # one picture per widget view, none dropped for the saved state
    # finish() replaced the pictures taken at init (no points yet) with the final ones.
    assert all("loss" in svg and ">19<" in svg for svg in shown)
    assert all("&lt;b&gt;run&lt;/b&gt;" in svg and "<b>" not in svg for svg in shown)
