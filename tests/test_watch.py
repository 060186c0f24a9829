"""``watch()`` on real torch models (CPU): its hooks never raise into the model, and what
they log is read back from the store."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import wbnb
from wbnb.data import histogram


def _rows(run: Any) -> list[dict[str, Any]]:
    return list(wbnb.Api().run(run.path).scan_history())


def test_a_bfloat16_model_trains_under_watch_all(store_dir: Path) -> None:
    torch.manual_seed(0)
    model = torch.nn.Linear(6, 3).to(torch.bfloat16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a warning: bf16 is converted, not skipped
        for _ in range(3):
            optimizer.zero_grad()
            loss = model(torch.randn(4, 6, dtype=torch.bfloat16)).float().pow(2).mean()
            loss.backward()
            optimizer.step()
            run.log({"loss": loss})  # a bf16-born scalar tensor
    wbnb.finish()
    rows = _rows(run)
    assert len(rows) == 3 and all(isinstance(r["loss"], float) for r in rows)
    for row in rows:
        for key, size in (("gradients/weight", 18), ("parameters/weight", 18), ("gradients/bias", 3)):
            assert row[key]["_type"] == "histogram" and sum(row[key]["values"]) == size, (key, row[key])


def test_parameters_near_the_float64_limits_are_binned(store_dir: Path) -> None:
    model = torch.nn.Linear(4, 2, bias=False).double()
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.7e308, -1.7e308, 0.0, 1.0], [2.0, -3.0, 1e-300, 5.0]], dtype=torch.float64))
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    for _ in range(2):
        model(torch.ones(1, 4, dtype=torch.float64)).sum().backward()
        run.log({"step_done": 1})
    wbnb.finish()
    rows = _rows(run)
    assert len(rows) == 2
    for row in rows:
        weights = row["parameters/weight"]
        assert sum(weights["values"]) == 8
        assert weights["bins"][0] == -1.7e308 and weights["bins"][-1] == 1.7e308
        assert np.isfinite(weights["bins"]).all()
        assert sum(row["gradients/weight"]["values"]) == 8


def test_a_failing_hook_warns_once_and_training_goes_on(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Any, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("histogram exploded")

    monkeypatch.setattr(histogram.Histogram, "__init__", broken)
    model = torch.nn.Linear(3, 1)
    run = wbnb.init(project="p")
    run.watch(model, log="all", log_freq=1)
    with pytest.warns(RuntimeWarning, match=r"wbnb.watch: could not log .*histogram exploded") as said:
        for i in range(3):
            model(torch.randn(2, 3)).sum().backward()
            run.log({"i": i})
    wbnb.finish()
    assert len(said) == 1
    assert [r["i"] for r in _rows(run)] == [0, 1, 2]  # the user's own rows are all there
