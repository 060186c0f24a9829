"""Hyperband (``wbnb/sweeps/hyperband.py``) against cases computed by hand with wandb's rule,
among them those of wandb's own engine tests (``sweeps`` package, test_hyperband_stopping.py)."""

from __future__ import annotations

from typing import Any

import pytest

from wbnb.sweeps.config import Goal, Hyperband
from wbnb.sweeps.hyperband import Decision, iterations, judge, should_stop, thresholds


def stopped(runs: dict[str, tuple[bool, list[Any]]], rule: Hyperband, goal: Goal = "minimize") -> list[str]:
    """The running runs (``True``) Hyperband stops, each judged against all the others."""
    return [
        name
        for name, (running, history) in runs.items()
        if running and should_stop(history, [h for other, (_, h) in runs.items() if other != name], rule, goal)
    ]


def test_bands_1_and_2_eta_2_strict_stops_the_run_under_the_threshold_at_its_band() -> None:
    # max_iter 5, eta 2, s 2: bands 1 and 2. At band 2 the values are 9 10 8 7 6:
    # sorted 6 7 8 9 10, position int(5 / 2) = 2, threshold 8; b's 10 is worse.
    runs = {
        "a": (False, [10, 9]),
        "b": (True, [10, 10]),
        "c": (True, [10, 8, 8]),
        "d": (True, [10, 7, 7]),
        "e": (False, [10, 6, 6]),
    }
    assert stopped(runs, Hyperband(max_iter=5, s=2, eta=2, strict=True)) == ["b"]
    assert judge(
        [10, 10],
        [h for n, (_, h) in runs.items() if n != "b"],
        Hyperband(max_iter=5, s=2, eta=2, strict=True),
        "minimize",
    ) == (Decision(stop=True, band=2, value=10.0, threshold=8.0, reached=5))


def test_a_run_is_judged_at_the_last_band_it_reached() -> None:
    # band 1: 10 11 10 10 10 -> threshold 10, b (11) stopped. band 2: 8 7 6 ->
    # position int(3 / 2) = 1, threshold 7, c (8 at band 2) stopped; a, at band 1 only, is
    # finished and only counts.
    runs = {
        "a": (False, [10]),
        "b": (True, [11]),
        "c": (True, [10, 8, 8]),
        "d": (True, [10, 7, 7]),
        "e": (False, [10, 6, 6]),
    }
    assert stopped(runs, Hyperband(max_iter=5, s=2, eta=2, strict=True)) == ["b", "c"]
    assert judge(
        [10, 8, 8], [[10], [11], [10, 7, 7], [10, 6, 6]], Hyperband(max_iter=5, s=2, eta=2, strict=True), "minimize"
    ) == (Decision(stop=True, band=2, value=8.0, threshold=7.0, reached=3))


EVERY_BAND_CASE = {
    "a": (False, [9, 8]),
    "b": (True, [11, 11]),  # worse than band 1's threshold (10): stopped
    "c": (True, [10, 8, 3]),  # its best (3) beats band 3's threshold (4)
    "d": (True, [10, 7, 4]),  # equal to the threshold: survives
    "e": (True, [10, 6, 6]),  # passed band 1, not band 3
}


def test_eta_3_not_strict_judges_the_best_so_far() -> None:
    # max_iter 9, eta 3, s 2: bands 1 and 3. band 1: 9 11 10 10 10 -> sorted
    # 9 10 10 10 11, position int(5 / 3) = 1, threshold 10. band 3: 3 4 6 -> threshold 4.
    assert stopped(EVERY_BAND_CASE, Hyperband(max_iter=9, s=2, eta=3, strict=False)) == ["b", "e"]
    assert thresholds(
        [h for _, h in EVERY_BAND_CASE.values()], Hyperband(min_iter=1, eta=3, strict=False), "minimize"
    ) == [
        (1, 10.0),
        (3, 4.0),
    ]


