"""The rules a histogram's picture shares with the page's heatmap, on the cases
``tests/js/histograms.test.ts`` runs against the TypeScript (``tests/cases/histograms_layout.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wbnb.widgets.histograms.layout import heat_label_y, labelled, plot_size, shares, value_ticks

CASES = json.loads((Path(__file__).resolve().parents[2] / "cases" / "histograms_layout.json").read_text("utf-8"))


def test_plot_size() -> None:
    for c in CASES["plot_size"]:
        assert list(plot_size(c["width"], c["height"])) == c["expected"], c


def test_shares_of_each_rows_largest_bin() -> None:
    for c in CASES["shares"]:
        np.testing.assert_allclose(shares(np.array(c["counts"])), c["expected"], rtol=0, atol=1e-12, err_msg=c["name"])


def test_value_ticks() -> None:
    for c in CASES["value_ticks"]:
        ticks = value_ticks(c["lo"], c["hi"])
        assert [t["label"] for t in ticks] == c["labels"], c
        assert [{"at": t["at"], "anchor": t["anchor"]} for t in ticks] == CASES["tick_places"]


@pytest.mark.parametrize("case", CASES["step_labels"], ids=[c["name"] for c in CASES["step_labels"]])
def test_step_labels(case: dict[str, Any]) -> None:
    n, h = case["rows"], case["height"]
    rows = labelled(n, h)
    assert rows == [i for i, _ in case["labels"]]
    assert [heat_label_y(i, n, h) for i in rows] == pytest.approx([y for _, y in case["labels"]], abs=1e-9)
