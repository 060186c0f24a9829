"""Which step a run shows for the step the viewer chose, the rule every component with a
step slider over several runs follows (MediaView, TableView, Charts): its last step at or
before the chosen one; none chosen (None or -1): its newest. A run that had logged nothing
by then shows nothing. ``tests/cases/steps.json`` holds it (and ``js/mediaview/steps.ts``,
the one page that computes it itself) to the same cases."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def shown_index(steps: Sequence[int], chosen: int | None) -> int | None:
    """The index in ``steps`` (a run's steps, ascending) of the step it shows for
    ``chosen`` (None or negative: its newest), or None when it shows none."""
    i = len(steps) if chosen is None or chosen < 0 else bisect.bisect_right(steps, chosen)
    return i - 1 if i > 0 else None
