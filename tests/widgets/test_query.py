"""The Python filter language and sort (``wbnb/widgets/query.py``) give the rows the
browser gives: the cases of ``tests/js/filter_sort.test.ts``, run against Python."""

from __future__ import annotations

import math
import re

import pytest

from wbnb.widgets.query import FilterError, check, compile_filter, parse, sort_rows

RUNS = [
    {
        "name": "resnet-50",
        "tags": ["baseline", "cnn"],
        "summary.val_acc": 0.91,
        "config.lr": 1e-4,
        "summary.val/loss": 0.3,
        "state": "finished",
    },
    {
        "name": "ResNet-18",
        "tags": ["cnn"],
        "summary.val_acc": 0.79,
        "config.lr": 5e-4,
        "summary.val/loss": 0.5,
        "state": "crashed",
    },
    {"name": "vit-small", "tags": ["baseline"], "summary.val_acc": 0.85, "config.lr": 3e-3, "state": "finished"},
    {"name": "mlp", "tags": [], "config.lr": 1e-4, "state": "running"},
]


def names(expr: str) -> list[str]:
    def resolve(field: str):
        return (lambda i: RUNS[i].get(field)) if any(field in r for r in RUNS) else None

    pred = compile_filter(expr, resolve)
    return [r["name"] for i, r in enumerate(RUNS) if pred(i)]


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("summary.val_acc > 0.8 and config.lr < 1e-3", ["resnet-50"]),
        ("config.lr >= 3E-3", ["vit-small"]),
        ("config.lr == 0.0001", ["resnet-50", "mlp"]),
        ("summary.val_acc <= -1", []),
        ("tags has baseline", ["resnet-50", "vit-small"]),
        ("name ~ resnet", ["resnet-50", "ResNet-18"]),
        ("name ~ '^res.*50$'", ["resnet-50"]),
        ("name ~ 'net-(1'", []),  # a bad regex is a plain substring, no error
        ("summary.val/loss < 0.4", ["resnet-50"]),
        ('state == "finished"', ["resnet-50", "vit-small"]),
        ("summary.val_acc < 100", ["resnet-50", "ResNet-18", "vit-small"]),  # missing never matches
        ("summary.val_acc != 0.5", ["resnet-50", "ResNet-18", "vit-small"]),
        ("config.nope > 0", []),
        ("summary.val/loss ~ 0", ["resnet-50", "ResNet-18"]),
        ("name ~ mlp or tags has cnn and summary.val_acc > 0.9", ["resnet-50", "mlp"]),  # and binds tighter
        ("(name ~ mlp or tags has cnn) and summary.val_acc > 0.8", ["resnet-50"]),
        ("not tags has cnn", ["vit-small", "mlp"]),
        ("NOT (state == finished OR state == crashed)", ["mlp"]),
        ("", ["resnet-50", "ResNet-18", "vit-small", "mlp"]),
    ],
)
def test_filters_as_the_browser_does(expr: str, expected: list[str]) -> None:
    assert names(expr) == expected


def test_and_binds_tighter_than_or() -> None:
    ast = parse("a > 1 or b > 2 and c > 3")
    assert ast is not None and ast[0] == "or" and ast[2][0] == "and"


@pytest.mark.parametrize(
    "src, pos, pattern",
    [
        ("summary.acc >", 13, r"a value"),
        ("summary.acc 0.8", 12, r"an operator"),
        ("(config.lr < 1", 14, r'"\)"'),
        ("config.lr < 1 and", 17, r"a field name"),
        ("config.lr < 1 xor b > 2", 14, r'"and", "or"'),
        ("name == 'abc", 8, r"closing '"),
        ("a > 1 & b", 6, r"a field, value"),
    ],
)
def test_malformed_filters_say_where_and_what(src: str, pos: int, pattern: str) -> None:
    error = check(src)
    assert re.search(pattern, error) and error.startswith(f"at {pos + 1}:")
    with pytest.raises(FilterError) as e:
        parse(src)
    assert e.value.pos == pos


def test_sort_is_stable_multi_key_missing_last_natural() -> None:
    vals = [
        {"a": 2, "s": "run-10"},
        {"a": None, "s": "run-2"},
        {"a": 1, "s": "Run-3"},
        {"a": 2, "s": None},
        {"a": math.nan, "s": "run-1"},
        {"a": 1, "s": "run-3"},
    ]
    key = lambda f, desc=False: (lambda i: vals[i][f], desc)
    idx = list(range(6))
    assert sort_rows(idx, [key("a")]) == [2, 5, 0, 3, 1, 4]
    assert sort_rows(idx, [key("a", True)]) == [0, 3, 2, 5, 1, 4]
    assert sort_rows(idx, [key("s")]) == [4, 1, 2, 5, 0, 3]
    assert sort_rows(idx, [key("a", True), key("s", True)]) == [0, 3, 2, 5, 1, 4]
    assert sort_rows(idx, [key("a"), key("s", True)]) == [2, 5, 0, 3, 1, 4]
    mixed = ["b", 3, None, "a", 1]
    assert sort_rows(list(range(5)), [(lambda i: mixed[i], False)]) == [4, 1, 3, 0, 2]
