"""Grid search and Hyperband decide as wandb's own engine does: cases recorded from it
(``wandb_engine_cases.json``: random sweeps run through its ``stop_runs`` and
``grid_search_next_runs``, at the commit named there; PyPI's ``sweeps`` 0.2.0 predates its
Hyperband fixes, so the GitHub source was used)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wbnb.sweeps.config import parse_sweep_config
from wbnb.sweeps.hyperband import should_stop
from wbnb.sweeps.search import Grid

CASES = json.loads((Path(__file__).parent / "wandb_engine_cases.json").read_text())


@pytest.mark.parametrize("case", CASES["hyperband"], ids=lambda case: str(case["early_terminate"]))
def test_hyperband_stops_the_runs_wandbs_engine_stops(case: dict[str, Any]) -> None:
    config = parse_sweep_config(
        {
            "method": "random",
            "metric": {"name": "loss", "goal": case["goal"]},
            "early_terminate": case["early_terminate"],
            "parameters": {"a": {"values": [1]}},
        }
    )
    assert config.early_terminate is not None and config.metric is not None
    histories = [run["history"] for run in case["runs"]]
    stopped = [
        i
        for i, run in enumerate(case["runs"])
        if run["running"]
        and should_stop(run["history"], histories[:i] + histories[i + 1 :], config.early_terminate, config.metric.goal)
    ]
    assert stopped == case["stopped"]


@pytest.mark.parametrize("case", CASES["grid"], ids=lambda case: json.dumps(case["parameters"]))
def test_grid_walks_the_points_in_wandbs_engine_order(case: dict[str, Any]) -> None:
    grid = Grid(parse_sweep_config({"method": "grid", "parameters": case["parameters"]}))
    assert [grid.point(i) for i in range(grid.size)] == case["points"]
