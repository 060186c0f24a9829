"""Record ``wandb_engine_cases.json`` from wandb's own sweeps engine (not run by the tests).

PyPI's ``sweeps`` (0.2.0, 2022) predates its Hyperband fixes, so use the GitHub source::

    git clone https://github.com/wandb/sweeps /tmp/ws
    pip install --target /tmp/swdeps jsonref   # its one import wbnb's test env lacks
    PYTHONPATH=/tmp/ws/src:/tmp/swdeps python -W ignore tests/sweeps/make_wandb_engine_cases.py /tmp/ws
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from sweeps import RunState, SweepRun, stop_runs  # type: ignore[import-not-found]
from sweeps.grid_search import grid_search_next_runs  # type: ignore[import-not-found]

rnd = random.Random(17)


def hyperband_case() -> dict[str, Any] | None:
    goal = rnd.choice(["minimize", "maximize"])
    et: dict[str, Any] = {"type": "hyperband", "eta": rnd.choice([2, 3, 4, 2.5]), "strict": rnd.choice([True, False])}
    if rnd.random() < 0.5:
        et["min_iter"] = rnd.randint(1, 3)
    else:
        et.update(max_iter=rnd.randint(3, 27), s=rnd.randint(1, 3))
    config = {"method": "random", "metric": {"name": "m", "goal": goal}, "early_terminate": et}
    config["parameters"] = {"a": {"values": [1]}}
    runs = []
    for _ in range(rnd.randint(2, 6)):
        values = [rnd.choice([rnd.randint(0, 5), round(rnd.uniform(0, 5), 1)]) for _ in range(rnd.randint(0, 16))]
        runs.append({"running": rnd.random() < 0.7, "history": [v if rnd.random() > 0.05 else "NaN" for v in values]})
    swept = [
        SweepRun(
            name=str(i),
            state=RunState.running if run["running"] else RunState.finished,
            history=[{"m": v} for v in run["history"]],
        )
        for i, run in enumerate(runs)
    ]
    try:
        stopped = stop_runs(config, swept)
    except ValueError:  # no band at all: wbnb refuses such a config at parse
        return None
    return {"early_terminate": et, "goal": goal, "runs": runs, "stopped": sorted(int(r.name) for r in stopped)}


def grid_case() -> dict[str, Any] | None:
    params: dict[str, Any] = {}
    for key in rnd.sample(["b", "a", "c-d", "c", "e"], rnd.randint(1, 4)):
        x = rnd.random()
        if x < 0.25:
            inner = rnd.sample(["y", "x", "z"], 2)
            params[key] = {
                "parameters": {k: {"values": rnd.sample([1, 2, 3, 2.0, "x"], rnd.randint(1, 3))} for k in inner}
            }
        elif x < 0.45:
            params[key] = {"min": 1, "max": rnd.randint(2, 4)}
        elif x < 0.55:
            params[key] = {"distribution": "q_uniform", "min": 0, "max": 1, "q": rnd.choice([0.25, 0.5])}
        else:
            params[key] = {"values": rnd.sample([1, 2, 3, 3.0, "x", True, [1, 2]], rnd.randint(1, 4))}
    runs = [run for run in grid_search_next_runs([], {"method": "grid", "parameters": params}, n=50) if run]
    if len(runs) > 49:  # keep the file small
        return None

    def unwrap(config: dict[str, Any]) -> dict[str, Any]:
        return {k: v["value"] if "value" in v else unwrap(v) for k, v in config.items()}

    return {"parameters": params, "points": [unwrap(run.config) for run in runs]}


def main(source: str) -> None:
    commit = subprocess.check_output(["git", "-C", source, "rev-parse", "HEAD"], text=True).strip()
    hyperband: list[dict[str, Any]] = []
    while len(hyperband) < 80:
        hyperband += filter(None, [hyperband_case()])
    grid: list[dict[str, Any]] = []
    while len(grid) < 30:
        grid += filter(None, [grid_case()])
    line = lambda case: json.dumps(case, separators=(",", ":"))
    text = (
        f'{{"engine": "github.com/wandb/sweeps@{commit}",\n"hyperband": [\n'
        + ",\n".join(map(line, hyperband))
        + '\n],\n"grid": [\n'
        + ",\n".join(map(line, grid))
        + "\n]}\n"
    )
    (Path(__file__).parent / "wandb_engine_cases.json").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1])
