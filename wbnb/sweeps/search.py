"""Grid and random search: the next trial's parameters, as a nested dict.

Both read a parsed sweep config (``config.SweepConfig``): its leaves (path of names ->
distribution), taken in wandb's order, sorted by name at each level of nesting.

*Grid* walks the Cartesian product of the leaves' finite values, the last leaf varying
fastest (wandb's ``itertools.product`` order). A point has an index, so agents that claim
indexes atomically never run a point twice; ``Grid.next`` also skips the points already
claimed by their config, as wandb's engine does. Two values that wandb hashes alike
(``3`` and ``3.0``) are one value.

*Random* draws suggestion ``n`` of a sweep from ``numpy.random.default_rng([seed, n])``: it
depends on the seed and ``n`` only, so several agents claiming indexes get distinct,
reproducible suggestions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .config import SweepConfig
from .distributions import Distribution

Path = tuple[str, ...]  # a leaf's names, outermost first: ("optimizer", "lr")


def ordered_leaves(config: SweepConfig) -> list[tuple[Path, Distribution]]:
    """The leaves in wandb's order: sorted by name at each level of nesting."""
    return sorted(config.leaves().items(), key=lambda item: item[0])


class Grid:
    """The grid of a sweep's parameters: its size, the point at an index, the next point
    not yet claimed."""

    def __init__(self, config: SweepConfig) -> None:
        self._config = config
        self.names: list[Path] = []
        self._values: list[list[Any]] = []
        self._keys: list[dict[str, int]] = []  # canonical value -> its position, per leaf
        for name, leaf in ordered_leaves(config):
            values = leaf.grid_values()
            assert values is not None  # parse_sweep_config refuses a continuous grid parameter
            keys: dict[str, int] = {}
            unique: list[Any] = []
            for value in values:
                if canonical(value) not in keys:
                    keys[canonical(value)] = len(unique)
                    unique.append(value)
            self.names.append(name)
            self._values.append(unique)
            self._keys.append(keys)
        self.size = 1
        for unique in self._values:
            self.size *= len(unique)

    def point(self, index: int) -> dict[str, Any]:
        """The point at ``index`` of the walk (``0 <= index < size``)."""
        if not 0 <= index < self.size:
            raise IndexError(f"grid point {index} of {self.size}")
        digits = []
        for values in reversed(self._values):  # the last leaf varies fastest; any size (Python ints)
            index, digit = divmod(index, len(values))
            digits.append(digit)
        picked = (values[digit] for values, digit in zip(self._values, reversed(digits)))
        return self._config.nest(dict(zip(self.names, picked)))

    def index_of(self, config: Mapping[str, Any]) -> int | None:
        """The index of the point a run's config holds (extra keys ignored), or ``None``
        when one of the grid's values is missing from it or is not on the grid."""
        index = 0
        for name, values, keys in zip(self.names, self._values, self._keys):
            found, value = _lookup(config, name)
            digit = keys.get(canonical(value)) if found else None
            if digit is None:
                return None
            index = index * len(values) + digit
        return index

    def next(self, claimed: Iterable[Mapping[str, Any]] = ()) -> tuple[int, dict[str, Any]] | None:
        """The first point of the walk that none of ``claimed`` (run configs) holds, with
        its index; ``None`` when the grid is exhausted."""
        taken = {self.index_of(config) for config in claimed}
        for index in range(self.size):
            if index not in taken:
                return index, self.point(index)
        return None


def random_point(config: SweepConfig, seed: int, index: int) -> dict[str, Any]:
    """Suggestion ``index`` (from 0) of a random sweep with this ``seed``: each leaf drawn
    from its distribution, in wandb's leaf order, by a generator seeded with both."""
    rng = np.random.default_rng([seed, index])
    return config.nest({name: leaf.sample(rng) for name, leaf in ordered_leaves(config)})


def canonical(value: Any) -> str:
    """The text two equal parameter values share: JSON with sorted keys, a float that is an
    integer written as one (wandb's grid dedupe: 3.0 is 3), numpy scalars as Python's."""
    return json.dumps(_plain(value), sort_keys=True, default=repr)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _lookup(config: Mapping[str, Any], name: Path) -> tuple[bool, Any]:
    # the inverse of nest(): ("opt", "lr") is config["opt"]["lr"]
    node: Any = config
    for part in name:
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node
