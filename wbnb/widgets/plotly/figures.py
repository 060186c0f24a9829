"""A logged figure read back: its JSON file as a dict (what ``plotly.io.from_json`` reads)."""

from __future__ import annotations

import json
from typing import Any

from ..steprecords import StepRecords


def figure_of(
    figures: StepRecords, key: str, run: int = 0, step: int | None = None, index: int = 0
) -> dict[str, Any] | None:
    """Figure ``index`` (of a list; 0 for one figure) of ``key`` (run number ``run``, at
    ``step`` or the newest), or None when there is none or its file cannot be read as a figure."""
    found = figures.read(key, run, step, index)
    if found is None or not found[1]:
        return None
    try:
        fig = json.loads(found[1])
    except (ValueError, RecursionError):  # not JSON, or nested past what Python parses
        return None
    return fig if isinstance(fig, dict) else None
