"""What the static pictures share with the pages (``wbnb/widgets/pictures/svg.py`` against
``js/lib/``), on the cases ``tests/js/heat.test.ts`` runs against the
TypeScript (``tests/cases/heat.json``; numbers: ``test_numbers.py``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wbnb.widgets.pictures.svg import heat_color, heat_text

CASES = Path(__file__).resolve().parents[1] / "cases"


def _cases(name: str) -> Any:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def test_heat_colours_and_the_text_on_them() -> None:
    for c in _cases("heat.json")["heat"]:
        assert (heat_color(c["v"]), heat_text(c["v"])) == (c["color"], c["text"]), c