def test_maximize_is_minimize_mirrored() -> None:
    flipped = {name: (running, [-v for v in history]) for name, (running, history) in EVERY_BAND_CASE.items()}
    assert stopped(flipped, Hyperband(max_iter=9, s=2, eta=3, strict=False), "maximize") == ["b", "e"]
    others = [h for name, (_, h) in flipped.items() if name != "e"]
    assert judge(flipped["e"][1], others, Hyperband(max_iter=9, s=2, eta=3, strict=False), "maximize") == Decision(
        stop=True, band=3, value=-6.0, threshold=-4.0, reached=3
    )
    # the same histories read as minimize: band 3 is -3 -4 -6, threshold -4, and with
    # strict only c (-3 there) is worse; judged by its best so far (-10) it goes on
    assert stopped(flipped, Hyperband(max_iter=9, s=2, eta=3, strict=True), "minimize") == ["c"]
    assert stopped(flipped, Hyperband(max_iter=9, s=2, eta=3, strict=False), "minimize") == []


def test_bands_as_wandb_works_them_out() -> None:
    assert Hyperband(min_iter=3, eta=3).bands()[:4] == [3, 9, 27, 81]
    assert Hyperband(max_iter=81, s=3, eta=3).bands() == [3, 9, 27]
    assert Hyperband(max_iter=18, s=2, eta=3).bands() == [2, 6]
    assert Hyperband(max_iter=5, s=2, eta=2).bands() == [1, 2]  # 2.5 and 1.25, truncated


def test_bands_3_9_27_min_iter_3_eta_3() -> None:
    # wandb's doc case: a run at 10 for 4 iterations, one falling 10, 9, ... 1.
    flat, falling = [10] * 4, [10 - i for i in range(10)]
    rule = Hyperband(min_iter=3, eta=3, strict=True)
    # band 3: 10 and 8 -> position int(2 / 3) = 0, threshold 8
    assert judge(flat, [falling], rule, "minimize") == Decision(stop=True, band=3, value=10, threshold=8, reached=2)
    # band 9: only the falling run reached it; alone it is its own threshold
    assert judge(falling, [flat], rule, "minimize") == Decision(stop=False, band=9, value=2, threshold=2, reached=1)
    assert thresholds([flat, falling], rule, "minimize") == [(3, 8.0), (9, 2.0)]


@pytest.mark.parametrize(
    ("history", "strict", "stop"),
    [
        ([1, 9, 9], True, True),  # at band 3 it is 9, worse than the threshold 6
        ([1, 9, 9], False, False),  # its best so far (1) is not
        ([9, 9, 9, 1], True, True),  # strict judges the value at the band, not after it
        ([9, 9, 9, 1], False, False),  # improving after the band saves a run
        ([9, 9, 9], False, True),
    ],
)
def test_strict_judges_the_value_at_the_band(history: list[float], strict: bool, stop: bool) -> None:
    # band 3 values: the run's, 5 and 6 -> position int(3 / 3) = 1: threshold 6 (for the
    # [1, 9, 9] run: 5 6 9 -> 6)
    decision = judge(history, [[5, 5, 5], [6, 6, 6]], Hyperband(min_iter=3, eta=3, strict=strict), "minimize")
    assert (decision.stop, decision.band, decision.threshold) == (stop, 3, 6.0)


def test_before_the_first_band_nothing_is_judged() -> None:
    assert judge([100, 100], [[1, 1, 1]] * 5, Hyperband(min_iter=3, eta=3, strict=True), "minimize") == Decision(
        stop=False
    )
    assert thresholds([[1, 1]], Hyperband(min_iter=3), "minimize") == []


def test_an_iteration_is_a_valid_logged_value() -> None:
    # NaN, inf, strings and bools are not iterations (wandb's filter_invalid)
    history = [float("nan"), "NaN", 10, True, float("inf"), 10, None, 10.0]
    assert iterations(history, "minimize") == [10.0, 10.0, 10.0]
    assert iterations([1, 2.5], "maximize") == [-1.0, -2.5]
    # three valid values: band 3 reached, and judged there against the others
    decision = judge(history, [[1, 1, 1]], Hyperband(min_iter=3, eta=3, strict=True), "minimize")
    assert (decision.band, decision.stop) == (3, True)


def test_ties_at_the_threshold_survive() -> None:
    rule = Hyperband(min_iter=1, eta=2, strict=True)
    # values 5 5 5 5: position int(4 / 2) = 2, threshold 5; a run equal to it goes on
    assert not should_stop([5], [[5], [5], [5]], rule, "minimize")
    assert not should_stop([5], [[5], [5], [5]], rule, "maximize")
