"""What wbnb's Lightning logger adds to a training step (issue 19: at most 2%; with
``watch(log_freq=100)`` at most 5%). Prints; asserts nothing.

    python benchmarks/bench_lightning.py [--quick]

One process fits the same small CPU model (an MLP on random tensors, a metric logged
every step) with ``logger=False``, with ``WandbLogger`` and with ``WandbLogger`` +
``watch(log="all", log_freq=100)``, in interleaved rounds (the order rotating each round).
A step's time is read inside ``fit`` (from the end of the warm-up steps to the last step),
so opening and finishing the run are left out; each setup's median over the rounds is
printed as a ratio to the no-logger median, with the machine's load.
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

import lightning.pytorch as pl  # noqa: E402
import torch  # noqa: E402
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
    logger: Any = False
    model = MLP()
    if setup != "none":
        logger = WandbLogger(project="bench", save_dir=root)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps, rounds = (200, 3) if args.quick else (300, 21)
    os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})
    torch.set_num_threads(1)
    times: dict[str, list[tuple[float, float]]] = {"none": [], "logger": [], "watch": []}
    setups = list(times)
    with tempfile.TemporaryDirectory() as root:
        for setup in setups:  # warm-up: imports, first run in the store
            seconds_per_step(setup, 2 * WARMUP, root)
        for i in range(rounds):
            for setup in setups[i % 3 :] + setups[: i % 3]:
                times[setup].append(seconds_per_step(setup, steps, root))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Lightning fit, {steps} steps x {rounds} rounds, MLP 32-128-1, batch 64, 1 thread, load {load}")
    print("  medians per step: wall (ratio to logger=False) | CPU of this process (ratio)")
    base = [statistics.median(t[i] for t in times["none"]) for i in (0, 1)]
    for setup, values in times.items():
        wall, cpu = (statistics.median(t[i] for t in values) for i in (0, 1))
        print(f"  {setup:7s} {wall * 1e6:7.1f} us ({wall / base[0]:.3f}) | {cpu * 1e6:7.1f} us ({cpu / base[1]:.3f})")


if __name__ == "__main__":
    main()
