"""A widget is two outputs, its view then its picture (wbnb/widgets/pictures/show.py). The
shared sheet a rendered view adds (js/lib/style.ts) hides the picture output right after a
live view, in each front end's output DOM, and no other: a picture after an output whose
view did not render stays shown. The view is mounted through the harness, then put in each
front end's wrapper of one output, as its source builds it:

- JupyterLab / Notebook 7: @jupyterlab/outputarea ``OutputArea`` (``.jp-OutputArea-child``
  panels, prompt then ``.jp-OutputArea-output``); also driven live in tests/e2e/test_jupyter_browser.py.
- Notebook 6 (classic): notebook/static/notebook/js/outputarea.js (``create_output_area``:
  ``div.output_area`` with ``.run_this_cell`` and ``.prompt``, then ``create_output_subarea``;
  every output appended to ``div.output``, an update replacing its ``output_area`` in place).
- VS Code: src/vs/workbench/contrib/notebook/browser/view/renderers/webviewPreloads.ts
  (``OutputCell`` ``div.cell_container`` holding one ``OutputContainer`` ``div.output_container``
  per output, in order, each holding the ``OutputElement`` ``div.output`` its renderer draws
  in); also driven under VS Code's widget manager in tests/e2e/test_vscode.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import wbnb
from wbnb.widgets import Curves
from wbnb.widgets.pictures.show import picture_bundle

from .harness import Harness

# front end -> (the cell's outputs wrapper, one output's wrapper with {} where the output's content goes)
FRONT_ENDS = {
    "JupyterLab": (
        '<div class="jp-OutputArea">{}</div>',
        '<div class="jp-OutputArea-child"><div class="jp-OutputArea-prompt"></div>'
        '<div class="jp-OutputArea-output">{}</div></div>',
    ),
    "Notebook 6": (
        '<div class="output_wrapper"><div class="output">{}</div></div>',
        '<div class="output_area"><div class="run_this_cell"></div><div class="prompt"></div>'
        '<div class="output_subarea">{}</div></div>',
    ),
    "VS Code": (
        '<div class="cell_container">{}</div>',
        '<div class="output_container"><div class="output">{}</div></div>',
    ),
}


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_the_picture_is_hidden_after_a_live_view_only(store_dir: Path, harness: Harness, front_end: str) -> None:
    with wbnb.init(project="hiding") as run:
        for i in range(5):
            wbnb.log({"loss": 1 / (i + 1)})
    curves = Curves(f"hiding/{run.id}", live=False)
    harness.mount(curves, "curves")
    harness.page.locator(".wbnb-curves").wait_for()
    cell, output = FRONT_ENDS[front_end]
    picture = picture_bundle(curves.to_svg())["text/html"]
    outputs = [output.format('<div class="view"></div>'), output.format(picture)]  # a live view, its picture
    outputs += [output.format("wbnb Curves"), output.format(picture)]  # a view that did not render, its picture
    harness.page.evaluate(
        "([html, id]) => { document.body.insertAdjacentHTML('beforeend', html);"
        " document.querySelector('.view').append(document.querySelector('.widget-' + id)); }",
        [cell.format("".join(outputs)), curves.model_id],
    )
    harness.settle()
    after_view, alone = (harness.page.locator(".wbnb-picture").nth(i) for i in (0, 1))
    assert harness.page.locator(".view .wbnb-curves").is_visible()
    assert not after_view.is_visible()
    box = alone.locator("img").bounding_box()
    assert alone.is_visible() and box is not None and box["height"] > 0
    assert alone.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert not harness.errors  # type: ignore[attr-defined]
