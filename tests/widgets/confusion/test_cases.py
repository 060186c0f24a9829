"""The rules the confusion matrix's picture shares with its page, on the cases
``tests/js/confusion.test.ts`` runs against the TypeScript (``tests/cases/confusion_*.json``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from wbnb.widgets.confusion.cells import cell_text, normalize, shade
from wbnb.widgets.confusion.layout import layout
from wbnb.widgets.pictures.svg import text_width

CASES = Path(__file__).resolve().parents[2] / "cases"


def _cases(name: str) -> Any:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def test_normalising_shades_and_cell_texts() -> None:
    cases = _cases("confusion_cells.json")
    for c in cases["matrices"]:
        shown = normalize(c["matrix"], c["mode"])
        np.testing.assert_allclose(shown, c["shown"], rtol=0, atol=1e-12, err_msg=str(c))
        np.testing.assert_allclose(shade(shown, c["mode"]), c["shades"], rtol=0, atol=1e-12, err_msg=str(c))
        assert [[cell_text(v, c["mode"]) for v in row] for row in shown.tolist()] == c["texts"], c
    for c in cases["texts"]:
        assert cell_text(c["v"], c["mode"]) == c["text"], c


def test_layouts_with_text_measured_by_the_pictures_estimate() -> None:
    cases = _cases("confusion_layout.json")
    assert text_width("abcd", 10) == 4 * 10 * cases["char_width"]  # the estimate the picture lays out with
    for c in cases["layouts"]:
        got = dataclasses.asdict(layout(c["k"], c["size"], c["names"], c["max"], c["mode"], text_width))
        got["rows"], got["cols"] = [list(r) for r in got["rows"]], [list(r) for r in got["cols"]]
        assert got == c["layout"], (c["k"], c["size"], c["names"][:3])
