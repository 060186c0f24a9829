"""The static picture prints a RunTable's cells and chooses its columns as the live view
does: the shared cases of tests/cases/table_*.json (tests/js/table_cases.test.ts runs the
same ones against js/table/data.ts)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wbnb.widgets.table.picture import format_cell, visible_columns

CASES = Path(__file__).resolve().parents[1] / "cases"
CELLS = json.loads((CASES / "table_cells.json").read_text(encoding="utf-8"))["cells"]
COLUMNS = json.loads((CASES / "table_columns.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The cases' times are in UTC (the picture prints the kernel's local time)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("case", CELLS, ids=lambda c: f"{c['type']}:{c['value']!r}")
def test_a_cell_prints_as_the_live_view_prints_it(case: dict[str, Any], utc: None) -> None:
    value = case["value"]
    if case["type"] in ("num", "dur", "time") and isinstance(value, str):
        value = float(value)  # "inf", "-inf", "nan"
    assert format_cell(case["type"], value) == case["text"]


@pytest.mark.parametrize("case", COLUMNS, ids=lambda c: f"{c['columns']}")
def test_the_columns_drawn_are_those_the_live_view_shows(case: dict[str, Any]) -> None:
    assert visible_columns(case["keys"], case["columns"]) == case["shown"]
