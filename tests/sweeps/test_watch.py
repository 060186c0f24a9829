"""``TrialWatch``: Hyperband decided at every logged value from the book's rungs, the
same decisions as ``hyperband.judge`` over whole histories, and a book in trouble
never raising into the training loop."""

from __future__ import annotations

import math
import random
import warnings
from dataclasses import replace
from typing import Any

import pytest

from wbnb.sweeps.config import Hyperband
from wbnb.sweeps.hyperband import Decision, judge
from wbnb.sweeps.watch import TrialWatch


class RungBook:
    """The two calls a watch makes, over a dict of rungs (seq -> band -> value)."""

    def __init__(self, rungs: dict[int, dict[int, float]] | None = None, fail: bool = False) -> None:
        self.store = rungs or {}
        self.fail = fail
        self.calls = 0

    def record_rung(
        self, project: str, sweep_id: str, seq: int, band: int, value: float
    ) -> dict[int, dict[int, float]]:
        self.calls += 1
        if self.fail:
            raise OSError("disk gone")
        self.store.setdefault(seq, {})[band] = value
        return {s: dict(r) for s, r in self.store.items()}

    def rungs(self, project: str, sweep_id: str) -> dict[int, dict[int, float]]:
        self.calls += 1
        if self.fail:
            raise OSError("disk gone")
        return {s: dict(r) for s, r in self.store.items()}


def watch(book: RungBook, rule: Hyperband, goal: Any, seq: int, stops: list[Decision]) -> TrialWatch:
    return TrialWatch(book, "p", "s", seq, rule, goal, stops.append)  # type: ignore[arg-type]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("goal", ["minimize", "maximize"])
def test_the_watch_decides_as_judge_does_over_whole_histories(strict: bool, goal: str) -> None:
    rng = random.Random(7)
    rule = Hyperband(min_iter=2, eta=2, strict=strict)
    book = RungBook()
    histories: list[list[Any]] = []
    stopped = 0
    for seq in range(12):
        history = [rng.random() * (1 + seq % 3) if rng.random() > 0.1 else math.nan for _ in range(20)]
        stops: list[Decision] = []
        w = watch(book, rule, goal, seq, stops)
        logged: list[Any] = []
        for i, value in enumerate(history):
            logged.append(value)
            made = w.observe(value)
            expected = judge(history[: i + 1], histories, rule, goal)  # type: ignore[arg-type]
            if made is None:
                assert expected.band is None, (seq, i)
            else:  # a better value is not judged again: without strict, the value shown is the one judged last
                assert made == (expected if strict else replace(expected, value=made.value)), (seq, i)
            if made is not None and made.stop:
                assert stops == [made]
                stopped += 1
                break
        histories.append(logged)  # a stopped trial logged no more
    assert 0 < stopped < 12


def test_a_stopped_trial_is_told_once_and_keeps_its_decision() -> None:
    book = RungBook({0: {2: 0.1}, 1: {2: 0.2}})
    stops: list[Decision] = []
    w = watch(book, Hyperband(min_iter=2, eta=2), "minimize", 2, stops)
    assert w.observe(9.0) is None  # before the first band
    decision = w.observe(9.0)
    assert decision == Decision(stop=True, band=2, value=9.0, threshold=0.2, reached=3)
    assert w.observe(0.0) == decision and stops == [decision]
    assert book.store[2] == {2: 9.0}


def test_a_failing_book_warns_once_and_never_raises() -> None:
    book = RungBook(fail=True)
    stops: list[Decision] = []
    w = watch(book, Hyperband(min_iter=1, eta=2), "minimize", 0, stops)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(10):
            w.observe(float(i))
    assert len([c for c in caught if "could not be read" in str(c.message)]) == 1
    assert book.calls >= 3 and stops == []  # bands 1, 2, 4, 8 were each tried
