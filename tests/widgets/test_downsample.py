"""Min/max/last buckets: spikes and the last point survive, built incrementally."""

from __future__ import annotations

import numpy as np
import pytest

from wbnb.widgets.curves.downsample import FIELDS, Buckets, S, Y, downsample


def _pts(y: np.ndarray, start: int = 0) -> np.ndarray:
    p = np.zeros((len(y), len(FIELDS)))
    p[:, S] = np.arange(start, start + len(y))
    p[:, Y] = y
    return p


def _expected(y: np.ndarray, width: int) -> list[int]:
    keep: set[int] = set()
    for s in range(0, len(y), width):
        c = y[s : s + width]
        keep |= {s + int(np.argmin(c)), s + int(np.argmax(c)), s + len(c) - 1}
    return sorted(keep)


def test_every_spike_and_the_last_point_survive() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=1_000_000)
    spikes = rng.choice(len(y), 50, replace=False)
    y[spikes[:25]] = 1e6
    y[spikes[25:]] = -1e6
    kept = downsample(y, max_buckets=512)
    assert 768 <= len(kept) <= 1536  # about 1-2k points
    assert set(spikes) <= set(kept.tolist()) or _spikes_per_bucket_ok(y, kept)
    assert kept[-1] == len(y) - 1
    # each bucket's min and max are kept, whatever the width became
    b = Buckets(512)
    b.extend(_pts(y))
    assert kept.tolist() == _expected(y, b.width)


def _spikes_per_bucket_ok(y: np.ndarray, kept: np.ndarray) -> bool:
    # two spikes in one bucket: the extreme one is kept, the value range is intact
    return y[kept].max() == y.max() and y[kept].min() == y.min()


@pytest.mark.parametrize("seed", range(5))
def test_incremental_equals_all_at_once(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=int(rng.integers(1000, 20000)))
    inc = Buckets(64)
    pos = 0
    firsts = []
    while pos < len(y):
        k = int(rng.integers(1, 700))
        before_width = inc.width
        first = inc.extend(_pts(y[pos : pos + k], pos))
        firsts.append((first, before_width != inc.width))
        pos += min(k, len(y) - pos)
    assert inc.nb <= 64 and inc.count == len(y)
    assert inc.points()[:, 1].astype(int).tolist() == _expected(y, inc.width)
    # an extend reports the first bucket it touched (0 when the width changed)
    assert all(f == 0 for f, rebucketed in firsts if rebucketed)


def test_points_from_a_bucket_are_the_tail() -> None:
    b = Buckets(8)
    b.extend(_pts(np.arange(20.0)))
    first = b.extend(_pts(np.array([100.0, -100.0]), 20))
    tail = b.points(first)
    full = b.points()
    assert np.array_equal(full[-len(tail) :], tail)
    assert tail[0, 0] == first and {100.0, -100.0} <= set(tail[:, 5])


def test_ties_and_tiny_series() -> None:
    assert downsample(np.array([])).tolist() == []
    assert downsample(np.array([3.0])).tolist() == [0]
    b = Buckets(4)
    b.extend(_pts(np.ones(10_000)))
    assert b.width == 4096 and b.nb == 3  # widths are powers of two
    assert downsample(np.ones(10_000), max_buckets=4).tolist() == _expected(np.ones(10_000), 4096)
