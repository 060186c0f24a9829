"""Which step each run shows under a key for the viewer's choice (the rule of
``widgets/steps.py``) and the note under it. The picture reads it here; the page computes
the same in ``js/mediaview/steps.ts``, and ``tests/cases/steps.json`` holds both to it."""

from __future__ import annotations

from ..steps import shown_index
from .contract import StepShown


def step_shown(steps: list[int], chosen: int) -> StepShown:
    """The step a run that logged at ``steps`` (ascending) shows when the viewer chose
    ``chosen`` (-1: the newest, each run its own last): its last at or before it."""
    if not steps:
        return {"step": None, "note": "nothing logged under this key"}
    i = shown_index(steps, chosen)
    if i is None:
        return {"step": None, "note": f"nothing logged by step {chosen}"}
    s = steps[i]
    if chosen < 0:
        return {"step": s, "note": f"step {s}"}
    return {"step": s, "note": f"step {s}" if s == chosen else f"step {s} (its last by step {chosen})"}
