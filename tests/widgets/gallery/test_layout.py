"""The Gallery's layout in Python against the cases the page's layout is held to too
(tests/cases/gallery_layout.json; tests/js/gallery.test.ts runs them in node)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wbnb.widgets.gallery.layout import figure, layout

CASES = json.loads((Path(__file__).resolve().parents[2] / "cases" / "gallery_layout.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["layout"], ids=[c["name"] for c in CASES["layout"]])
def test_layout(case: dict[str, Any]) -> None:
    choices = {**CASES["choice_defaults"], **case["choices"]}
    assert layout(case["runs"], case["index"], choices) == case["expected"]


@pytest.mark.parametrize("case", CASES["figure"])
def test_figure(case: dict[str, Any]) -> None:
    assert figure(case["caption"], case["width"], case["size"]) == case["expected"]


def test_the_picture_shows_the_step_the_page_shows_when_the_index_is_thinned() -> None:
    from wbnb.widgets.gallery.model import MAX_SHOWN, ImageIndex
    from wbnb.widgets.gallery.picture import gallery_picture
    from wbnb.widgets.runs import RunRef

    index = ImageIndex([RunRef(None, "p", "r", "r", {})])  # type: ignore[arg-type]
    rec = [{"_type": "image", "path": "media/x.png"}]
    for step in range(4 * MAX_SHOWN):  # thinned to every 4th step (and the last)
        index.ingest(0, [(("img",), step, 0.0, 0.0, (rec,))])
    (page_index,) = index.shown_steps()
    assert 2 not in page_index["steps"] and 0 in page_index["steps"]
    choices = {**CASES["choice_defaults"], "key": "img", "step": 2}
    assert layout(1, [page_index], choices)["runs"][0]["note"] == "step 0 (its last at or before 2)"  # the page
    assert "r · step 0 (its last at or before 2)" in gallery_picture(index, choices).body
