"""wbnb's Lightning logger with a real ``Trainer`` on a tiny model, on CPU, read back
from the local store."""

from __future__ import annotations

import pickle
import subprocess
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any

import lightning.pytorch as pl
import numpy as np
import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger
from lightning.pytorch.utilities.rank_zero import rank_zero_only
from torch.utils.data import DataLoader, TensorDataset

import wbnb
from wbnb.integration.lightning import WandbLogger, WbnbLogger
from wbnb.sdk import trial as trials
from wbnb.store.local import LocalStore


class Tiny(pl.LightningModule):
    def __init__(self, lr: float = 0.1, hidden: int = 4) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Sequential(torch.nn.Linear(3, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        loss = torch.nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("val_loss", torch.nn.functional.mse_loss(self(x), y))

    def test_step(self, batch: Any, batch_idx: int) -> None:
        x, y = batch
        self.log("test_loss", torch.nn.functional.mse_loss(self(x), y))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class WatchedOnFitStart(Tiny):
    """Watched from inside, in each process of a DDP fit (rank 0's logger only logs)."""

    def on_fit_start(self) -> None:
        self.logger.watch(self, log="all", log_freq=1)  # type: ignore[union-attr]


def loader() -> DataLoader:
    g = torch.Generator().manual_seed(0)
    return DataLoader(TensorDataset(torch.randn(16, 3, generator=g), torch.randn(16, 1, generator=g)), batch_size=4)


def trainer(logger: Any, tmp_path: Path, **kw: Any) -> pl.Trainer:
    """A quiet 2-epoch CPU Trainer logging every step."""
    return pl.Trainer(
        max_epochs=2,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=tmp_path,
        **kw,
    )


def fit(logger: Any, tmp_path: Path, model: pl.LightningModule | None = None, **kw: Any) -> pl.Trainer:
    t = trainer(logger, tmp_path, **kw)
    t.fit(model or Tiny(), loader(), loader())
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


def test_log_model_all_logs_each_checkpoint_as_it_is_saved(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", log_model="all")
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", monitor="val_loss", save_top_k=1)
    fit(logger, tmp_path, callbacks=[ckpt])
    api = wbnb.Api()
    versions = [a.name for a in api.run(f"lit/{logger.version}").logged_artifacts()]
    assert versions == [f"model-{logger.version}:v0", f"model-{logger.version}:v1"]  # one per epoch
    best = api.artifact(f"lit/model-{logger.version}:best")
    assert best.type == "model" and api.artifact(f"lit/model-{logger.version}:latest").version == "v1"
    assert best.metadata["original_filename"] == Path(ckpt.best_model_path).name
    assert best.metadata["score"] == pytest.approx(float(ckpt.best_model_score))
    assert best.metadata["ModelCheckpoint"]["monitor"] == "val_loss"
    path = Path(best.download(root=str(tmp_path / "dl")), "model.ckpt")
    assert path.read_bytes() == Path(ckpt.best_model_path).read_bytes()
    folder = WandbLogger.download_artifact(f"lit/model-{logger.version}:best", save_dir=tmp_path / "dl2")
    assert Path(folder, "model.ckpt").read_bytes() == path.read_bytes()  # no run open: through Api
    with wbnb.init(project="lit") as user:
        WandbLogger.download_artifact(f"model-{logger.version}:latest", save_dir=tmp_path / "dl3")
    assert [a.name for a in wbnb.Api().run(f"lit/{user.id}").used_artifacts()] == [f"model-{logger.version}:v1"]


def test_log_model_true_logs_the_top_k_at_the_end(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", log_model=True, checkpoint_name="tiny-ckpt")
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", monitor="val_loss", save_top_k=2)
    fit(logger, tmp_path, callbacks=[ckpt])
    arts = wbnb.Api().run(f"lit/{logger.version}").logged_artifacts()
    assert [a.name for a in arts] == ["tiny-ckpt:v0", "tiny-ckpt:v1"]  # both kept, logged by finalize
    best = wbnb.Api().artifact("lit/tiny-ckpt:best")
    assert best.metadata["original_filename"] == Path(ckpt.best_model_path).name
    reader = WandbLogger(project="lit")
    used = reader.use_artifact("tiny-ckpt:best", artifact_type="model")
    assert (
        Path(used.download(root=str(tmp_path / "dl")), "model.ckpt").read_bytes()
        == Path(ckpt.best_model_path).read_bytes()
    )
    reader.finalize("success")
    assert [a.name for a in wbnb.Api().run(f"lit/{reader.version}").used_artifacts()] == [best.name]


def test_no_checkpoints_without_log_model(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit")
    fit(logger, tmp_path, callbacks=[ModelCheckpoint(dirpath=tmp_path / "ckpt")])
    assert wbnb.Api().run(f"lit/{logger.version}").logged_artifacts() == []


def test_finalize_leaves_a_run_the_user_opened(store_dir: Path, tmp_path: Path) -> None:
    run = wbnb.init(project="lit", config={"mine": 1})
    with pytest.warns(UserWarning, match="already in progress"):
        logger = WandbLogger(project="other")
        fit(logger, tmp_path, enable_checkpointing=False)
    assert logger.experiment is run and wbnb.run is run and run.state == "running"
    run.log({"after": 1.0})  # the user goes on logging to it
    run.finish()
    read = wbnb.Api().run(f"lit/{run.id}")
    assert read.config["mine"] == 1 and read.config["lr"] == 0.1
    assert read.summary["after"] == 1.0 and "train_loss" in read.summary


def test_finalize_leaves_a_run_given_as_experiment(store_dir: Path, tmp_path: Path) -> None:
    run = wbnb.init(project="lit")
    logger = WandbLogger(experiment=run)
    fit(logger, tmp_path, enable_checkpointing=False)
    assert run.state == "running" and logger.version == run.id
    run.finish()


def test_a_run_the_user_opens_between_fit_and_test_is_used_and_left_open(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit")
    trainer = fit(logger, tmp_path, enable_checkpointing=False)
    mine = wbnb.init(project="lit")
    with pytest.warns(UserWarning, match="already in progress"):
        trainer.test(Tiny(), loader())
    assert mine.state == "running" and logger.version == mine.id
    mine.finish()
    assert "test_loss" in wbnb.Api().run(f"lit/{mine.id}").summary


def test_a_finished_user_run_is_not_reopened(store_dir: Path, tmp_path: Path) -> None:
    mine = wbnb.init(project="lit")
    logger = WandbLogger(project="lit", experiment=mine)
    mine.finish()
    logger.log_metrics({"x": 1.0}, step=0)  # a run of the logger's own
    assert logger.version != mine.id and "x" not in wbnb.Api().run(f"lit/{mine.id}").summary
    logger.finalize("success")
    assert wbnb.run is None and wbnb.Api().run(f"lit/{logger.version}").summary["x"] == 1.0


def test_fit_then_test_continue_the_logger_s_run(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit")
    trainer = fit(logger, tmp_path, enable_checkpointing=False)
    first = logger.version
    trainer.test(Tiny(), loader())
    assert logger.version == first and wbnb.run is None
    read = wbnb.Api().run(f"lit/{first}")
    assert read.state == "finished" and "train_loss" in read.summary and "test_loss" in read.summary
    assert len(wbnb.Api().runs("lit")) == 1


def test_a_failed_fit_finishes_the_logger_s_run_as_failed(store_dir: Path, tmp_path: Path) -> None:
    class Broken(Tiny):
        def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
            raise RuntimeError("boom")

    logger = WandbLogger(project="lit")
    logger.log_hyperparams({"a": 1})  # starts the run before fit
    trainer = pl.Trainer(
        max_epochs=1, accelerator="cpu", logger=logger, enable_progress_bar=False, default_root_dir=tmp_path
    )
    with pytest.raises(RuntimeError, match="boom"):
        trainer.fit(Broken(), loader())
    assert wbnb.Api().run(f"lit/{logger.version}").state == "failed" and wbnb.run is None


def test_watch_table_image_audio_text(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit")
    model = Tiny()
    logger.watch(model, log="all", log_freq=1)
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        logger=logger,
        log_every_n_steps=1,
        enable_progress_bar=False,
        default_root_dir=tmp_path,  # its checkpoints, not in the working directory
    )
    trainer.fit(model, loader())
    logger.log_table("samples", columns=["x", "y"], data=[[1, 2.0], [3, 4.0]], step=5)
    logger.log_image("pics", [torch.zeros(3, 4, 4), torch.ones(3, 4, 4)], caption=["a", "b"])
    with pytest.raises(ValueError, match="only found 1 for caption"):
        logger.log_image("pics", [torch.zeros(3, 4, 4), torch.ones(3, 4, 4)], caption=["a"])
    with pytest.raises(TypeError, match="Expected a list"):
        logger.log_image("pics", torch.zeros(3, 4, 4))  # type: ignore[arg-type]
    logger.log_audio("clip", [np.zeros(800, dtype=np.float32)], sample_rate=[8000])
    logger.log_text("notes", columns=["text"], data=[["hello"]])
    logger.experiment.finish()
    read = wbnb.Api().run(f"lit/{logger.version}")
    keys = set(read.summary.keys())
    assert "gradients/net.0.weight" in keys and "parameters/net.0.weight" in keys
    assert read.summary["samples"]["_type"] == "table"
    (row,) = read.scan_history(keys=["samples", "trainer/global_step"])
    assert row["trainer/global_step"] == 5  # the step given, on the x-axis
    assert read.summary["clip"][0]["_type"] == "audio" and read.summary["notes"]["_type"] == "table"
    assert [(p["_type"], p["caption"], p["width"]) for p in read.summary["pics"]] == [
        ("image", "a", 4),
        ("image", "b", 4),
    ]


def test_import_wbnb_imports_no_framework() -> None:
    code = "import sys, wbnb, wbnb.integration; print(sorted({'lightning', 'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_integrations_are_reached_as_attributes_when_first_used() -> None:
    code = (
        "import sys, wbnb; logger = wbnb.integration.lightning.WandbLogger; "
        "print(logger.__name__, 'lightning' in sys.modules, 'wbnb.integration.transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["WandbLogger", "True", "False"]


def test_offline_with_log_model_is_allowed(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", offline=True, log_model="all", anonymous=True)  # Lightning's raises
    fit(logger, tmp_path, callbacks=[ModelCheckpoint(dirpath=tmp_path / "ckpt")])
    assert LocalStore(store_dir).run("lit", logger.version)["mode"] == "offline"
    assert len(wbnb.Api().run(f"lit/{logger.version}").logged_artifacts()) == 2


def test_pickled_for_spawned_processes_the_logger_s_run_is_handed_over(store_dir: Path) -> None:
    # What ddp_spawn does: the logger is pickled here and its rank 0 copy logs elsewhere.
    logger = WandbLogger(project="lit")
    logger.experiment.config.update({"before_fit": 1})  # a run opened here, before fit
    sent = pickle.loads(pickle.dumps(logger))
    assert wbnb.run is None  # finished here: one process writes a run, the spawned rank 0 now
    sent.log_hyperparams({"lr": 0.1})
    sent.log_metrics({"x": 1.0}, step=0)
    sent.finalize("success")
    (run,) = wbnb.Api().runs("lit")
    assert run.id == logger.version == sent.version and run.state == "finished"
    assert dict(run.config) == {"before_fit": 1, "lr": 0.1} and run.summary["x"] == 1.0


def test_a_run_opened_here_stays_here_when_pickled_for_spawned_processes(store_dir: Path) -> None:
    mine = wbnb.init(project="lit")
    logger = WandbLogger(project="lit", experiment=mine)
    with pytest.warns(UserWarning, match="spawned processes"):
        sent = pickle.loads(pickle.dumps(logger))
    assert mine.state == "running" and wbnb.run is mine  # the user's run is never finished for it
    assert sent.version == logger.version != mine.id  # rank 0 logs to a run of its own, named here
    mine.finish()


def test_hyperparameters_namespace_nested_and_not_json(store_dir: Path) -> None:
    logger = WandbLogger(project="lit")
    logger.experiment.config["key"] = "set before fit"  # as wandb's docs show
    logger.log_hyperparams(
        Namespace(lr=0.1, opt={"name": "sgd", "betas": (0.9, 0.99)}, device=torch.device("cpu"), act=torch.nn.ReLU)
    )
    logger.finalize("success")
    config = wbnb.Api().run(f"lit/{logger.version}").config
    assert config["key"] == "set before fit" and config["lr"] == 0.1
    assert config["opt"] == {"name": "sgd", "betas": [0.9, 0.99]}
    assert config["device"] == "cpu" and config["act"] == "ReLU"  # Lightning's conversions
    assert len(wbnb.Api().runs("lit")) == 1


def test_properties_before_the_run_and_dir(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", id="given1", dir=tmp_path / "root")
    assert (logger.name, logger.version, logger.save_dir) == ("lit", "given1", str(tmp_path / "root"))
    logger.log_metrics({"x": 1.0})
    logger.finalize("success")
    assert wbnb.Api(store=LocalStore(tmp_path / "root" / "wbnb-runs")).run("lit/given1").summary["x"] == 1.0


def test_resuming_by_id_continues_the_run(store_dir: Path, tmp_path: Path) -> None:
    first = WandbLogger(project="lit")
    fit(first, tmp_path, enable_checkpointing=False)
    again = WandbLogger(project="lit", id=first.version)
    fit(again, tmp_path, enable_checkpointing=False)
    (run,) = wbnb.Api().runs("lit")
    assert run.id == first.version == again.version and run.state == "finished"
    assert len([r for r in run.history(pandas=False) if r.get("train_loss") is not None]) == 16
    wbnb.finish()  # as the tutorials end: nothing left open, nothing to do


def test_with_a_csv_logger_beside_it(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit")
    csv = CSVLogger(tmp_path / "csv")
    trainer = fit([logger, csv], tmp_path, callbacks=[ModelCheckpoint(monitor="val_loss")])
    assert "train_loss" in wbnb.Api().run(f"lit/{logger.version}").summary
    assert "train_loss" in Path(csv.log_dir, "metrics.csv").read_text()
    # The first logger names the checkpoints' folder, as Lightning's does: <root>/<project>/<run id>.
    assert Path(trainer.checkpoint_callback.best_model_path).parent == tmp_path / "lit" / logger.version / "checkpoints"


def test_tables_from_a_dataframe_and_video(store_dir: Path, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    logger = WandbLogger(project="lit")
    logger.log_table("df", dataframe=pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), step=3)
    logger.log_text("txt", dataframe=pd.DataFrame({"text": ["hi"]}))
    frames = np.zeros((2, 3, 4, 4), dtype=np.uint8)
    logger.log_video("clips", [frames], fps=[2], format=["gif"], caption=["c"])
    logger.finalize("success")
    summary = wbnb.Api().run(f"lit/{logger.version}").summary
    assert summary["df"]["_type"] == "table" and summary["df"]["columns"] == ["a", "b"]
    assert summary["txt"]["columns"] == ["text"]
    assert [(v["_type"], v["caption"]) for v in summary["clips"]] == [("video", "c")]


def test_ddp_two_processes_log_once_from_rank_zero(store_dir: Path, tmp_path: Path) -> None:
    # A real 2-process gloo fit on CPU (ddp_fork: ddp_spawn reads the same, in ~35 s rather
    # than ~3 s here, its processes importing torch and Lightning again). Rank 1 logs nothing
    # and does not fail: its experiment and watch() are no-ops.
    logger = WandbLogger(project="lit", log_model="all")
    ckpt = ModelCheckpoint(dirpath=tmp_path / "ckpt", monitor="val_loss", save_top_k=-1)
    fit(logger, tmp_path, callbacks=[ckpt], strategy="ddp_fork", devices=2, model=WatchedOnFitStart())
    (run,) = wbnb.Api().runs("lit")
    assert run.id == logger.version and run.state == "finished"  # the id the parent's logger names
    assert dict(run.config) == {"lr": 0.1, "hidden": 4}
    rows = run.history(pandas=False)
    train = [r["trainer/global_step"] for r in rows if r.get("train_loss") is not None]
    assert train == [0, 1, 2, 3]  # 2 batches per rank x 2 epochs, each row once
    assert [r["epoch"] for r in rows if r.get("val_loss") is not None] == [0, 1]
    assert "gradients/net.0.weight" in run.summary
    assert [a.name for a in run.logged_artifacts()] == [f"model-{run.id}:v0", f"model-{run.id}:v1"]


def test_on_other_ranks_rank_zero_code_runs_and_logs_nothing(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With strategy="ddp" every rank runs the user's script, lines written for rank 0 included.
    monkeypatch.setattr(rank_zero_only, "rank", 1)
    logger = WandbLogger(project="lit", log_model="all")
    logger.experiment.config.update({"a": 1})  # as wandb's docs show; Lightning's stand-in raises here
    logger.experiment.config["b"] = 2
    logger.experiment.summary["best"] = 0.5
    logger.experiment.log({"x": 1.0, "trainer/global_step": 0})
    logger.watch(Tiny(), log="all")
    logger.use_artifact("model-x:latest").download()
    logger.log_hyperparams({"lr": 0.1})
    logger.log_metrics({"x": 1.0}, step=0)
    logger.log_image("pics", [torch.zeros(3, 4, 4)])
    logger.finalize("success")
    assert wbnb.run is None and not store_dir.exists()


def test_the_run_id_comes_from_the_environment_or_the_sweep(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_RUN_ID", "fromenv1")  # wandb's way to name (and resume) a run
    assert WandbLogger(project="lit").version == "fromenv1"
    monkeypatch.delenv("WANDB_RUN_ID")
    assert WandbLogger(project="lit", resume="auto").version is None  # init() finds the run to continue
    monkeypatch.setattr(trials, "waiting", lambda: True)
    assert WandbLogger(project="lit").version is None  # the sweep's trial names its run


def test_a_run_resume_auto_named_is_the_one_test_continues(store_dir: Path, tmp_path: Path) -> None:
    logger = WandbLogger(project="lit", resume="auto")  # init() picks the id, not the logger
    trainer = fit(logger, tmp_path, enable_checkpointing=False)
    trainer.test(Tiny(), loader())
    (run,) = wbnb.Api().runs("lit")
    assert run.id == logger.version and "test_loss" in run.summary and "train_loss" in run.summary
