"""``watch()``'s cost on a small CPU model's training step (issue 19). Prints; asserts nothing.

    python benchmarks/bench_watch.py [--quick] [--steps-per-block N] [--blocks N]

One process, one run, one model (an MLP 784-256-128-10, batch 64, SGD), each step
logging its loss. Blocks of steps alternate between no watch and ``watch(log=...,
log_freq=100)`` (unwatched between), so drift of a shared machine falls on all; a
block's figures are its mean step time, wall and process CPU (which other processes on a
shared machine sway less); each mode's figures are its median block's, the median over
rounds of its block's ratio to the same round's no-watch block (paired: drift between
rounds cancels), and its fastest block's wall time over no watch's fastest. Last, the histograms one logging step makes,
timed alone, and that cost spread over ``log_freq`` steps.
The issue's target: ``log_freq=100`` adds at most 5%.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUIET = {"silent": True, "system_interval": 0, "console": False}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer, shorter blocks")
    parser.add_argument("--steps-per-block", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=15, help="blocks per mode")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    args = parser.parse_args()
    steps, blocks = (100, 3) if args.quick else (args.steps_per_block, args.blocks)

    import torch

    import wbnb
    from wbnb.sdk.watch import histogram, sample

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(64, 784), torch.randint(0, 10, (64,))

    with tempfile.TemporaryDirectory() as tmp:
        run = wbnb.init(project="bench-watch", dir=tmp, settings=QUIET)

        def block() -> tuple[float, float]:
            """Mean wall and process CPU time of a step (CPU time: less swayed by other processes)."""
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                run.log({"loss": loss.item()})
            return (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps

        block()  # warm-up
        modes: dict[str, str | None] = {
            "none": None,
            "gradients": "gradients",
            "parameters": "parameters",
            "all": "all",
        }
        times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in modes}
        for round_ in range(blocks):
            for mode in list(modes)[:: 1 if round_ % 2 == 0 else -1]:  # ABCD DCBA: linear drift falls on all alike
                if modes[mode] is not None:
                    run.watch(model, log=modes[mode], log_freq=100)
                times[mode].append(block())
                run.unwatch()
        run.finish()

    params = sum(p.numel() for p in model.parameters())
    print(
        f"model: {params:,} parameters, batch 64, {steps} steps x {blocks} blocks per mode,"
        f" torch threads {args.threads}"
    )
    # Each round's block of a mode over the same round's block of no watch, then the median
    # of those ratios: a paired figure, which cancels what drifts between rounds.
    paired = {
        mode: [statistics.median(t[i] / n[i] for t, n in zip(times[mode], times["none"], strict=True)) for i in (0, 1)]
        for mode in modes
    }
    median = {mode: [statistics.median(t[i] for t in times[mode]) for i in (0, 1)] for mode in modes}
    fastest = {mode: min(t[0] for t in times[mode]) for mode in modes}
    print(
        f"{'mode (median block; paired median ratio)':<46}{'wall ms':>9}{'ratio':>8}"
        f"{'CPU ms':>9}{'ratio':>8}{'fastest':>9}"
    )
    for mode in modes:
        (wall, cpu), (wall_ratio, cpu_ratio) = median[mode], paired[mode]
        label = "no watch" if mode == "none" else f"watch(model, log={mode!r}, log_freq=100)"
        print(
            f"{label:<46}{wall * 1e3:>9.3f}{wall_ratio:>8.3f}{cpu * 1e3:>9.3f}{cpu_ratio:>8.3f}"
            f"{fastest[mode] / fastest['none']:>9.3f}"
        )
    best = fastest["none"]
    tensors = [p.detach() for p in model.parameters()]
    started = time.perf_counter()
    for _ in range(20):
        for t in tensors:
            histogram(sample(t))
    once = (time.perf_counter() - started) / 20
    print(
        f"histograms of all {len(tensors)} parameters, timed alone: {once * 1e3:.2f} ms a logging step;"
        f" over 100 steps {once / 100 / best * 100:.1f}% of a step (log='all' makes them twice)"
    )


if __name__ == "__main__":
    main()
