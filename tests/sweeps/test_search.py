"""Grid and random search (``wbnb/sweeps/search.py``): the grid in wandb's order, complete,
never repeating a claimed point, exhausted at its end; random suggestions that depend on
the seed and their index only; nested parameters as nested dicts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from wbnb.errors import UsageError
from wbnb.sweeps.search import Grid, canonical, ordered_leaves, random_point


@dataclass(frozen=True)
class Values:
    values: list[Any]

    def grid_values(self) -> list[Any] | None:
        return list(self.values)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]


@dataclass(frozen=True)
class Uniform:
    low: float
    high: float

    def grid_values(self) -> list[Any] | None:
        return None

    def sample(self, rng: np.random.Generator) -> Any:
        return float(rng.uniform(self.low, self.high))


class Space:
    """A stand-in for the parsed config: leaves by dotted name, and nest()."""

    def __init__(self, parameters: Mapping[str, Any]) -> None:
        self._leaves: dict[str, Any] = {}
        self._add(parameters, "")

    def _add(self, parameters: Mapping[str, Any], prefix: str) -> None:
        for name, spec in parameters.items():
            if "parameters" in spec:
                self._add(spec["parameters"], f"{prefix}{name}.")
            elif "values" in spec:
                self._leaves[prefix + name] = Values(spec["values"])
            elif "value" in spec:
                self._leaves[prefix + name] = Values([spec["value"]])
            else:
                self._leaves[prefix + name] = Uniform(spec["min"], spec["max"])

    def leaves(self) -> dict[str, Any]:
        return dict(self._leaves)

    def nest(self, flat: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in flat.items():
            *parents, leaf = name.split(".")
            node = out
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return out


def all_points(grid: Grid) -> list[dict[str, Any]]:
    return [grid.point(i) for i in range(grid.size)]


def test_grid_walks_the_product_in_wandbs_order() -> None:
    # names sorted (a before b, whatever the config's order), the last varying fastest
    grid = Grid(Space({"b": {"values": [1, 2]}, "a": {"values": ["x", "y", "z"]}, "c": {"value": 0.5}}))
    assert grid.names == ["a", "b", "c"]
    assert grid.size == 6
    assert all_points(grid) == [
        {"a": a, "b": b, "c": 0.5} for a, b in [("x", 1), ("x", 2), ("y", 1), ("y", 2), ("z", 1), ("z", 2)]
    ]
    with pytest.raises(IndexError):
        grid.point(6)
    with pytest.raises(IndexError):
        grid.point(-1)


def test_grid_never_repeats_a_claimed_point_and_knows_when_it_is_done() -> None:
    grid = Grid(Space({"lr": {"values": [0.1, 0.01]}, "batch": {"values": [16, 32, 64]}}))
    claimed: list[dict[str, Any]] = []
    while (found := grid.next(claimed)) is not None:
        index, point = found
        assert index == grid.index_of(point)
        claimed.append(point)
    assert len(claimed) == grid.size == 6
    assert sorted(map(canonical, claimed)) == sorted(map(canonical, all_points(grid)))  # each once
    assert grid.next(claimed) is None


def test_grid_skips_points_claimed_by_runs_in_any_order() -> None:
    grid = Grid(Space({"lr": {"values": [0.1, 0.01]}, "batch": {"values": [16, 32]}}))
    # run configs: other keys of the run's config are ignored, 32.0 is the grid's 32
    runs = [
        {"batch": 16, "lr": 0.1, "epochs": 3},
        {"lr": 0.1, "batch": 32.0, "_wandb": {}},
        {"batch": 16},  # a config without lr holds no grid point
        {"batch": 8, "lr": 0.1},  # nor one off the grid
    ]
    assert [grid.index_of(run) for run in runs] == [0, 2, None, None]
    assert grid.next(runs) == (1, {"batch": 16, "lr": 0.01})
    assert grid.next([*runs, {"batch": 16, "lr": 0.01}]) == (3, {"batch": 32, "lr": 0.01})


def test_values_wandb_hashes_alike_are_one_grid_value() -> None:
    grid = Grid(Space({"n": {"values": [1, 1.0, 2, True, [1, 2], [1.0, 2.0]]}}))
    # 1 and 1.0 are one value (the first kept), True is not 1, [1, 2] is [1.0, 2.0]
    assert all_points(grid) == [{"n": 1}, {"n": 2}, {"n": True}, {"n": [1, 2]}]
    assert grid.index_of({"n": np.int64(2)}) == 1


def test_nested_parameters_make_nested_points() -> None:
    space = Space(
        {
            "optimizer": {"parameters": {"name": {"values": ["adam", "sgd"]}, "lr": {"values": [0.1, 0.01]}}},
            "epochs": {"value": 3},
        }
    )
    grid = Grid(space)
    assert grid.names == ["epochs", "optimizer.lr", "optimizer.name"]
    assert grid.point(0) == {"epochs": 3, "optimizer": {"lr": 0.1, "name": "adam"}}
    assert grid.point(3) == {"epochs": 3, "optimizer": {"lr": 0.01, "name": "sgd"}}
    assert [grid.index_of(point) for point in all_points(grid)] == [0, 1, 2, 3]
    assert grid.index_of({"epochs": 3, "optimizer": "adam"}) is None
    assert random_point(space, seed=1, index=0)["optimizer"].keys() == {"lr", "name"}


def test_nested_names_sort_at_each_level() -> None:
    # wandb sorts each level's keys: "a" (and all under it) before "a-b", although the
    # joined name "a-b" sorts before "a.x"
    space = Space({"a-b": {"values": [1]}, "a": {"parameters": {"x": {"values": [2]}}}})
    assert [name for name, _ in ordered_leaves(space)] == ["a.x", "a-b"]


def test_grid_refuses_a_continuous_parameter_by_name() -> None:
    with pytest.raises(UsageError, match=r"parameters\.opt\.lr: grid search needs a finite set"):
        Grid(Space({"opt": {"parameters": {"lr": {"min": 0.0, "max": 1.0}}}}))


def test_random_suggestion_depends_on_the_seed_and_its_index_only() -> None:
    space = Space({"lr": {"min": 0.0, "max": 1.0}, "batch": {"values": [16, 32, 64, 128]}, "epochs": {"value": 3}})
    first = [random_point(space, seed=7, index=n) for n in range(20)]
    assert [random_point(space, seed=7, index=n) for n in range(20)] == first
    # agents claiming indexes out of order get the same suggestions
    assert [random_point(space, seed=7, index=n) for n in reversed(range(20))] == first[::-1]
    # distinct indexes, distinct suggestions; another seed, another sequence
    assert len({point["lr"] for point in first}) == 20
    assert [random_point(space, seed=8, index=n) for n in range(20)] != first
    assert {point["epochs"] for point in first} == {3}
    assert {point["batch"] for point in first} <= {16, 32, 64, 128}
