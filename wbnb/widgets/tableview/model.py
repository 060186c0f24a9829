"""``TableSteps``: TableView's live model, the steps at which each run logged the key.

The snapshot is the step index alone (a table is logged a handful of times); the widget
adds the preview of the table shown (``widget.py``). The tables themselves are read from
the store when shown (``frame.py``), never kept here.
"""

from __future__ import annotations

import bisect
from typing import Any

from ..media import logged_media
from ..runs import RunRef
from ..steps import shown_index
from .contract import StepsChange, TableState


class TableSteps:
    """The ``LiveModel`` behind TableView: per run, the steps that logged a table under ``key``."""

    def __init__(self, runs: list[RunRef], key: str) -> None:
        self.runs = runs
        self.key = key
        self.steps: list[list[int]] = [[] for _ in runs]
        self.records: list[list[dict[str, Any]]] = [[] for _ in runs]  # per run, per step: the table record
        self._dirty = False

    def ingest(self, source: int, rows: list[tuple]) -> None:
        for step, _key, recs in logged_media(rows, "table", [self.key]):
            steps, records = self.steps[source], self.records[source]
            i = bisect.bisect_left(steps, step)
            if i < len(steps) and steps[i] == step:  # the same step logged again: last wins
                records[i] = recs[-1]
            else:
                steps.insert(i, int(step))
                records.insert(i, recs[-1])
            self._dirty = True

    def delta(self) -> tuple[StepsChange, list[bytes]] | None:
        if not self._dirty:
            return None
        self._dirty = False
        return {"type": "delta", "steps": [list(s) for s in self.steps]}, []

    def snapshot(self) -> TableState:
        self._dirty = False
        return {"runs": [r.info() for r in self.runs], "key": self.key, "steps": [list(s) for s in self.steps]}

    def size_hint(self) -> int:
        return 16 * sum(len(s) for s in self.steps)

    def all_steps(self) -> list[int]:
        """Every step any run logged the key at, ascending (the slider's stops)."""
        return sorted({s for steps in self.steps for s in steps})

    def resolve(self, step: int) -> list[int | None]:
        """The step each run's table is taken from for the chosen ``step``: its last at or
        before it (-1: its last); None when it had logged none by then."""
        return [None if (i := shown_index(steps, step)) is None else steps[i] for steps in self.steps]

    def record(self, run: int, step: int) -> dict[str, Any] | None:
        """Run number ``run``'s table record at ``step`` (None if it logged none there)."""
        steps = self.steps[run]
        i = bisect.bisect_left(steps, step)
        return self.records[run][i] if i < len(steps) and steps[i] == step else None
