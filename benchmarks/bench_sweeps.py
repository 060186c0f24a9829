"""Sweep search figures (issue 17). Prints; asserts nothing.

    python benchmarks/bench_sweeps.py [--quick]

Search quality: the median over seeds of the best value found after 10 / 20 / 30 trials, on
Branin (minimum 0.397887), Hartmann-6 (minimum -3.32237) and a real model (3-fold
cross-validated accuracy of an SVC on scikit-learn's digits: C, gamma, kernel), for
our Bayesian search, our random search, W&B's own engine (the ``sweeps`` package,
``next_run``) and Optuna's TPE sampler. W&B's engine and Optuna are imported
only here, and printed as "not installed" when absent; to compare with them:

    python3 -m venv /tmp/sweepbench
    /tmp/sweepbench/bin/pip install sweeps==0.3.0 optuna scikit-learn scipy numpy
    PYTHONPATH=. /tmp/sweepbench/bin/python benchmarks/bench_sweeps.py

Overhead: the time one Bayesian suggestion takes with 200 ended trials (Hartmann-6's six
parameters), ours and W&B's; and the in-process agent's gap from one trial's end to the
next trial's first line (``bench_agent.py``, whose other figures it prints alone).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wbnb.sweeps import parse_sweep_config  # noqa: E402
from wbnb.sweeps.bayes import suggest  # noqa: E402
from wbnb.sweeps.search import random_point  # noqa: E402

CHECKPOINTS = (10, 20, 30)
Objective = Callable[[dict[str, Any]], float]


def branin(p: dict[str, Any]) -> float:
    x1, x2 = p["x1"], p["x2"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_H6_A = np.array(
    [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(p: dict[str, Any]) -> float:
    x = np.array([p[f"x{i}"] for i in range(1, 7)])
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


def digits_svc() -> Objective:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.svm import SVC

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    cache: dict[tuple[Any, ...], float] = {}

    def accuracy(p: dict[str, Any]) -> float:
        key = (p["C"], p["gamma"], p["kernel"])
        if key not in cache:
            model = SVC(C=p["C"], gamma=p["gamma"], kernel=p["kernel"])
            cache[key] = float(cross_val_score(model, X, y, cv=3).mean())
        return cache[key]

    return accuracy


PROBLEMS: dict[str, tuple[dict[str, Any], Callable[[], Objective]]] = {
    "branin": (
        {
            "metric": {"name": "y", "goal": "minimize"},
            "parameters": {"x1": {"min": -5.0, "max": 10.0}, "x2": {"min": 0.0, "max": 15.0}},
        },
        lambda: branin,
    ),
    "hartmann6": (
        {
            "metric": {"name": "y", "goal": "minimize"},
            "parameters": {f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 7)},
        },
        lambda: hartmann6,
    ),
    "digits SVC acc": (
        {
            "metric": {"name": "y", "goal": "maximize"},
            "parameters": {
                "C": {"distribution": "log_uniform_values", "min": 1e-2, "max": 1e3},
                "gamma": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e1},
                "kernel": {"values": ["rbf", "poly", "sigmoid"]},
            },
        },
        digits_svc,
    ),
}


def ours_bayes(raw: dict[str, Any], f: Objective, seed: int, n: int) -> list[float]:
    config = parse_sweep_config({"method": "bayes", **raw})
    observed: list[tuple[dict[str, Any], float]] = []
    for i in range(n):
        params = suggest(config, seed, i, observed, [])
        observed.append((params, f(params)))
    return [v for _, v in observed]


def ours_random(raw: dict[str, Any], f: Objective, seed: int, n: int) -> list[float]:
    config = parse_sweep_config({"method": "random", **raw})
    return [f(random_point(config, seed, i)) for i in range(n)]


def wandb_engine(raw: dict[str, Any], f: Objective, seed: int, n: int) -> list[float]:
    from sweeps import RunState, SweepRun, next_run

    config = {"method": "bayes", **raw}
    np.random.seed(seed)  # W&B's engine draws its start and candidates from numpy's global state
    runs: list[Any] = []
    values = []
    for _ in range(n):
        params = {k: v["value"] for k, v in next_run(config, runs).config.items()}
        value = f(params)
        values.append(value)
        runs.append(
            SweepRun(
                config={k: {"value": v} for k, v in params.items()},
                state=RunState.finished,
                summary_metrics={"y": value},
            )
        )
    return values


def optuna_tpe(raw: dict[str, Any], f: Objective, seed: int, n: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: Any) -> float:
        params: dict[str, Any] = {}
        for name, spec in raw["parameters"].items():
            if "values" in spec:
                params[name] = trial.suggest_categorical(name, spec["values"])
            else:
                log = spec.get("distribution") == "log_uniform_values"
                params[name] = trial.suggest_float(name, spec["min"], spec["max"], log=log)
        return f(params)

    direction = raw["metric"]["goal"]
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n)
    return [t.value for t in study.trials]


METHODS: dict[str, tuple[Callable[..., list[float]], str | None]] = {
    "wbnb bayes": (ours_bayes, None),
    "wbnb random": (ours_random, None),
    "W&B engine (sweeps)": (wandb_engine, "sweeps"),
    "Optuna TPE": (optuna_tpe, "optuna"),
}


def installed(module: str | None) -> bool:
    if module is None:
        return True
    try:
        with warnings.catch_warnings():  # sweeps 0.3.0's pydantic config warns at import
            warnings.simplefilter("ignore")
            __import__(module)
    except ImportError:
        return False
    return True


def best_so_far(values: list[float], goal: str, k: int) -> float:
    return min(values[:k]) if goal == "minimize" else max(values[:k])


def bench_quality(seeds: int) -> None:
    print(f"Search quality: median over {seeds} seeds of the best value after {'/'.join(map(str, CHECKPOINTS))} trials")
    print(f"{'problem':16} {'method':22} " + " ".join(f"{'@' + str(k):>9}" for k in CHECKPOINTS) + "   seconds")
    for problem, (raw, make) in PROBLEMS.items():
        f, goal = make(), raw["metric"]["goal"]
        for method, (run, module) in METHODS.items():
            if not installed(module):
                print(f"{problem:16} {method:22} not installed (pip install {module})")
                continue
            t = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                runs = [run(raw, f, seed, CHECKPOINTS[-1]) for seed in range(seeds)]
            cells = [statistics.median(best_so_far(v, goal, k) for v in runs) for k in CHECKPOINTS]
            print(
                f"{problem:16} {method:22} "
                + " ".join(f"{c:9.4f}" for c in cells)
                + f"   {time.perf_counter() - t:7.1f}"
            )


def bench_suggestion_time(calls: int) -> None:
    raw, _ = PROBLEMS["hartmann6"]
    rng = np.random.default_rng(0)
    points = [{f"x{i}": float(v) for i, v in enumerate(row, 1)} for row in rng.random((200, 6))]
    observed = [(p, hartmann6(p)) for p in points]
    config = parse_sweep_config({"method": "bayes", **raw})
    samples = []
    for i in range(calls):
        t = time.perf_counter()
        suggest(config, 0, 200 + i, observed, [])
        samples.append((time.perf_counter() - t) * 1e3)
    print(f"wbnb bayes suggestion, 200 ended trials, 6 parameters: median {statistics.median(samples):7.1f} ms")
    if not installed("sweeps"):
        print("W&B engine suggestion: not installed (pip install sweeps)")
        return
    from sweeps import RunState, SweepRun, next_run

    runs = [
        SweepRun(config={k: {"value": v} for k, v in p.items()}, state=RunState.finished, summary_metrics={"y": y})
        for p, y in observed
    ]
    samples = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(calls):
            t = time.perf_counter()
            next_run({"method": "bayes", **raw}, runs)
            samples.append((time.perf_counter() - t) * 1e3)
    print(f"W&B engine suggestion, 200 ended trials, 6 parameters: median {statistics.median(samples):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds instead of 10, fewer timing calls")
    args = parser.parse_args()
    bench_suggestion_time(3 if args.quick else 9)
    bench_agent_gap(5 if args.quick else 20)
    bench_quality(3 if args.quick else 10)


def bench_agent_gap(trials: int) -> None:
    """The in-process agent's gap between trials (target <= 50 ms), quiet runs."""
    from bench_agent import QUIET, gaps_ms  # this folder is on sys.path when run as a script

    gaps = gaps_ms(trials, 0.3, QUIET)
    print(
        f"agent: trial end -> next trial's first line, {trials} trials (target <= 50 ms): "
        f"median {statistics.median(gaps):.1f} ms, max {max(gaps):.1f} ms"
    )


if __name__ == "__main__":
    main()
