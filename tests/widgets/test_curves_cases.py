"""The rules Curves' static picture and its page both compute, against the shared cases
(tests/cases/curves_*.json; tests/js/curves.test.ts holds the page to the same files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from wbnb.widgets.curves.model import section_of, sort_keys
from wbnb.widgets.curves.picture import smoothed, x_field

CASES = Path(__file__).resolve().parents[1] / "cases"


def cases(name: str) -> list[Any]:
    return json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))["cases"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("case", cases("curves_smoothing"))
def test_smoothing(case: dict[str, Any]) -> None:
    got = smoothed(np.array(case["y"], dtype=float), case["alpha"])
    assert got.tolist() == pytest.approx(case["ys"], rel=1e-9)


@pytest.mark.parametrize("case", cases("curves_x_axis"))
def test_x_axis(case: dict[str, Any]) -> None:
    assert x_field(case["x_axis"], case["step_metrics"]) == case["field"]


@pytest.mark.parametrize("case", cases("curves_sections"))
def test_sections(case: dict[str, Any]) -> None:
    ordered = sort_keys(case["keys"])
    assert ordered == case["sorted"]
    assert [section_of(k) for k in ordered] == case["sections"]
