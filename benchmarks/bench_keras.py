"""What wbnb's Keras callbacks add to ``model.fit`` (issue 19: <= 2%). Prints; asserts nothing.

    KERAS_BACKEND=torch python benchmarks/bench_keras.py [--repeats N]

A small MLP (3 -> 64 -> 64 -> 1) fit on CPU for 2 epochs of 64 batches, with no callback and
with each of wbnb's, in one process, the variants interleaved repeat by repeat; the median
fit time of each and its overhead against no callback. Quiet runs on a fresh local store.
On a shared CPU the fits' noise is larger than the callbacks' cost, so the callback's own
per-batch cost is also timed directly (``on_train_batch_end`` with a batch's logs, 2000 calls)
and printed as a share of the median batch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})

import keras  # noqa: E402
import numpy as np  # noqa: E402

import wbnb  # noqa: E402
from wbnb.keras import WandbCallback, WandbMetricsLogger  # noqa: E402


def fit_s(callbacks: Callable[[], list[Any]]) -> float:
    """Seconds one fit takes with the callbacks (made inside a fresh run)."""
    x = np.random.rand(2048, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(64, "relu"), keras.layers.Dense(64, "relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    with wbnb.init(project="bench"):
        made = callbacks()
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=made)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    variants: dict[str, Callable[[], list[Any]]] = {
        "no callback": lambda: [],
        "WandbMetricsLogger()": lambda: [WandbMetricsLogger()],
        "WandbMetricsLogger('batch')": lambda: [WandbMetricsLogger("batch")],
        "WandbCallback(save_model=False)": lambda: [WandbCallback(monitor="loss", save_model=False)],
    }
    with tempfile.TemporaryDirectory() as store:
        os.environ["WBNB_DIR"] = store
        fit_s(variants["no callback"])  # warm-up: first fit compiles and loads
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeats):
            for name, make in variants.items():
                times[name].append(fit_s(make))
        with wbnb.init(project="bench"):
            logger = WandbMetricsLogger("batch")
            logger.set_model(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]))
            logger.model.compile(optimizer="adam", loss="mse")
            logs = {"loss": 0.5, "mae": 0.25}
            start = time.perf_counter()
            for batch in range(2000):
                logger.on_train_batch_end(batch, logs)
            hook_us = (time.perf_counter() - start) / 2000 * 1e6
    base = statistics.median(times["no callback"])
    print(f"keras {keras.__version__}, backend {keras.backend.backend()}, {args.repeats} repeats, 128 batches a fit")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:34s} {median * 1000:8.1f} ms  {100 * (median / base - 1):+6.1f}%")
    batch_us = base / 128 * 1e6
    print(
        f"WandbMetricsLogger('batch') hook: {hook_us:.1f} us a batch"
        f" = {100 * hook_us / batch_us:.2f}% of a {batch_us:.0f} us batch"
    )


if __name__ == "__main__":
    main()
