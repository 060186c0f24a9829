"""wbnb's Lightning logger with a real ``Trainer`` on a tiny model, on CPU, read back
from the local store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

import wbnb
from wbnb.integration.lightning import WandbLogger, WbnbLogger
from wbnb.store.local import LocalStore


class Tiny(pl.LightningModule):
    def __init__(self, lr: float = 0.1, hidden: int = 4) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self.net(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def loader() -> DataLoader:
    g = torch.Generator().manual_seed(0)
    return DataLoader(TensorDataset(torch.randn(16, 3, generator=g), torch.randn(16, 1, generator=g)), batch_size=4)


def fit(logger: WandbLogger, tmp_path: Path, **trainer: Any) -> pl.Trainer:
    t = pl.Trainer(
        max_epochs=2,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
        **trainer,
    )
    t.fit(Tiny(), loader(), loader())
    return t


def test_hyperparameters_and_metrics_against_the_global_step(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", name="tiny", tags=["cpu"])
    fit(logger, tmp_path, enable_checkpointing=False)
    run = wbnb.Api().run(f"lit/{logger.version}")
    assert run.name == "tiny" and list(run.tags) == ["cpu"]
    assert run.config["lr"] == 0.1 and run.config["hidden"] == 4
    assert run.state == "finished"  # the logger started it, so finalize finished it
    rows = run.history(pandas=False)
    train = [r for r in rows if r.get("train_loss") is not None]
    assert [r["trainer/global_step"] for r in train] == list(range(8))  # 4 batches x 2 epochs
    val = [r for r in rows if r.get("val_loss") is not None]
    assert [r["trainer/global_step"] for r in val] == [3, 7]
    assert [r["epoch"] for r in val] == [0, 1]
    metrics = LocalStore(store_dir).run("lit", logger.version)["metrics"]
    assert metrics["*"]["step_metric"] == "trainer/global_step"  # the charts' x-axis
    assert wbnb.run is None


def test_also_named_wbnb_logger() -> None:
    assert WbnbLogger is WandbLogger


def test_save_dir_is_a_root_with_the_store_under_it(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", save_dir=tmp_path / "root", prefix="fit")
    fit(logger, tmp_path, enable_checkpointing=False)
    assert logger.save_dir == str(tmp_path / "root")
    run = wbnb.Api(store=LocalStore(tmp_path / "root" / "wbnb-runs")).run(f"lit/{logger.version}")
    assert "fit-train_loss" in run.summary  # prefix joins with "-", as Lightning's does
    assert not (store_dir / "projects").exists()
