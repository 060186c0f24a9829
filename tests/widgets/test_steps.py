"""``shown_index``: the step a run shows for the viewer's chosen step (MediaView, TableView,
Charts), held to ``tests/cases/steps.json`` like ``js/mediaview/steps.ts``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wbnb.widgets.steps import shown_index

CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "steps.json").read_text())


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda c: c["name"])
def test_shown_index_cases(case: dict[str, Any]) -> None:
    i = shown_index(case["steps"], case["chosen"])
    assert (None if i is None else case["steps"][i]) == case["expected"]["step"]


def test_none_chosen_is_the_newest() -> None:
    assert shown_index([0, 5, 9], None) == 2 and shown_index([], None) is None
