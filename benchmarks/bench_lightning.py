"""What wbnb's Lightning logger adds to a training step (issue 19: at most 2%; with
``watch(log_freq=100)`` at most 5%). Prints; asserts nothing.

    python benchmarks/bench_lightning.py [--quick]

One process fits the same small CPU model (an MLP on random tensors, a metric logged
every step) with ``logger=False``, with a logger that does nothing (``null``: what Lightning
itself spends on any logger, ``log_every_n_steps=1``: about 5% of this 1.4 ms step), with
``WandbLogger`` and with ``WandbLogger`` + ``watch(log="all", log_freq=100)``, in
interleaved rounds (the order rotating each round). A step's time is read inside ``fit``
(from the end of the warm-up steps to the last step); the run is opened before ``fit`` and
its one-off metadata collection (a background thread, ~0.15 s of CPU) awaited, so opening
and finishing the run are left out. Each setup's median over the rounds is printed as a
ratio to no logger and to the null logger: the second is what wbnb adds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lightning.pytorch as pl  # noqa: E402
import torch  # noqa: E402
from lightning.pytorch.loggers.logger import Logger  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from wbnb.integration.lightning import WandbLogger  # noqa: E402


class MLP(pl.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(32, 128), torch.nn.ReLU(), torch.nn.Linear(128, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = torch.nn.functional.mse_loss(self(x), y)
        self.log("loss", loss)
        return loss

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.01)


class NullLogger(Logger):
    """A logger that keeps nothing: Lightning's own cost of having one."""

    name = "null"
    version = "0"

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        pass

    def log_hyperparams(self, params: Any, *args: Any, **kwargs: Any) -> None:
        pass


WARMUP = 20  # steps left out of the timing: first allocations, the run's first rows


class StepClock(pl.Callback):
    """Times the steps after the warm-up, inside fit: wall time, and this process's CPU
    time (all its threads: the run's writer too), which the neighbours' load moves less."""

    def __init__(self) -> None:
        self.start = self.end = (0.0, 0.0)

    def on_train_batch_end(self, trainer: pl.Trainer, *args: Any) -> None:
        now = (time.perf_counter(), time.process_time())
        if trainer.global_step == WARMUP:
            self.start = now
        self.end = now


def seconds_per_step(setup: str, steps: int, root: str) -> tuple[float, float]:
    logger: Any = NullLogger() if setup == "null" else False
    model = MLP()
    if setup in ("logger", "watch"):
        logger = WandbLogger(project="bench", save_dir=root)
        _ = logger.experiment  # the run opened before fit, its metadata collected
        while any(t.name == "wbnb-metadata" for t in threading.enumerate()):
            time.sleep(0.01)
        if setup == "watch":
            logger.watch(model, log="all", log_freq=100, log_graph=False)
    data = DataLoader(TensorDataset(torch.randn(steps * 64, 32), torch.randn(steps * 64, 1)), batch_size=64)
    clock = StepClock()
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        callbacks=[clock],
    )
    trainer.fit(model, data)
    return (clock.end[0] - clock.start[0]) / (steps - WARMUP), (clock.end[1] - clock.start[1]) / (steps - WARMUP)


def log_metrics_us(root: str, calls: int = 5000) -> float:
    """Microseconds one ``WandbLogger.log_metrics`` call takes (what the logger does each logged step)."""
    logger = WandbLogger(project="bench", save_dir=root)
    _ = logger.experiment
    start = time.perf_counter()
    for step in range(calls):
        logger.log_metrics({"loss": 0.5, "epoch": 0.0}, step=step)
    spent = (time.perf_counter() - start) / calls * 1e6
    logger.finalize("success")
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps, rounds = (200, 3) if args.quick else (300, 21)
    os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})
    torch.set_num_threads(1)
    times: dict[str, list[tuple[float, float]]] = {"none": [], "null": [], "logger": [], "watch": []}
    setups = list(times)
    with tempfile.TemporaryDirectory() as root:
        for setup in setups:  # warm-up: imports, first run in the store
            seconds_per_step(setup, 2 * WARMUP, root)
        for i in range(rounds):
            for setup in setups[i % len(setups) :] + setups[: i % len(setups)]:
                times[setup].append(seconds_per_step(setup, steps, root))
        direct = log_metrics_us(root)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Lightning fit, {steps} steps x {rounds} rounds, MLP 32-128-1, batch 64, 1 thread, load {load}")
    print("  medians per step: wall (ratio to logger=False, to the null logger) | CPU of this process (ratios)")
    base, null = ([statistics.median(t[i] for t in times[name]) for i in (0, 1)] for name in ("none", "null"))
    for setup, values in times.items():
        wall, cpu = (statistics.median(t[i] for t in values) for i in (0, 1))
        print(
            f"  {setup:7s} {wall * 1e6:7.1f} us ({wall / base[0]:.3f}, {wall / null[0]:.3f}) | "
            f"{cpu * 1e6:7.1f} us ({cpu / base[1]:.3f}, {cpu / null[1]:.3f})"
        )

    print(
        f"  log_metrics itself: {direct:.1f} us a call = {100 * direct / (null[0] * 1e6):.2f}% of the null-logger step"
    )


if __name__ == "__main__":
    main()
