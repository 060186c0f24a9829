"""The next point of a sweep, from its config, its seed and its trials so far: what a
book's ``claim`` inserts, inside its write transaction.

A point is named by its ``key``: a grid index, or for random and bayes the suggestion's
number. A point is *held* by every trial that was not released (live or ended): the book
never holds one twice. So:

- *grid*: the lowest index not held (``search.Grid``); when every index is held, the
  sweep waits while some are held by live trials (one may yet be released) and is
  exhausted once none is live.
- *random*: the lowest suggestion number ``n`` not held, its point
  ``search.random_point(config, seed, n)``: a released claim's point is offered again,
  and the sequence depends on the seed alone.
- *bayes*: the lowest ``n`` not held, its point ``bayes.suggest`` from the ended trials'
  metric values and the live trials' points.

``run_cap`` counts every trial held; once reached the sweep waits for its live trials
(one may be released) and is exhausted when none is live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .config import SweepConfig
from .records import LIVE, TrialRecord
from .search import Grid, random_point


@dataclass(frozen=True)
class NextPoint:
    """A point to claim (``key`` and ``params``), or none and why: ``wait`` True while
    live trials hold what is left, False when the sweep has nothing more to run."""

    key: int | None = None
    params: dict[str, Any] | None = None
    reason: str = ""
    wait: bool = False


def next_point(config: SweepConfig, seed: int, trials: Sequence[TrialRecord]) -> NextPoint:
    """The next point of the sweep whose trials (released ones included) are ``trials``."""
    held = [t for t in trials if t.state != "released"]
    full = _full(config, held)
    if full is not None:
        done, waiting = full
        live = sum(t.state in LIVE for t in held)
        if live:
            return NextPoint(
                reason=f"{waiting}; waiting for {_trials(live)} still running (one may be released)", wait=True
            )
        return NextPoint(reason=done)
    keys = {t.key for t in held}
    key = next(n for n in range(len(keys) + 1) if n not in keys)  # exhausted() checked a grid has one
    if config.method == "grid":
        return NextPoint(key, Grid(config).point(key))
    if config.method == "random":
        return NextPoint(key, random_point(config, seed, key))
    from .bayes import suggest  # SciPy and scikit-learn behind it: only a bayes sweep loads them

    observed = [(t.params, t.value) for t in held if t.state not in LIVE and t.value is not None]
    pending = [t.params for t in held if t.state in LIVE]
    return NextPoint(key, suggest(config, seed, key, observed, pending))


def exhausted(config: SweepConfig, held: Sequence[TrialRecord]) -> str | None:
    """Why the sweep will suggest nothing more once its live trials end, given the trials
    that hold points (``run_cap`` reached, every grid point held), or None."""
    full = _full(config, held)
    return full[0] if full else None


def _full(config: SweepConfig, held: Sequence[TrialRecord]) -> tuple[str, str] | None:
    """(why the sweep is done, why it waits while trials are live), or None."""
    if config.run_cap is not None and len(held) >= config.run_cap:
        return f"run_cap {config.run_cap} reached", f"run_cap {config.run_cap} reached"
    if config.method == "grid":
        size = Grid(config).size
        if len({t.key for t in held}) >= size:
            return f"grid exhausted: all {_points(size)} ran", f"all {_points(size)} of the grid are claimed"
    return None


def _trials(count: int) -> str:
    return f"{count} trial" if count == 1 else f"{count} trials"


def _points(count: int) -> str:
    return f"{count} point" if count == 1 else f"{count} points"
