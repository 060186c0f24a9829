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
