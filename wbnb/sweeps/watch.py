"""Hyperband, live: a trial's watch that decides at every logged value of the metric.

``TrialWatch`` is fed each value of the sweep's metric a trial logs (``observe``). It
counts the valid ones (the iterations, as ``hyperband.iterations`` does); at each band
reached it stores the trial's value there with the book (``record_rung``), which answers
every trial's rungs, and between bands it refreshes those at most every ``refresh``
seconds (``BACKOFF`` after the book failed: a read that times out is not repeated at every
``log()``). Then it judges with ``hyperband.decide`` (the one rule), against the other
trials' values at the band. Book trouble never reaches the training loop: one warning,
and the watch judges with the rungs it last had.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .config import Goal, Hyperband
from .hyperband import Decision, decide, is_iteration
from .records import SweepBook

REFRESH = 0.5  # seconds between reads of the other trials' rungs, when no band is reached
BACKOFF = (
    30.0  # seconds without rereads after the book failed: a server out of reach costs log() one timeout per BACKOFF
)


class TrialWatch:
    """The Hyperband watch of one trial (``seq``) of a sweep; ``on_stop(decision)`` is
    called once, at the value that made Hyperband stop it."""

    def __init__(
        self,
        book: SweepBook,
        project: str,
        sweep_id: str,
        seq: int,
        rule: Hyperband,
        goal: Goal,
        on_stop: Callable[[Decision], None],
        refresh: float = REFRESH,
    ) -> None:
        self._book = book
        self._where = (project, sweep_id)
        self._seq = seq
        self._rule = rule
        self._goal = goal
        self._on_stop = on_stop
        self._refresh = refresh
        self._bands = sorted(rule.bands())
        self._sign = -1.0 if goal == "maximize" else 1.0
        self._count = 0  # iterations so far
        self._band: int | None = None  # the last band reached
        self._next = self._bands[0] if self._bands else -1  # the next band to reach
        self._at_band: dict[int, float] = {}  # this trial's value at each band it reached
        self._best = math.inf  # signed: smaller is better
        self._others: dict[int, dict[int, float]] = {}  # seq -> band -> value, as last read
        self._next_read = -math.inf  # when the rungs may be read again
        self._warned = False
        self.decision: Decision | None = None  # the last one made; its ``stop`` is final

    def observe(self, value: Any) -> Decision | None:
        """Take one logged value of the metric; returns the decision that stands after it
        (None before the first band). It is judged again when what it depends on changed: a
        band reached, the rungs reread; between those it stands (a better value never stops
        a trial, and with ``strict`` the value judged is the band's)."""
        if not is_iteration(value):
            return self.decision
        decision = self.decision
        if decision is not None and decision.stop:
            return decision
        value = float(value)
        self._count += 1
        if self._sign * value < self._best:
            self._best = self._sign * value
        if self._count == self._next:  # a band reached with this value: keep it, read the others' answer
            band = self._band = self._next
            later = [b for b in self._bands if b > band]
            self._next = later[0] if later else -1
            self._at_band[band] = value
            self._read(lambda: self._book.record_rung(*self._where, self._seq, band, value))
        elif self._band is None:
            return None
        elif time.monotonic() >= self._next_read:
            self._read(lambda: self._book.rungs(*self._where))
        else:
            return decision
        band = self._band
        others = (rungs[band] for seq, rungs in self._others.items() if seq != self._seq and band in rungs)
        decision = decide(band, self._at_band[band], self._sign * self._best, others, self._rule, self._goal)
        self.decision = decision
        if decision.stop:
            self._on_stop(decision)
        return decision

    def _read(self, read: Callable[[], dict[int, dict[int, float]]]) -> None:
        wait = self._refresh
        try:
            self._others = read()
        except Exception as e:  # storage or network trouble: judge with what was read last
            wait = BACKOFF
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"wbnb: the sweep's book could not be read for Hyperband ({e}); "
                    "this trial is judged with the rungs read last. (Warned once.)",
                    RuntimeWarning,
                    stacklevel=4,
                )
        self._next_read = time.monotonic() + wait


def metric_value(summary: Mapping[str, Any], name: str) -> float | None:
    """A trial's value of the metric: its run's summary value of ``name`` (what wandb's
    engine reads), None when that is no finite number."""
    value: Any = summary.get(name)
    return float(value) if is_iteration(value) else None
