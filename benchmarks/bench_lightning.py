"""What wbnb's Lightning logger adds to a training step (issue 19: at most 2%). Prints;
asserts nothing.

    python benchmarks/bench_lightning.py [--quick]

One process fits the same small CPU model (an MLP on random tensors, a metric logged
every step) with no logger and with ``WandbLogger`` (and with ``watch(log_freq=100)``),
in alternating rounds, and prints each setup's median seconds per step over the rounds.
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


def seconds_per_step(setup: str, steps: int, root: str) -> float:
    logger: Any = False
    model = MLP()
    if setup != "none":
        logger = WandbLogger(project="bench", save_dir=root)
        if setup == "watch":
            logger.watch(model, log="all", log_freq=100)
    data = DataLoader(TensorDataset(torch.randn(steps * 64, 32), torch.randn(steps * 64, 1)), batch_size=64)
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    t = time.perf_counter()
    trainer.fit(model, data)
    return (time.perf_counter() - t) / steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps, rounds = (200, 3) if args.quick else (1000, 7)
    os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})
    torch.set_num_threads(1)
    times: dict[str, list[float]] = {"none": [], "logger": [], "watch": []}
    with tempfile.TemporaryDirectory() as root:
        seconds_per_step("none", 50, root)  # warm-up
        for _ in range(rounds):
            for setup in times:
                times[setup].append(seconds_per_step(setup, steps, root))
    base = statistics.median(times["none"])
    print(f"Lightning fit, {steps} steps x {rounds} rounds, MLP 32-128-1, batch 64, 1 thread")
    for setup, values in times.items():
        med = statistics.median(values)
        print(f"  {setup:7s} {med * 1e6:8.1f} us/step  {100 * (med / base - 1):+5.1f}% vs no logger")


if __name__ == "__main__":
    main()
