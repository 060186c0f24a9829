"""What ``log()`` accepts is exactly what the store keeps: every kind of value is either
stored as ``flatten`` made it (read back through ``history``), and accepted by the row
rules the server applies (``store/rows.py``), or refused at the call site naming its key."""

from __future__ import annotations

import datetime
import enum
import fractions
import math
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import wbnb
from wbnb.sdk.values import flatten
from wbnb.store.media import MediaStore
from wbnb.store.rows import check_rows


class Level(enum.IntEnum):
    HIGH = 3


class Ratio(float):
    pass


def _cyclic_list() -> list[Any]:
    out: list[Any] = [1]
    out.append(out)
    return out


def _nested_list(depth: int) -> list[Any]:
    out: list[Any] = [1]
    for _ in range(depth):
        out = [out]
    return out


KINDS: list[Any] = [
    # Python
    None, True, False, 0, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**100,
    1.5, -0.0, math.nan, math.inf, -math.inf, "", "text", "ünï©ødé ☃", "a\x00b",
    [], [1, "a", None, 2.5, True], (1, 2.5), [[1], [2, [3]]], [2**64], _nested_list(70), _cyclic_list(),
    [np.float32(0.5), np.int8(3), datetime.date(2024, 1, 2)],
    Decimal("1.25"), fractions.Fraction(1, 4), Level.HIGH, Ratio(2.5), 1 + 2j,
    datetime.datetime(2024, 5, 6, 7, 8, 9, 10), datetime.datetime(2024, 5, 6, tzinfo=datetime.timezone.utc),
    datetime.date(2024, 5, 6), datetime.time(7, 8, 9), datetime.timedelta(seconds=90, milliseconds=5),
    b"bytes", bytearray(b"x"), {1, 2}, frozenset({3}), object(), print, range(3),
    # numpy scalars of every kind of dtype
    *(np.dtype(t).type(7) for t in "bBhHiIlLqQ"), np.uint64(2**64 - 1), np.int64(-(2**63)),
    np.bool_(True), np.float16(0.5), np.float32(0.1), np.float64(0.1), np.longdouble("1.1"),
    np.longdouble("1e4000"), np.complex64(1j), np.complex128(1), np.clongdouble(1),
    np.str_("npstr"), np.bytes_(b"npbytes"), np.void(b"ab"),
    np.datetime64("2024-01-02"), np.datetime64("2024-01-02T03:04:05"), np.datetime64("2024-01-02T03:04:05.123456789"),
    np.datetime64("NaT"), np.timedelta64(90, "s"), np.timedelta64(5, "ms"), np.timedelta64("NaT"),
    np.array(2.5), np.array(7, dtype=np.uint8), np.array(np.datetime64("2024-01-02")), np.array(None, dtype=object),
    np.array(object(), dtype=object), np.array(3, dtype=object),
    np.arange(10.0), np.array([1j, 2j]), np.array(["2024-01-01"], dtype="datetime64[D]"), np.array(["a", "b"]),
    np.random.default_rng(0), np.dtype("f4"),
    # torch
    torch.tensor(0.25), torch.tensor(0.25, dtype=torch.bfloat16), torch.tensor(0.5, dtype=torch.float16),
    torch.tensor(3), torch.tensor(True), torch.tensor(1 + 1j), torch.linspace(-1, 1, 9, dtype=torch.bfloat16),
    torch.arange(4, dtype=torch.float16),
]  # fmt: skip


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (NaN equals NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def test_every_value_log_accepts_is_stored_as_accepted_and_every_other_is_refused_naming_its_key(
    store_dir: Path, tmp_path: Path
) -> None:
    run = wbnb.init(project="p")
    sink = MediaStore(tmp_path / "scratch")  # media paths are content addresses: the run's are the same
    accepted: dict[str, Any] = {}
    refused = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n, value in enumerate(KINDS):
            key = f"k{n}"  # a metric per kind of value
            try:
                made = flatten({key: value}, sink)[key]
            except (TypeError, ValueError) as e:
                assert f"'{key}'" in str(e), (value, e)
                with pytest.raises(type(e), match=f"'{key}'"):
                    run.log({"n": n, key: value})
                refused += 1
                continue
            check_rows([(("n", key), n, 1.0, 0.0, (n, made))], "history")  # a server would take it too
            run.log({"n": n, key: value})
            accepted[key] = made
    wbnb.finish()
    assert not [w for w in caught if "cannot write" in str(w.message)]  # nothing was lost on the way to disk
    stored = {k: v for row in wbnb.Api().run(run.path).scan_history() for k, v in row.items() if k[0] == "k"}
    assert stored.keys() == accepted.keys()  # a refused call stores nothing, an accepted one its row
    wrong = {k: (KINDS[int(k[1:])], stored[k], made) for k, made in accepted.items() if not same(stored[k], made)}
    assert not wrong
    assert refused >= 20 and len(accepted) >= 60  # both sides of the rule are exercised


def test_an_int_past_64_bits_is_refused_under_keys_logged_before(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    run.log({"count": 1})
    with pytest.raises(ValueError, match=r"key 'count': .* does not fit in 64 bits"):
        run.log({"count": 2**64})
    wbnb.finish()


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (np.datetime64("2024-01-02"), "2024-01-02"),
        (np.datetime64("2024-01-02T03:04:05.123456789"), "2024-01-02T03:04:05.123456789"),
        (np.datetime64("NaT"), None),
        (datetime.datetime(2024, 5, 6, 7, 8, 9), "2024-05-06T07:08:09"),
        (np.timedelta64(1500, "ms"), 1.5),
        (datetime.timedelta(minutes=2), 120.0),
        (np.longdouble("1.5"), 1.5),
        (np.float16(0.5), 0.5),
        (np.uint64(2**63 - 1), 2**63 - 1),
        (torch.tensor(0.5, dtype=torch.bfloat16), 0.5),
        (Decimal("0.25"), 0.25),
    ],
)
def test_values_with_an_obvious_meaning_are_converted(store_dir: Path, value: Any, stored: Any) -> None:
    run = wbnb.init(project="p")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no storage warning: the row is kept whole
        run.log({"k": value, "other": 1})
    wbnb.finish()
    (row,) = wbnb.Api().run(run.path).scan_history()
    assert same(row["k"], stored) and row["other"] == 1


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (np.longdouble("1e4000"), None, None),  # inf: a float like any other
        (2**64, ValueError, r"key 'k': 18446744073709551616 does not fit in 64 bits"),
        (np.uint64(2**64 - 1), ValueError, r"key 'k': 18446744073709551615 does not fit in 64 bits"),
        (np.complex64(1j), TypeError, r"key 'k': numpy complex64 scalars cannot be logged"),
        (np.bytes_(b"x"), TypeError, r"key 'k': numpy \|S1 scalars cannot be logged \(bytes"),
        (b"x", TypeError, r"key 'k' has a value of type bytes; accepted"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), ValueError, r"key 'k': Histogram sequence must hold numbers"),
    ],
)
def test_values_that_cannot_be_stored_are_refused_at_the_call_site(
    store_dir: Path, value: Any, error: type[Exception] | None, message: str | None
) -> None:
    run = wbnb.init(project="p")
    if error is None:
        run.log({"k": value})
    else:
        with pytest.raises(error, match=message):
            run.log({"k": value})
    wbnb.finish()
    assert len(list(wbnb.Api().run(run.path).scan_history())) == (error is None)


