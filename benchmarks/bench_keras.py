"""What wbnb's Keras callbacks add to ``model.fit`` (issue 19: <= 2%). Prints; asserts nothing.

    KERAS_BACKEND=torch python benchmarks/bench_keras.py [--repeats N]

A small MLP (3 -> 64 -> 64 -> 1, Adam) fit on CPU (one thread) for 2 epochs of 64 batches, with no callback and
with each of wbnb's, in one process, the variants interleaved repeat by repeat, in turn (ABCD BCDA ...),
each fit in a fresh run on a fresh local store. Two figures a variant, each the median over the
repeats, as overhead against no callback:

- step: the time from one training batch's end to the next (a last callback stamps them), its
  lower quartile in each fit: the per-batch cost of the callbacks, with the shared machine's
  preemptions (which only ever lengthen a step) left out;
- fit: the whole ``fit``, which adds what callbacks do at an epoch's end (and Keras' own
  epoch work: validation, the model save of ``WandbCallback()``), in wall time and in the CPU
  time of the process (all its threads: wbnb's writer too), which other processes on a shared
  machine do not lengthen.

``WandbMetricsLogger('batch')``'s own hook is also timed directly (2000 calls), as a share of
the median step.
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
os.environ.setdefault("OMP_NUM_THREADS", "1")  # one thread: a small model, and steadier on a shared CPU
os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})

import keras  # noqa: E402
import numpy as np  # noqa: E402

import wbnb  # noqa: E402
from wbnb.keras import WandbCallback, WandbMetricsLogger  # noqa: E402

EPOCHS, BATCH, SAMPLES = 2, 32, 2048


class Stamps(keras.callbacks.Callback):
    """The time at each training batch's end (put last, after the callbacks measured)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.times.append(time.perf_counter())


def fit(callbacks: Callable[[], list[Any]]) -> tuple[float, float, float]:
    """(lower-quartile step, whole fit, fit CPU) seconds of one fit with the callbacks, made in a fresh run."""
    x = np.random.rand(SAMPLES, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(64, "relu"), keras.layers.Dense(64, "relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    stamps = Stamps()
    with wbnb.init(project="bench"):
        made = callbacks()
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, validation_split=0.1, verbose=0, callbacks=[*made, stamps])
        whole, cpu = time.perf_counter() - start, time.process_time() - cpu
    steps = [b - a for a, b in zip(stamps.times, stamps.times[1:])]
    return statistics.quantiles(steps, n=4)[0], whole, cpu


def hook_us() -> float:
    """Microseconds a call of ``WandbMetricsLogger('batch').on_train_batch_end`` takes."""
    with wbnb.init(project="bench"):
        logger = WandbMetricsLogger("batch")
        logger.set_model(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]))
        logger.model.compile(optimizer="adam", loss="mse")
        logs = {"loss": 0.5, "mae": 0.25}
        start = time.perf_counter()
        for batch in range(2000):
            logger.on_train_batch_end(batch, logs)
        return (time.perf_counter() - start) / 2000 * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    variants: dict[str, Callable[[], list[Any]]] = {
        "no callback": lambda: [],
        "WandbMetricsLogger('epoch')": lambda: [WandbMetricsLogger("epoch")],
        "WandbMetricsLogger('batch')": lambda: [WandbMetricsLogger("batch")],
        "WandbCallback(save_model=False)": lambda: [WandbCallback(save_model=False)],
        "WandbCallback()": lambda: [WandbCallback()],
    }
    with tempfile.TemporaryDirectory() as store:
        os.environ["WBNB_DIR"] = store
        fit(variants["no callback"])  # warm-up: the first fit loads and compiles
        steps: dict[str, list[float]] = {name: [] for name in variants}
        fits: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        names = list(variants)
        for repeat in range(args.repeats):
            for name in names[repeat % len(names) :] + names[: repeat % len(names)]:  # each takes each turn
                step, whole, cpu = fit(variants[name])
                steps[name].append(step)
                fits[name].append(whole)
                cpus[name].append(cpu)
        hook = hook_us()
    base = {
        name: statistics.median(values["no callback"])
        for name, values in (("step", steps), ("fit", fits), ("cpu", cpus))
    }
    print(
        f"keras {keras.__version__}, backend {keras.backend.backend()}, {args.repeats} repeats interleaved, "
        f"{EPOCHS} epochs of {SAMPLES * 9 // 10 // BATCH + 1} batches a fit; load {os.getloadavg()[0]:.2f}"
    )
    print(f"{'':32s} {'step (lower quartile)':>21s} {'fit (median)':>19s} {'fit CPU (median)':>19s}")
    for name in variants:
        cells = []
        for kind, values, unit, scale in (
            ("step", steps, "us", 1e6),
            ("fit", fits, "ms", 1e3),
            ("cpu", cpus, "ms", 1e3),
        ):
            median = statistics.median(values[name])
            cells.append(f"{median * scale:8.0f} {unit} {100 * (median / base[kind] - 1):+6.1f}%")
        print(f"{name:32s} " + "  ".join(cells))
    print(
        f"WandbMetricsLogger('batch') hook: {hook:.1f} us a call = {100 * hook / (base['step'] * 1e6):.2f}% "
        f"of a {base['step'] * 1e6:.0f} us step"
    )


if __name__ == "__main__":
    main()
