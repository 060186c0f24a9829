"""Numbers in the static pictures print as the pages print them (tests/cases/numbers.json;
tests/js/numbers.test.ts holds js/lib/dom.ts's formatNumber to the same file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wbnb.widgets.pictures.svg import number

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "numbers.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("value", "text"), CASES["cases"])
def test_a_number_prints_as_the_page_prints_it(value: float | str, text: str) -> None:
    assert number(float(value)) == text