def _cyclic_dict() -> dict[str, Any]:
    out: dict[str, Any] = {"x": 1}
    out["inner"] = {"back": out}
    return out


def _deep_dict(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        out = {"a": out}
    return out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"a": {"": 1}}, r"key 'a/': the dict under 'a' has an empty key"),
        ({"a/b": 1, "a": {"b": 2}}, r"key 'a/b' is given twice in one call"),
        ({"a": {"b": 2}, "a/b": 1}, r"key 'a/b' is given twice in one call"),
        ({"c": _cyclic_dict()}, r"key 'c/inner/back' is a dict that contains itself"),
        ({"d": _deep_dict(5000)}, r"key 'd(/a){64}' nests dicts deeper than 64 levels"),
        ({"l": _cyclic_list()}, r"key 'l': nests lists deeper than 64 levels \(or contains itself\)"),
        ({"l": _nested_list(5000)}, r"key 'l': nests lists deeper than 64 levels"),
        ({"": 1}, r"key '' is empty"),
        ({"_runtime": 1}, r"key '_runtime' is reserved"),
        ({"a": {1: 2}}, r"key 1 in 'a' is a int; keys must be str"),
    ],
)
def test_bad_keys_and_nesting_are_refused_naming_the_key(store_dir: Path, data: dict[str, Any], message: str) -> None:
    run = wbnb.init(project="p")
    with pytest.raises(ValueError if "keys must be str" not in message else TypeError, match=message):
        run.log(data)
    run.log({"ok": 1})
    wbnb.finish()
    assert [r["ok"] for r in wbnb.Api().run(run.path).scan_history()] == [1]  # nothing half-logged


def test_summary_values_follow_the_same_rules(store_dir: Path) -> None:
    run = wbnb.init(project="p")
    with pytest.raises(ValueError, match=r"key 'c/inner/back' is a dict that contains itself"):
        run.summary["c"] = _cyclic_dict()
    with pytest.raises(ValueError, match=r"key 'big': .* does not fit in 64 bits"):
        run.summary["big"] = 2**70
    run.summary["when"] = np.datetime64("2024-01-02")
    wbnb.finish()
    assert wbnb.Api().run(run.path).summary["when"] == "2024-01-02"
