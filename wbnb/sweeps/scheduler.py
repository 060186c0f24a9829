"""The next point of a sweep, from its config, its seed and what its trials hold: what
a book's ``claim`` inserts, inside its write transaction.

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
(one may be released) and is exhausted when none is live. A trial whose value reaches the
metric's ``target`` finishes the sweep at once (``reached_target``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .config import SweepConfig
from .records import LIVE, TrialRecord
from .search import Grid, random_point


@dataclass(frozen=True)
class Holding:
    """What scheduling reads of the trials that hold points (every one not released):
    how many, how many of them are live, and the lowest key none holds."""

    held: int
    live: int
    free: int


@dataclass(frozen=True)
class NextPoint:
    """A point to claim (``key`` and ``params``), or none and why: ``wait`` True while
    live trials hold what is left, False when the sweep has nothing more to run."""

    key: int | None = None
    params: dict[str, Any] | None = None
    reason: str = ""
    wait: bool = False


def next_point(config: SweepConfig, seed: int, held: Holding, trials: Callable[[], Sequence[TrialRecord]]) -> NextPoint:
    """The next point of a sweep whose trials hold ``held``; ``trials()`` gives them all
    (released ones included), read only by Bayesian search: grid and random need
    nothing but the holding, so claiming stays cheap in a sweep of many trials."""
    full = _full(config, held.held)
    if full is not None:
        done, waiting = full
        if held.live:
            return NextPoint(
                reason=f"{waiting}; waiting for {_trials(held.live)} still running (one may be released)", wait=True
            )
        return NextPoint(reason=done)
    key = held.free  # on a grid, _full checked that one is left
    if config.method == "grid":
        return NextPoint(key, _grid(config).point(key))
    if config.method == "random":
        return NextPoint(key, random_point(config, seed, key))
    from .bayes import suggest  # SciPy and scikit-learn behind it: only a bayes sweep loads them

    held_by = [t for t in trials() if t.state != "released"]
    observed = [(t.params, t.value) for t in held_by if t.state not in LIVE and t.value is not None]
    pending = [t.params for t in held_by if t.state in LIVE]
    return NextPoint(key, suggest(config, seed, key, observed, pending))


def exhausted(config: SweepConfig, held: int) -> str | None:
    """Why the sweep will suggest nothing more once its live trials end, given how many
    trials hold points (``run_cap`` reached, every grid point held), or None."""
    full = _full(config, held)
    return full[0] if full else None


def reached_target(config: SweepConfig, seq: int, value: float | None) -> str | None:
    """Why the sweep is done now that trial ``seq`` ended with ``value``: it reached the
    metric's ``target`` (at most it when minimizing, at least when maximizing); else None.
    As wandb's server: no new trials, the running ones finish."""
    metric = config.metric
    if value is None or metric is None or metric.target is None or math.isnan(value):
        return None
    if value <= metric.target if metric.goal == "minimize" else value >= metric.target:
        return f"trial {seq} reached the metric's target ({metric.name} {value:.6g}, target {metric.target:.6g})"
    return None


def _full(config: SweepConfig, held: int) -> tuple[str, str] | None:
    """(why the sweep is done, why it waits while trials are live), or None."""
    if config.run_cap is not None and held >= config.run_cap:
        return f"run_cap {config.run_cap} reached", f"run_cap {config.run_cap} reached"
    if config.method == "grid":
        size = _grid(config).size
        if held >= size:
            return f"grid exhausted: all {_points(size)} ran", f"all {_points(size)} of the grid are claimed"
    return None


_GRIDS: dict[int, tuple[SweepConfig, Grid]] = {}  # id(config) -> (config, its grid): a claim reuses it


def _grid(config: SweepConfig) -> Grid:
    """The grid of ``config`` (built once per config object: a big grid takes milliseconds,
    and a book parses each stored config once)."""
    found = _GRIDS.get(id(config))
    if found is None or found[0] is not config:
        if len(_GRIDS) >= 64:
            _GRIDS.clear()
        found = _GRIDS[id(config)] = (config, Grid(config))
    return found[1]


def _trials(count: int) -> str:
    return f"{count} trial" if count == 1 else f"{count} trials"


def _points(count: int) -> str:
    return f"{count} point" if count == 1 else f"{count} points"
