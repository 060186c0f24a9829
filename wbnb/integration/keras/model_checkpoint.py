"""``WandbModelCheckpoint``: Keras' ``ModelCheckpoint`` that also logs each saved file as
a model artifact of the run."""

from __future__ import annotations

import os
from typing import Any, Literal

import keras

from .current import require_open, require_run

Mode = Literal["auto", "min", "max"]
SaveStrategy = Literal["epoch"]


class WandbModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """Save the model (or its weights) as ``keras.callbacks.ModelCheckpoint`` does, and log
    each file it writes as a version of the model artifact ``run_<run id>_model``, as wandb's
    does: aliases ``latest`` and ``epoch_<epoch>`` at an epoch's end (``best`` with
    ``save_best_only``, on an improvement of ``monitor``), ``latest`` on a batch save
    (``save_freq=N``), with ``epoch_<epoch>_batch_<batch>``. ``filepath`` ends in ``.keras`` (``.weights.h5`` with
    ``save_weights_only``) and may hold ``{epoch}`` or a metric's name, as Keras formats it.

    Unlike wandb's, an epoch where ``save_best_only`` saved nothing logs nothing (wandb
    logs the previous file again under ``best``).
    """

    def __init__(
        self,
        filepath: str | os.PathLike[str],
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: Mode = "auto",
        save_freq: SaveStrategy | int = "epoch",
        initial_value_threshold: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filepath=os.fspath(filepath),
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
            **kwargs,
        )
        self._run = require_run("WandbModelCheckpoint")
        self._saved: tuple[str, bool] | None = None  # (file, improved) Keras decided to save

    def _should_save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None, filepath: str) -> bool:
        # Keras' one decision point: remember whether it saves, where, and whether on an improvement.
        best = self.best
        save = bool(super()._should_save_model(epoch, batch, logs, filepath))
        self._saved = (filepath, self.best is not best) if save else None
        return save

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Before any batch: the run must still be open."""
        require_open(self._run, "WandbModelCheckpoint")
        super().on_train_begin(logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Save every ``save_freq`` batches (when an int), and log the file as ``latest`` and
        ``epoch_<epoch>_batch_<batch>``."""
        super().on_train_batch_end(batch, logs)
        self._log_saved(["latest", f"epoch_{self._current_epoch}_batch_{batch}"])

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Save at the epoch's end (``save_freq="epoch"``) and log the file as ``latest`` and
        ``epoch_<epoch>`` (``best`` too when ``save_best_only`` saw an improvement)."""
        super().on_epoch_end(epoch, logs)
        self._log_saved(["latest", f"epoch_{epoch}"])

    def _log_saved(self, aliases: list[str]) -> None:
        if self._saved is None:
            return
        path, improved = self._saved
        self._saved = None
        if self.save_best_only and improved:
            aliases = ["best", *aliases]
        self._run.log_model(path, name=f"run_{self._run.id}_model", aliases=aliases)
