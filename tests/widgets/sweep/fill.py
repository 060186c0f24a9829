"""A sweep written for the panel's tests: its runs logged into the test's store, its trials
kept by ``Book``, a stand-in for the book (the panel reads only ``sweep`` and ``trials``)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from wbnb.sweeps.records import SweepRecord, TrialRecord

XSS = "<img src=x onerror=alert(1)>"

CONFIG = {
    "method": "random",
    "metric": {"name": "val_loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
        "dropout": {"min": 0.0, "max": 0.5},
        "optimizer": {"values": ["adam", "sgd", XSS]},
        "epochs": {"value": 6},
    },
    "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
}


class Book:
    """The trials of one sweep, in memory."""

    def __init__(self, project: str, sweep_id: str, config: dict[str, Any], state: str = "RUNNING") -> None:
        self.record = SweepRecord(sweep_id, project, "", config, state, 0, 0.0, name="panel test")  # type: ignore[arg-type]
        self.list: list[TrialRecord] = []

    def sweep(self, project: str, sweep_id: str) -> SweepRecord:
        assert (project, sweep_id) == (self.record.project, self.record.id)
        return self.record

    def trials(self, project: str, sweep_id: str) -> list[TrialRecord]:
        return list(self.list)

    def add(self, params: dict[str, Any], state: str, run_id: str, **kw: Any) -> TrialRecord:
        t = TrialRecord(self.record.id, len(self.list), len(self.list), params, state, run_id, "a", 0.0, 0.0, **kw)  # type: ignore[arg-type]
        self.list.append(t)
        return t

    def update(self, seq: int, **changes: Any) -> None:
        self.list[seq] = dataclasses.replace(self.list[seq], **changes)


def loss(lr: float, dropout: float, step: int) -> float:
    """A loss that lr drives (best near 1e-3) and dropout barely touches."""
    return abs(math.log10(lr) + 3) + 0.01 * dropout + 1.0 / (step + 1)


def fill(project: str = "sw", n: int = 12, stop_after: int = 3) -> Book:
    """A sweep of ``n`` finished trials; every third one (from ``stop_after``) cut by
    Hyperband at band 2 after 2 values, the others logging 6."""
    import wbnb

    book = Book(project, "abcd1234", CONFIG)
    for i in range(n):
        lr = 10 ** (-5 + 4 * i / (n - 1))
        dropout = (i * 7 % n) / (2 * n)
        params = {"lr": lr, "dropout": dropout, "optimizer": ["adam", "sgd", XSS][i % 3], "epochs": 6}
        name = XSS if i == 1 else f"trial-{i}"
        run = wbnb.init(project=project, name=name, config=params, reinit="create_new")
        cut = i >= stop_after and i % 3 == 0
        steps = 2 if cut else 6
        for s in range(steps):
            run.log({"val_loss": loss(lr, dropout, s)})
        run.finish()
        last = loss(lr, dropout, steps - 1)
        stop = {"band": 2, "value": last, "threshold": 0.0, "reached": i} if cut else None
        book.add(params, "stopped" if cut else "finished", run.id, value=last, stop=stop)
    return book
