"""``WandbEvalCallback``: the base of a model-evaluation callback, a table of ground truth once
and a table of predictions each epoch, as artifacts."""

from __future__ import annotations

import abc
from typing import Any

import keras

from wbnb.artifacts.artifact import Artifact
from wbnb.data import Table

from .current import require_open, require_run


class WandbEvalCallback(keras.callbacks.Callback, abc.ABC):
    """Subclass it and fill two tables, as with wandb's: ``add_ground_truth`` fills
    ``self.data_table`` (columns ``data_table_columns``) when training begins; it is logged and
    used as the ``dataset`` artifact ``val`` (table ``val_data``), then read back as
    ``self.data_table_ref``. ``add_model_predictions`` fills ``self.pred_table`` (columns
    ``pred_table_columns``) at each epoch's end; it is logged as the ``evaluation`` artifact
    ``run_<run id>_pred`` (table ``eval_data``)."""

    def __init__(self, data_table_columns: list[str], pred_table_columns: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._run = require_run("WandbEvalCallback")
        self.data_table_columns = data_table_columns
        self.pred_table_columns = pred_table_columns

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Make, fill and log the ground-truth table."""
        require_open(self._run, type(self).__name__)
        self.init_data_table(column_names=self.data_table_columns)
        self.add_ground_truth(logs)
        self.log_data_table()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Make, fill and log the epoch's predictions table."""
        self.init_pred_table(column_names=self.pred_table_columns)
        self.add_model_predictions(epoch, logs)
        self.log_pred_table()

    @abc.abstractmethod
    def add_ground_truth(self, logs: dict[str, Any] | None = None) -> None:
        """Add the validation data's rows to ``self.data_table``."""

    @abc.abstractmethod
    def add_model_predictions(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Add the model's predictions to ``self.pred_table`` (``self.data_table_ref`` holds the data)."""

    def init_data_table(self, column_names: list[str]) -> None:
        """A fresh ``self.data_table`` (mixed types allowed, as wandb's)."""
        self.data_table = Table(columns=column_names, allow_mixed_types=True)

    def init_pred_table(self, column_names: list[str]) -> None:
        """A fresh ``self.pred_table``."""
        self.pred_table = Table(columns=column_names)

    def log_data_table(self, name: str = "val", type: str = "dataset", table_name: str = "val_data") -> None:
        """Log ``self.data_table`` as an artifact the run uses; keep it read back as ``self.data_table_ref``."""
        artifact = Artifact(name, type=type)
        artifact.add(self.data_table, table_name)
        self._run.use_artifact(artifact)
        artifact.wait()
        self.data_table_ref = artifact.get(table_name)

    def log_pred_table(
        self, type: str = "evaluation", table_name: str = "eval_data", aliases: list[str] | None = None
    ) -> None:
        """Log ``self.pred_table`` as a version of ``run_<run id>_pred``."""
        artifact = Artifact(f"run_{self._run.id}_pred", type=type)
        artifact.add(self.pred_table, table_name)
        self._run.log_artifact(artifact, aliases=aliases or ["latest"])
