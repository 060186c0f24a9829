"""Hyperband early termination, by wandb's rule (the ``sweeps`` engine's ``hyperband_stopping``).

A run's *iterations* are the valid values of the sweep's metric it has logged, in order
(an invalid one, NaN, a string, a bool, is not an iteration). At each band ``b`` (the
config's ``bands()``: ``min_iter * eta**k``, or worked back from ``max_iter`` and ``s``)
the runs that reached it, the judged run among them, are ranked by their value at
iteration ``b``; the threshold is the value at position ``int(n / eta)`` of that ranking,
best first. A run is judged at the last band it reached: it is stopped when its best value
so far (with ``strict``, its value at that band) is worse than the threshold. These are
pure functions of the histories, so an agent can decide at every logged value.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from numbers import Real
from typing import Any

from .config import Goal, Hyperband


@dataclass(frozen=True)
class Decision:
    """Why a run goes on or stops: the band it was judged at (``None`` before the first),
    its value judged there (best so far, or with ``strict`` its value at the band), the
    worst value that survives the band, and how many runs reached it. Values are in the
    metric's own sign."""

    stop: bool
    band: int | None = None
    value: float | None = None
    threshold: float | None = None
    reached: int = 0


def iterations(values: Iterable[Any], goal: Goal) -> list[float]:
    """A run's iterations of the metric: its valid logged values, in order, signed so that
    smaller is better (negated when the goal is to maximize)."""
    sign = -1.0 if goal == "maximize" else 1.0
    return [sign * float(v) for v in values if is_iteration(v)]


def judge(history: Sequence[Any], others: Iterable[Sequence[Any]], rule: Hyperband, goal: Goal) -> Decision:
    """Judge a running trial from the values of the metric it logged (``history``, in
    order) and those of the sweep's other runs (``others``, whatever their state; the
    judged run is not among them, it is counted once here)."""
    mine = iterations(history, goal)
    bands = sorted(rule.bands())
    reached = bisect_right(bands, len(mine))
    if reached == 0:
        return Decision(stop=False)
    band = bands[reached - 1]
    sign = -1.0 if goal == "maximize" else 1.0
    theirs = (next(islice((v for v in values if is_iteration(v)), band - 1, None), None) for values in others)
    return decide(band, sign * mine[band - 1], sign * min(mine), (v for v in theirs if v is not None), rule, goal)


def decide(band: int, at_band: float, best: float, others: Iterable[float], rule: Hyperband, goal: Goal) -> Decision:
    """The decision at ``band`` for a run whose value there is ``at_band`` and whose best so
    far is ``best``, among the other runs' values at that band (``others``: a trial's
    rungs as the book keeps them). Values in the metric's own sign; the one rule ``judge``
    and an agent's watch (``sweeps/watch.py``) share. An other's value that is no iteration
    (NaN, infinite: what no watch records, but a book may hold) is left out."""
    sign = -1.0 if goal == "maximize" else 1.0
    at = [sign * at_band, *(sign * float(v) for v in others if is_iteration(v))]
    threshold = _threshold(at, rule.eta)
    value = at[0] if rule.strict else sign * best
    return Decision(stop=value > threshold, band=band, value=sign * value, threshold=sign * threshold, reached=len(at))


def should_stop(history: Sequence[Any], others: Iterable[Sequence[Any]], rule: Hyperband, goal: Goal) -> bool:
    """Whether Hyperband stops this trial now (``judge``'s decision, without the why)."""
    return judge(history, others, rule, goal).stop


def thresholds(histories: Iterable[Sequence[Any]], rule: Hyperband, goal: Goal) -> list[tuple[int, float]]:
    """Each band some of these runs reached, with the worst value that survives it, in the
    metric's sign: the rungs a sweep panel draws."""
    runs = [iterations(values, goal) for values in histories]
    sign = -1.0 if goal == "maximize" else 1.0
    rungs: list[tuple[int, float]] = []
    for band in sorted(rule.bands()):
        at_band = [run[band - 1] for run in runs if len(run) >= band]
        if not at_band:  # nor any later band
            break
        rungs.append((band, sign * _threshold(at_band, rule.eta)))
    return rungs


def _threshold(at_band: list[float], eta: float) -> float:
    # wandb's index: int(r * n) with r = 1 / eta, in that float arithmetic
    return sorted(at_band)[int((1.0 / eta) * len(at_band))]


def is_iteration(value: Any) -> bool:
    """Whether a logged value of the metric counts as an iteration: wandb's ``filter_invalid``,
    a finite real number, never a bool."""
    # floats first: the ABC check is slow
    if type(value) is float:
        return math.isfinite(value)
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
