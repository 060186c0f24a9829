"""``Table.iterrows()`` and ``Table(allow_mixed_types=)``, as wandb has them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import wbnb as wandb
from wbnb.data import Image, Table


def test_iterrows_yields_index_and_row() -> None:
    t = Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
    assert [(i, row) for i, row in t.iterrows()] == [(0, [1, "x"]), (1, [2, "y"])]
    assert list(Table(columns=["a"]).iterrows()) == []


def test_a_column_keeps_one_kind_of_value_as_in_wandb() -> None:
    t = Table(columns=["n", "img"])
    t.add_data(1, Image(np.zeros((2, 2))))
    t.add_data(2.5, None)  # ints and floats are both numbers; None fits any column
    with pytest.raises(TypeError, match=r"column 'n' holds number values but row 2 has a str \('three'\)"):
        t.add_data("three", None)
    with pytest.raises(TypeError, match="allow_mixed_types=True"):
        Table(columns=["flag"], data=[[True], [1]])
    with pytest.raises(TypeError, match="column 'late' holds number values but row 1 has a str"):
        t.add_column("late", [1, "x"])
    assert t.columns == ["n", "img"] and len(t.data) == 2  # the refused row and column left nothing behind
    t.add_column("late", ["a", None])  # the refused column claimed no kind
    assert t.get_column("late") == ["a", None]


def test_numpy_floats_and_python_numbers_share_a_column() -> None:
    # np.float64 is a float subclass that to_plain keeps as it is: still a number, as in wandb.
    t = Table(columns=["x"], data=[[1.0], [np.float64(2.5)], [np.int64(3)], [4]])
    assert t.get_column("x") == [1.0, 2.5, 3, 4]
    with pytest.raises(TypeError, match="holds number values but row 1 has a bool"):
        Table(columns=["x"], data=[[np.float64(1.0)], [np.True_]])


def test_a_failed_row_claims_no_kind_for_its_columns() -> None:
    t = Table(columns=["a", "b"], data=[[None, 1]])
    with pytest.raises(TypeError):
        t.add_data("s", "not a number")
    t.add_data(3, 2)  # column a is still open to any kind
    assert t.data == [[None, 1], [3, 2]]


def test_allow_mixed_types_keeps_mixed_columns(store_dir: Path) -> None:
    t = Table(columns=["v"], data=[[1], ["two"], [True]], allow_mixed_types=True)
    t.add_data({"k": 1})
    run = wandb.init(project="t")
    run.log({"mixed": t})
    run.finish()
    stored = wandb.Api().run(f"t/{run.id}")
    back = Table.from_record(stored.summary["mixed"], stored.media)
    assert back.data == [[1], ["two"], [True], [{"k": 1}]]
