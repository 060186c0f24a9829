"""Issue 19 acceptance / red-team probes for ``wbnb.integration.lightning.WandbLogger``: the code of
Lightning's and wandb's docs as users write it (``import wbnb as wandb``), then hostile orders of
calls (logger made before ``wandb.init``, ``wandb.log`` inside a step, ``wandb.finish`` after fit)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

pl = pytest.importorskip("lightning.pytorch")
torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from lightning.pytorch.callbacks import ModelCheckpoint  # noqa: E402

import wbnb as wandb  # noqa: E402
from tests.integration.test_lightning import loader, trainer  # noqa: E402
from wbnb.integration.lightning import WandbLogger  # noqa: E402


class LitModel(pl.LightningModule):
    def __init__(self, lr: float = 0.05, hidden: int = 4, wandb_log_in_step: bool = False) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.layer_1 = torch.nn.Linear(3, hidden)
        self.layer_2 = torch.nn.Linear(hidden, 1)

    def forward(self, x: Any) -> Any:
        return self.layer_2(torch.relu(self.layer_1(x)))

    def training_step(self, batch: Any, batch_idx: int) -> Any:
        x, y = batch
        loss = torch.nn.functional.mse_loss(self(x), y)
        self.log("train/loss", loss)
        if self.hparams.wandb_log_in_step:
            wandb.log({"custom/step_value": float(batch_idx)})
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("val/loss", torch.nn.functional.mse_loss(self(x), y))
        self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))

    def configure_optimizers(self) -> Any:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def read(project: str, run_id: str) -> Any:
    return wandb.Api().run(f"{project}/{run_id}")


def history_keys(run: Any) -> set[str]:
    return {k for row in run.scan_history() for k in row}


# --- the docs, as written -------------------------------------------------------------------


def test_docs_logger_log_model_all_watch_and_config(store_dir: Path, tmp_path: Path) -> None:
    wandb_logger = WandbLogger(project="MNIST", log_model="all")
    model = LitModel()
    wandb_logger.watch(model, log="all", log_freq=1)
    wandb_logger.experiment.config["batch_size"] = 4
    wandb_logger.experiment.config.update({"my_key": "my_value"})
    checkpoint_callback = ModelCheckpoint(monitor="val_loss", mode="min", dirpath=tmp_path / "ckpt")
    trainer(wandb_logger, tmp_path, callbacks=[checkpoint_callback]).fit(model, loader(), loader())
    wandb.finish()  # the docs end a notebook with it: harmless after the logger finished its run
    run = read("MNIST", wandb_logger.version)
    assert run.config["lr"] == 0.05 and run.config["hidden"] == 4
    assert run.config["batch_size"] == 4 and run.config["my_key"] == "my_value"
    got = history_keys(run)
    assert {"train/loss", "val/loss", "trainer/global_step", "epoch"} <= got, sorted(got)
    assert any(k.startswith("gradients/layer_1") for k in got) and any(k.startswith("parameters/") for k in got)
    versions = wandb.Api().artifacts("model", f"MNIST/model-{wandb_logger.version}")
    aliases = {a for v in versions for a in v.aliases}
    assert len(versions) == 2 and {"latest", "best"} <= aliases


def test_docs_log_text_image_table(store_dir: Path, tmp_path: Path) -> None:
    import pandas as pd

    wandb_logger = WandbLogger(project="p")
    columns = ["input", "label", "prediction"]
    data = [["cheese", "english", "english"], ["fromage", "french", "spanish"]]
    wandb_logger.log_text(key="samples", columns=columns, data=data)
    wandb_logger.log_table(key="df", dataframe=pd.DataFrame(data, columns=columns))
    img = np.zeros((8, 8, 3), dtype=np.uint8)
    wandb_logger.log_image(key="samples_img", images=[img, img], caption=["tree", "person"])
    wandb_logger.experiment.finish()
    run = read("p", wandb_logger.version)
    assert run.summary["samples"]["_type"] == "table" and run.summary["df"]["_type"] == "table"
    assert [i["caption"] for i in run.summary["samples_img"]] == ["tree", "person"]


def test_init_kwargs_reach_the_run(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p", name="my-run", tags=["a", "b"], job_type="train", config={"seed": 7})
    trainer(logger, tmp_path).fit(LitModel(), loader(), loader())
    run = read("p", logger.version)
    assert run.name == "my-run" and set(run.tags) == {"a", "b"} and run.job_type == "train"
    assert run.config["seed"] == 7 and run.config["lr"] == 0.05


def test_id_and_prefix(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p", id="fold1run", prefix="fold1")
    trainer(logger, tmp_path).fit(LitModel(), loader(), loader())
    assert logger.version == "fold1run"
    assert "fold1-train/loss" in history_keys(read("p", "fold1run"))


# --- orders of calls users get into -------------------------------------------------------


def test_logger_made_before_wandb_init_logs_into_the_user_run(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p", log_model=False)
    run = wandb.init(project="p", name="mine")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer(logger, tmp_path).fit(LitModel(), loader(), loader())
    assert wandb.run is run and run.state == "running"  # the user's run is left open
    wandb.finish()
    read_back = read("p", run.id)
    assert "train/loss" in history_keys(read_back) and read_back.config["lr"] == 0.05
    assert [r.id for r in wandb.Api().runs("p")] == [run.id]  # no second run


def test_wandb_log_inside_training_step_lands_in_the_logger_run(store_dir: Path, tmp_path: Path) -> None:
    # wandb's docs log media from a step with wandb.log: wandb.run must be the logger's run.
    logger = WandbLogger(project="p")
    trainer(logger, tmp_path).fit(LitModel(wandb_log_in_step=True), loader(), loader())
    assert [r.id for r in wandb.Api().runs("p")] == [logger.version]
    assert "custom/step_value" in history_keys(read("p", logger.version))


def test_two_loggers_in_one_notebook_make_two_runs(store_dir: Path, tmp_path: Path) -> None:
    first, second = WandbLogger(project="p"), WandbLogger(project="p")
    trainer(first, tmp_path / "a").fit(LitModel(), loader(), loader())
    trainer(second, tmp_path / "b").fit(LitModel(lr=0.01), loader(), loader())
    assert first.version != second.version
    assert read("p", second.version).config["lr"] == 0.01 and read("p", first.version).config["lr"] == 0.05
    assert wandb.run is None


def test_the_logger_run_is_finished_after_fit(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p")
    trainer(logger, tmp_path).fit(LitModel(), loader(), loader())
    assert wandb.run is None
    assert read("p", logger.version).state == "finished"


def test_default_checkpointing_with_log_model_true(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p", log_model=True)
    trainer(logger, tmp_path).fit(LitModel(), loader(), loader())  # Lightning's default ModelCheckpoint
    versions = wandb.Api().artifacts("model", f"p/model-{logger.version}")
    assert len(versions) == 1 and "latest" in versions[0].aliases


def test_nan_loss_is_logged_and_fit_ends(store_dir: Path, tmp_path: Path) -> None:
    class NanModel(LitModel):
        def training_step(self, batch: Any, batch_idx: int) -> Any:
            loss = super().training_step(batch, batch_idx)
            self.log("weird", float("nan"))
            return loss

    logger = WandbLogger(project="p")
    trainer(logger, tmp_path).fit(NanModel(), loader(), loader())
    assert "weird" in history_keys(read("p", logger.version))


def test_log_metrics_with_tensors_and_numpy_values(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="p")
    logger.log_metrics({"t": torch.tensor(1.5), "n": np.float32(2.5)}, step=3)
    logger.experiment.finish()
    row = next(iter(read("p", logger.version).scan_history()))
    assert row["t"] == 1.5 and row["n"] == 2.5 and row["trainer/global_step"] == 3


def test_unserialisable_hyperparameters_do_not_break_fit(store_dir: Path, tmp_path: Path) -> None:
    class WithObjects(LitModel):
        def __init__(self) -> None:
            super().__init__()
            self.save_hyperparameters({"loss_fn": torch.nn.MSELoss(), "activation": torch.relu, "path": tmp_path})

    logger = WandbLogger(project="p")
    trainer(logger, tmp_path).fit(WithObjects(), loader(), loader())
    config = read("p", logger.version).config
    assert "loss_fn" in config and "activation" in config and "path" in config


def test_log_image_with_caption_of_the_wrong_length_is_a_clear_error(store_dir: Path) -> None:
    logger = WandbLogger(project="p")
    img = np.zeros((4, 4, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="caption"):
        logger.log_image(key="x", images=[img, img], caption=["only one"])
    logger.experiment.finish()


def test_wandb_init_after_the_logger_started_its_run(store_dir: Path, tmp_path: Path) -> None:
    # A notebook: the logger's run was touched (config), then the user calls wandb.init() in a
    # later cell and fits. No traceback; what fit logs lands in a run that is still readable.
    logger = WandbLogger(project="p")
    logger.experiment.config["batch_size"] = 4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        user = wandb.init(project="p", name="mine")
        trainer(logger, tmp_path).fit(LitModel(), loader(), loader())
    wandb.finish()
    logged = [r for r in wandb.Api().runs("p") if "train/loss" in history_keys(r)]
    assert len(logged) == 1, [r.id for r in wandb.Api().runs("p")]
    assert logged[0].config["lr"] == 0.05
    assert user.state == "finished"


def test_log_model_bad_value_is_a_clear_error(store_dir: Path, tmp_path: Path) -> None:
    with pytest.raises((ValueError, TypeError), match="log_model"):
        WandbLogger(project="p", log_model="best")  # type: ignore[arg-type]


def test_version_before_any_run_does_not_start_one(store_dir: Path) -> None:
    # Lightning reads logger.version / logger.name / save_dir early (for checkpoint paths).
    logger = WandbLogger(project="p")
    assert logger.name == "p"
    _ = logger.version, logger.save_dir
    assert wandb.run is None and list(wandb.Api().runs("p")) == []
