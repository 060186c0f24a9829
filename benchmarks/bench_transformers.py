"""What wbnb's transformers callback adds to a training step (issue 19: at most 2%).
Prints; asserts nothing.

    python benchmarks/bench_transformers.py [--quick]

One process trains the same small CPU model (a 2-layer BERT built from a config, on random
tokens, a log every step) with ``report_to="none"`` and with ``callbacks=[WandbCallback()]``,
in alternating rounds, and prints each setup's median seconds per step over the rounds: the
steps' time (first step begun to last step ended) and, beside it, the whole ``train()``
call's. The run is opened before ``train()`` (the callback logs to it, as to any open run) and
its one-off metadata collection (a background thread, ~0.15 s of CPU) awaited, so the run's
start and finish, once per run, are left out of both. On a loaded machine
those two swing by more than the callback costs, so it also prints the time spent inside
the callback's ``on_log`` per step, as a share of a step.
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

import torch  # noqa: E402
from transformers import (  # noqa: E402
    BertConfig,
    BertForSequenceClassification,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainingArguments,
)

import wbnb  # noqa: E402
from wbnb.integration.transformers import WandbCallback  # noqa: E402


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        self.ids = torch.randint(0, 64, (n, 16))
        self.labels = torch.randint(0, 2, (n,))

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.ids[i], "labels": self.labels[i]}


class TimedCallback(WandbCallback):
    """wbnb's callback, with the time spent in its per-log hook added up."""

    spent = 0.0

    def on_log(self, *args: Any, **kwargs: Any) -> None:
        t = time.perf_counter()
        super().on_log(*args, **kwargs)
        self.spent += time.perf_counter() - t


class StepClock(TrainerCallback):
    """When the first step began and the last one ended."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last = 0.0

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.first is None:
            self.first = time.perf_counter()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.last = time.perf_counter()


def seconds_per_step(setup: str, steps: int, root: str) -> tuple[float, float, float]:
    """Seconds per step: over the steps, over the whole ``train()``, inside wbnb's ``on_log``."""
    config = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=32,
    )
    args = TrainingArguments(
        output_dir=os.path.join(root, "out"),
        max_steps=steps,
        per_device_train_batch_size=16,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
    )
    clock = StepClock()
    timed = TimedCallback()
    callbacks: list[Any] = [clock] + ([timed] if setup == "wbnb" else [])
    trainer = Trainer(
        model=BertForSequenceClassification(config), args=args, train_dataset=Tokens(16 * steps), callbacks=callbacks
    )
    trainer.remove_callback(PrinterCallback)  # no line printed per log, in either setup
    run = wbnb.init(project="bench") if setup == "wbnb" else None
    while any(t.name == "wbnb-metadata" for t in threading.enumerate()):
        time.sleep(0.01)
    t = time.perf_counter()
    trainer.train()
    total = time.perf_counter() - t
    if run is not None:
        run.finish()
    assert clock.first is not None
    return (clock.last - clock.first) / (steps - 1), total / steps, timed.spent / steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps, rounds = (100, 3) if args.quick else (400, 11)
    os.environ.update({"WBNB_SILENT": "1", "WBNB_SYSTEM_INTERVAL": "0", "WBNB_CONSOLE": "0"})
    torch.set_num_threads(1)
    times: dict[str, list[tuple[float, float, float]]] = {"none": [], "wbnb": []}
    with tempfile.TemporaryDirectory() as root:
        os.environ["WBNB_DIR"] = os.path.join(root, "wbnb-runs")
        for setup in times:  # warm-up
            seconds_per_step(setup, 20, root)
        for r in range(rounds):
            for setup in list(times)[:: 1 if r % 2 == 0 else -1]:  # ABBA: neither always goes first
                times[setup].append(seconds_per_step(setup, steps, root))
    base = [statistics.median(t[i] for t in times["none"]) for i in (0, 1)]
    print(f"Trainer.train, {steps} steps x {rounds} rounds, BERT 2x32 on 16 tokens, batch 16, a log per step, 1 thread")
    for setup, values in times.items():
        step, whole = (statistics.median(v[i] for v in values) for i in (0, 1))
        print(
            f"  {setup:5s} steps {step * 1e6:8.1f} us/step {100 * (step / base[0] - 1):+5.1f}%"
            f"   whole train() {whole * 1e6:8.1f} us/step {100 * (whole / base[1] - 1):+5.1f}%  vs report_to='none'"
        )
    inside = statistics.median(v[2] for v in times["wbnb"])
    print(f"  inside the callback's on_log: {inside * 1e6:.1f} us/step = {100 * inside / base[0]:.2f}% of a step")


if __name__ == "__main__":
    main()
