"""Histogram: counts match numpy, non-finite values are dropped, bad input is named."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wbnb.data import Histogram, base
from wbnb.store.media import MediaStore


def test_counts_match_numpy_and_the_record_is_plain_json(tmp_path: Path) -> None:
    values = np.random.default_rng(0).normal(size=1000)
    record = Histogram(values, num_bins=20).to_json(MediaStore(tmp_path))
    counts, edges = np.histogram(values, bins=20)
    assert record == {"_type": "histogram", "bins": edges.tolist(), "values": counts.tolist()}
    assert json.loads(json.dumps(record)) == record
    assert all(type(c) is int for c in record["values"]) and all(type(e) is float for e in record["bins"])
    assert list(tmp_path.iterdir()) == []  # a histogram writes no files


def test_nan_and_inf_are_dropped_from_the_counts() -> None:
    hist = Histogram([1.0, 2.0, np.nan, 3.0, np.inf, -np.inf], num_bins=4)
    assert sum(hist.histogram) == 3
    assert hist.bins[0] == 1.0 and hist.bins[-1] == 3.0


def test_default_is_64_bins_and_512_is_the_most() -> None:
    assert len(Histogram(np.arange(100)).histogram) == 64
    assert len(Histogram(np.arange(1000), num_bins=512).histogram) == 512
    with pytest.raises(ValueError, match=r"num_bins must be an integer from 1 to 512, got 513"):
        Histogram(np.arange(10), num_bins=513)
    with pytest.raises(ValueError, match=r"from 1 to 512, got 0"):
        Histogram(np.arange(10), num_bins=0)


def test_torch_tensors_and_nested_sequences_are_accepted() -> None:
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(1).random((4, 5)).astype(np.float32)
    counts, _ = np.histogram(values.ravel(), bins=8)
    assert Histogram(torch.from_numpy(values), num_bins=8).histogram == counts.tolist()
    assert Histogram(values.tolist(), num_bins=8).histogram == counts.tolist()


def test_np_histogram_is_taken_as_given() -> None:
    counts, edges = np.histogram([1, 2, 2, 3, 3, 3], bins=3)
    hist = Histogram(np_histogram=(counts, edges))
    assert hist.histogram == [1, 2, 3] and hist.bins == edges.tolist()
    density, edges = np.histogram([1, 2, 2], bins=2, density=True)
    assert Histogram(np_histogram=(density, edges)).histogram == density.tolist()


def test_bad_np_histograms_say_what_they_got() -> None:
    with pytest.raises(
        ValueError, match=r"len\(edges\) == len\(counts\) \+ 1; got counts of shape \(3,\) and edges of shape \(3,\)"
    ):
        Histogram(np_histogram=([1, 2, 3], [0, 1, 2]))
    with pytest.raises(ValueError, match=r"has 600 bins; at most 512 are accepted"):
        Histogram(np_histogram=(np.ones(600), np.arange(601)))
    with pytest.raises(ValueError, match=r"must be a \(counts, edges\) pair as np.histogram returns, got ndarray"):
        Histogram(np_histogram=np.ones(3))
    with pytest.raises(ValueError, match=r"must be finite"):
        Histogram(np_histogram=([1, np.nan], [0, 1, 2]))


def test_exactly_one_source_is_needed() -> None:
    with pytest.raises(ValueError, match=r"exactly one of sequence or np_histogram; got neither"):
        Histogram()
    with pytest.raises(ValueError, match=r"got both"):
        Histogram([1, 2], np_histogram=([1], [0, 1]))


def test_non_numeric_sequences_say_their_dtype() -> None:
    with pytest.raises(ValueError, match=r"sequence must hold numbers; got dtype <U1"):
        Histogram(["a", "b"])


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The value types' say-once warnings as in a fresh process."""
    monkeypatch.setattr(base, "_said", set())


def test_no_finite_value_is_an_empty_histogram_said_once(tmp_path: Path, fresh_warnings: None) -> None:
    with pytest.warns(RuntimeWarning, match=r"no finite value.*stored as an empty histogram") as said:
        records = [Histogram(v).to_json(MediaStore(tmp_path)) for v in ([], [np.nan, np.nan], [np.inf, -np.inf])]
    assert records == [{"_type": "histogram", "bins": [], "values": []}] * 3  # not zeros on [0, 1]
    assert len(said) == 1


@pytest.mark.parametrize(
    "values",
    [
        [-1.7e308, 1.7e308, 0.0, 1.0],  # the range overflows float64
        [1e308, np.nextafter(1e308, np.inf)],  # narrower than num_bins steps at this magnitude
        [1e308] * 3,
        np.array([-1e4000, 1e4000, 5], dtype=np.longdouble),  # past float64: dropped like inf
    ],
)
def test_any_finite_range_is_binned(values: list[float]) -> None:
    hist = Histogram(values, num_bins=8)
    with np.errstate(over="ignore"):
        finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    assert sum(hist.histogram) == finite.size and len(hist.bins) == len(hist.histogram) + 1 == 9
    assert np.isfinite(hist.bins).all() and hist.bins == sorted(hist.bins)
    assert hist.bins[0] <= finite.min() and hist.bins[-1] >= finite.max()


def test_bfloat16_and_float16_tensors_are_counted() -> None:
    torch = pytest.importorskip("torch")
    values = torch.linspace(-2, 2, 101)
    for dtype in (torch.bfloat16, torch.float16):
        counts, _ = np.histogram(values.to(dtype).float().numpy(), bins=10)
        assert Histogram(values.to(dtype), num_bins=10).histogram == counts.tolist()
