"""Tracker performance figures (issue 2). Prints; asserts nothing.

    python benchmarks/bench_tracker.py [--quick]

Each figure is measured in this process (the import time in fresh subprocesses) against
a fresh store in a temporary folder. When wandb or MLflow are installed, the same
scalar workload runs through them (wandb offline, MLflow's sqlite store) and the
ratios are printed.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUIET = {"silent": True, "system_interval": 0, "console": False}


def per_call_us(fn, n: int) -> list[float]:
    """Time ``fn(i)`` for i in range(n), one call at a time, in microseconds."""
    clock = time.perf_counter_ns
    out = []
    gc.disable()
    try:
        for i in range(n):
            t = clock()
            fn(i)
            out.append((clock() - t) / 1000)
    finally:
        gc.enable()
    return out


def describe(samples: list[float]) -> str:
    s = sorted(samples)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]
    return f"median {statistics.median(s):8.2f} µs   p90 {pick(0.9):8.2f}   p99 {pick(0.99):8.2f}"


def bench_log_scalars(root: str, n: int) -> float:
    import wbnb

    run = wbnb.init(project="bench", dir=root, settings=QUIET)
    data = {"loss": 0.5, "acc": 0.9, "lr": 1e-3, "grad_norm": 1.5, "epoch": 3.0}
    per_call_us(lambda i: run.log(data), 2000)  # warm up
    samples = per_call_us(lambda i: run.log(data), n)
    run.finish(quiet=True)
    print(f"log() of 5 floats (target median <= 5 µs):            {describe(samples)}")
    return statistics.median(samples)


def bench_log_threads(root: str, n: int, threads: int = 4) -> None:
    """``threads`` threads logging 5 floats at once, ``n`` calls each; the median of
    every call's own time (a call that waits for the GIL or the run's lock counts it)."""
    import threading

    import wbnb

    run = wbnb.init(project="bench", dir=root, settings=QUIET)
    start = threading.Barrier(threads)
    samples: list[list[float]] = [[] for _ in range(threads)]

    def worker(t: int) -> None:
        data = {"loss": 0.5, "acc": 0.9, "lr": 1e-3, "grad_norm": 1.5, "epoch": float(t)}
        clock, out, log = time.perf_counter_ns, samples[t], run.log
        start.wait()
        for _ in range(n):
            c = clock()
            log(data)
            out.append((clock() - c) / 1000)

    workers = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    gc.disable()
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        gc.enable()
    run.finish(quiet=True)
    print(f"log() of 5 floats, {threads} threads at once (per call):   {describe([x for s in samples for x in s])}")


def bench_log_image(root: str, n: int) -> None:
    import numpy as np

    import wbnb

    run = wbnb.init(project="bench", dir=root, settings=QUIET)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 64, 64, 3), dtype=np.uint8)  # distinct: no dedup shortcut
    samples = per_call_us(lambda i: run.log({"img": wbnb.Image(images[i])}), n)
    run.finish(quiet=True)
    print(f"log() of a 64x64x3 uint8 Image (target <= 1000 µs):   {describe(samples)}")


def bench_import() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def best(code: str) -> float:
        times = []
        for _ in range(7):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=env, check=True)
            times.append(time.perf_counter() - t)
        return min(times)

    base = best("pass")
    ours = best("import wbnb")
    print(
        f"import wbnb (target <= 150 ms):                        {1000 * (ours - base):8.1f} ms "
        f"(interpreter start {1000 * base:.0f} ms excluded)"
    )


def bench_finish_and_history(root: str, steps: int) -> None:
    import contextlib
    import io

    import numpy  # noqa: F401 - imported up front: the figures are the work, not the imports
    import pandas  # noqa: F401

    import wbnb

    run = wbnb.init(project="bench", dir=root, settings={**QUIET, "silent": False})
    row = {f"metric_{k}": 0.0 for k in range(10)}
    for i in range(steps):
        row["metric_0"] = float(i)
        run.log(row)
    t = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        run.finish()  # with the sparkline summary, as a user sees it
    print(f"finish() after {steps:,} steps (target <= 0.5 s):         {time.perf_counter() - t:8.3f} s")

    api = wbnb.Api(overrides={"dir": root})
    public = api.run(f"bench/{run.id}")
    t = time.perf_counter()
    df = public.history(samples=steps)
    elapsed = time.perf_counter() - t
    print(f"history() {df.shape[0]:,} steps x {df.shape[1]} cols into a DataFrame (target <= 0.5 s): {elapsed:8.3f} s")


def bench_rss(root: str, steps: int) -> None:
    import psutil

    import wbnb

    proc = psutil.Process()
    run = wbnb.init(project="bench", dir=root, settings=QUIET)
    data = {"loss": 0.5, "acc": 0.9, "lr": 1e-3, "grad_norm": 1.5, "epoch": 3.0}
    for _ in range(10_000):
        run.log(data)
    gc.collect()
    before = proc.memory_info().rss
    for _ in range(steps):
        run.log(data)
    gc.collect()
    grown = (proc.memory_info().rss - before) / 2**20
    run.finish(quiet=True)
    print(f"RSS growth over {steps:,} logged steps (target <= 50 MB): {grown:8.1f} MB")


def compare_wandb(root: str, n: int, ours: float) -> None:
    try:
        import wandb
    except ImportError:
        print("wandb not installed: no comparison (pip install wandb to add it)")
        return
    run = wandb.init(project="bench", dir=root, mode="offline")
    data = {"loss": 0.5, "acc": 0.9, "lr": 1e-3, "grad_norm": 1.5, "epoch": 3.0}
    samples = per_call_us(lambda i: run.log(data), n)
    run.finish()
    theirs = statistics.median(samples)
    label = f"wandb {wandb.__version__} offline log() of 5 floats:"
    print(f"{label:53s} {describe(samples)}  -> wbnb is {theirs / ours:.0f}x faster")


def compare_mlflow(root: str, n: int, ours: float) -> None:
    try:
        import mlflow
    except ImportError:
        print("mlflow not installed: no comparison (pip install mlflow to add it)")
        return
    mlflow.set_tracking_uri(f"sqlite:///{root}/mlflow.db")
    data = {"loss": 0.5, "acc": 0.9, "lr": 1e-3, "grad_norm": 1.5, "epoch": 3.0}
    with mlflow.start_run():
        samples = per_call_us(lambda i: mlflow.log_metrics(data, step=i), n)
    theirs = statistics.median(samples)
    label = f"MLflow {mlflow.__version__} sqlite log_metrics of 5 floats:"
    print(f"{label:53s} {describe(samples)}  -> wbnb is {theirs / ours:.0f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (a smoke run)")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(f"wbnb tracker benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as root:
        ours = bench_log_scalars(root, 200_000 // scale)
        bench_log_threads(root, 50_000 // scale)
        bench_log_image(root, 2000 // scale)
        bench_import()
        bench_finish_and_history(root, 100_000 // scale)
        bench_rss(root, 1_000_000 // scale)
        compare_wandb(root, 2000 // scale, ours)
        compare_mlflow(root, 500 // scale, ours)


if __name__ == "__main__":
    main()
