"""Grid and random search (``wbnb/sweeps/search.py``): the grid in wandb's order, complete,
never repeating a claimed point, exhausted at its end; random suggestions that depend on
the seed and their index only; nested parameters as nested dicts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from wbnb.errors import UsageError
from wbnb.sweeps.config import SweepConfig, parse_sweep_config
from wbnb.sweeps.search import Grid, canonical, ordered_leaves, random_point


def make_grid(parameters: dict[str, Any]) -> Grid:
    return Grid(parse_sweep_config({"method": "grid", "parameters": parameters}))


def random_config(parameters: dict[str, Any]) -> SweepConfig:
    return parse_sweep_config({"method": "random", "parameters": parameters})


def all_points(grid: Grid) -> list[dict[str, Any]]:
    return [grid.point(i) for i in range(grid.size)]


def test_grid_walks_the_product_in_wandbs_order() -> None:
    # names sorted (a before b, whatever the config's order), the last varying fastest
    grid = make_grid({"b": {"values": [1, 2]}, "a": {"values": ["x", "y", "z"]}, "c": {"value": 0.5}})
    assert grid.names == [("a",), ("b",), ("c",)]
    assert grid.size == 6
    assert all_points(grid) == [
        {"a": a, "b": b, "c": 0.5} for a, b in [("x", 1), ("x", 2), ("y", 1), ("y", 2), ("z", 1), ("z", 2)]
    ]
    with pytest.raises(IndexError):
        grid.point(6)
    with pytest.raises(IndexError):
        grid.point(-1)


def test_grid_never_repeats_a_claimed_point_and_knows_when_it_is_done() -> None:
    grid = make_grid({"lr": {"values": [0.1, 0.01]}, "batch": {"values": [16, 32, 64]}})
    claimed: list[dict[str, Any]] = []
    while (found := grid.next(claimed)) is not None:
        index, point = found
        assert index == grid.index_of(point)
        claimed.append(point)
    assert len(claimed) == grid.size == 6
    assert sorted(map(canonical, claimed)) == sorted(map(canonical, all_points(grid)))  # each once
    assert grid.next(claimed) is None


def test_grid_skips_points_claimed_by_runs_in_any_order() -> None:
    grid = make_grid({"lr": {"values": [0.1, 0.01]}, "batch": {"values": [16, 32]}})
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
    grid = make_grid({"n": {"values": [1, 1.0, 2, True, [1, 2], [1.0, 2.0]]}})
    # 1 and 1.0 are one value (the first kept), True is not 1, [1, 2] is [1.0, 2.0]
    assert all_points(grid) == [{"n": 1}, {"n": 2}, {"n": True}, {"n": [1, 2]}]
    assert grid.index_of({"n": np.int64(2)}) == 1


def test_nested_parameters_make_nested_points() -> None:
    parameters = {
        "optimizer": {"parameters": {"name": {"values": ["adam", "sgd"]}, "lr": {"values": [0.1, 0.01]}}},
        "epochs": {"value": 3},
    }
    grid = make_grid(parameters)
    assert grid.names == [("epochs",), ("optimizer", "lr"), ("optimizer", "name")]
    assert grid.point(0) == {"epochs": 3, "optimizer": {"lr": 0.1, "name": "adam"}}
    assert grid.point(3) == {"epochs": 3, "optimizer": {"lr": 0.01, "name": "sgd"}}
    assert [grid.index_of(point) for point in all_points(grid)] == [0, 1, 2, 3]
    assert grid.index_of({"epochs": 3, "optimizer": "adam"}) is None
    assert random_point(random_config(parameters), seed=1, index=0)["optimizer"].keys() == {"lr", "name"}


def test_nested_names_sort_at_each_level() -> None:
    # wandb sorts each level's keys: "a" (and all under it) before "a-b", although a
    # joined name "a-b" would sort before "a.x"
    config = random_config({"a-b": {"values": [1]}, "a": {"parameters": {"x": {"values": [2]}}}})
    assert [name for name, _ in ordered_leaves(config)] == [("a", "x"), ("a-b",)]


def test_a_continuous_grid_parameter_is_refused_by_name() -> None:
    # at parse, before any grid is walked
    with pytest.raises(UsageError, match=r"parameters\.opt\.parameters\.lr: grid search needs"):
        make_grid({"opt": {"parameters": {"lr": {"min": 0.0, "max": 1.0}}}})


def test_random_suggestion_depends_on_the_seed_and_its_index_only() -> None:
    space = random_config(
        {"lr": {"min": 0.0, "max": 1.0}, "batch": {"values": [16, 32, 64, 128]}, "epochs": {"value": 3}}
    )
    first = [random_point(space, seed=7, index=n) for n in range(20)]
    assert [random_point(space, seed=7, index=n) for n in range(20)] == first
    # agents claiming indexes out of order get the same suggestions
    assert [random_point(space, seed=7, index=n) for n in reversed(range(20))] == first[::-1]
    # distinct indexes, distinct suggestions; another seed, another sequence
    assert len({point["lr"] for point in first}) == 20
    assert [random_point(space, seed=8, index=n) for n in range(20)] != first
    assert {point["epochs"] for point in first} == {3}
    assert {point["batch"] for point in first} <= {16, 32, 64, 128}


def test_grid_walks_int_uniform_bounds_as_values() -> None:
    grid = make_grid({"layers": {"min": 1, "max": 3}, "act": {"values": ["relu", "tanh"]}})
    assert all_points(grid) == [{"act": act, "layers": n} for act in ("relu", "tanh") for n in (1, 2, 3)]


def test_a_huge_grid_is_indexed_without_walking_it() -> None:
    # 10**20 points: past numpy's index range, so points are found by Python's integers
    grid = make_grid({f"p{i:02}": {"values": list(range(10))} for i in range(20)})
    assert grid.size == 10**20
    last = grid.point(10**20 - 1)
    assert set(last.values()) == {9}
    assert grid.index_of(last) == 10**20 - 1
    assert grid.index_of(grid.point(12345678901234567890)) == 12345678901234567890
    assert grid.next([grid.point(0)]) == (1, grid.point(1))
