"""The in-process agent's overhead between trials (issue 17). Prints; asserts nothing.

    python benchmarks/bench_agent.py [--trials N] [--train-s S]

Also: log()'s median in a trial whose Hyperband watch judges every value, beside a plain run.

The time from one trial's function returning to the next trial's function running its
first line: the run's finish (its logs flushed and fsynced; also printed without it, the
agent's own part), the trial's end in the book,
memory freed (a full gc collection; torch is imported first when installed, as in a
real sweep), the next claim, the pending trial. Target: <= 50 ms. Each trial logs 20
steps and "trains" for ``--train-s`` seconds (sleeping), so the run's metadata
collector has finished, as it has in any real trial. Measured against a fresh local
store, with quiet runs (no printed summary, no system sampling, no console capture) and
with init()'s defaults (silent only, so the summary block is not printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUIET = {"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"}


def gaps_ms(trials: int, train_s: float, env: dict[str, str], finish: bool = False) -> list[float]:
    """The gaps between consecutive trials of one agent, in milliseconds; with ``finish``
    the function finishes its run itself, so the gap is the agent's own part."""
    import wbnb

    starts: list[float] = []
    ends: list[float] = []

    def train() -> None:
        starts.append(time.perf_counter())
        run = wbnb.init()
        for i in range(20):
            wbnb.log({"loss": run.config.lr / (i + 1), "acc": i / 20})
        time.sleep(train_s)
        if finish:
            run.finish()
        ends.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        saved = {k: os.environ.get(k) for k in [*env, "WBNB_DIR"]}
        os.environ.update({**env, "WBNB_DIR": tmp})
        try:
            config = {"method": "random", "metric": {"name": "loss"}, "parameters": {"lr": {"min": 0.0, "max": 1.0}}}
            sweep_id = wbnb.sweep(config, project="bench")
            wbnb.agent(sweep_id, function=train, project="bench", count=trials)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return [(start - end) * 1000 for end, start in zip(ends, starts[1:])]


def hyperband_log_us(steps: int) -> tuple[float, float]:
    """Median log() of 5 floats (the metric among them), in microseconds: in a plain run,
    and in a trial whose Hyperband watch judges every value (bands 1, 3, 9, ...)."""
    import wbnb

    clock = time.perf_counter_ns
    medians: list[float] = []

    def timed(run: Any) -> None:
        out = []
        for i in range(steps):
            row = {"loss": 1.0 / (i + 1), "a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0}
            t = clock()
            run.log(row)
            out.append((clock() - t) / 1000)
        medians.append(statistics.median(out))

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({**QUIET, "WBNB_DIR": tmp})
        with wbnb.init(project="bench") as run:
            timed(run)
        config = {
            "method": "random",
            "metric": {"name": "loss"},
            "parameters": {"lr": {"min": 0.0, "max": 1.0}},
            "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 3},
        }
        sweep_id = wbnb.sweep(config, project="bench")
        wbnb.agent(sweep_id, function=lambda: timed(wbnb.init()), project="bench", count=1)
    return medians[0], medians[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--train-s", type=float, default=0.3)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401  (its objects are what a full gc collection walks)

        with_torch = "torch imported"
    except ImportError:
        with_torch = "without torch"
    print(
        f"wbnb in-process agent, {args.trials} trials of 20 logs + {args.train_s} s, {with_torch}, "
        f"{os.cpu_count()} cores"
    )
    for label, env in (("quiet runs", QUIET), ("init() defaults (silent)", {"WBNB_SILENT": "1"})):
        gaps = gaps_ms(args.trials, args.train_s, env)
        print(
            f"between trials, {label} (target <= 50 ms): median {statistics.median(gaps):6.1f} ms   "
            f"max {max(gaps):6.1f} ms"
        )
    gaps = gaps_ms(args.trials, args.train_s, QUIET, finish=True)
    print(
        f"between trials, the agent's own part (the run finished by the function): "
        f"median {statistics.median(gaps):6.1f} ms   max {max(gaps):6.1f} ms"
    )
    plain, watched = hyperband_log_us(20_000)
    print(f"log() of 5 floats, median: plain run {plain:.2f} µs, Hyperband trial {watched:.2f} µs")


if __name__ == "__main__":
    main()
