"""``WandbCallback``: the classic all-in-one Keras callback the tutorials pass to ``fit``."""

from __future__ import annotations

import math
import os
from typing import Any, Literal

import keras
import numpy as np

from wbnb.data import Histogram, Image
from wbnb.sdk.term import termwarn

from .current import require_run

Mode = Literal["auto", "min", "max"]


class WandbCallback(keras.callbacks.Callback):
    """Log each epoch's metrics (``epoch`` and Keras' ``logs`` at the run's next step), keep the
    best ``monitor`` value so far in the summary (``best_<monitor>``, ``best_epoch``) and, with
    ``save_model``, save the best model to ``<run dir>/model-best.keras`` and log it as the
    model artifact ``model-<run name>`` (aliases ``latest``, ``epoch_<epoch>``), as wandb's does.

    ``mode="auto"`` maximizes a monitor named like an accuracy (``acc``, ``fmeasure``...) and
    minimizes anything else. ``log_weights``: a histogram per layer's kernel and bias
    (``parameters/<layer>.weights`` / ``.bias``) each epoch. ``log_batch_frequency=N``: Keras'
    batch logs every N batches too. ``data_type="image"`` (or ``input_type``) with
    ``validation_data``: ``examples``, the first ``predictions`` images captioned with the
    predicted class (``labels[class]`` when given), each epoch.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        verbose: int = 0,
        mode: Mode = "auto",
        save_weights_only: bool = False,
        log_weights: bool = False,
        save_model: bool = True,
        log_batch_frequency: int | None = None,
        log_best_prefix: str = "best_",
        save_model_as_artifact: bool = True,
        validation_data: Any = None,
        labels: list[str] | None = None,
        predictions: int = 36,
        data_type: str | None = None,
        input_type: str | None = None,
        **unsupported: Any,
    ) -> None:
        super().__init__()
        self._run = require_run("WandbCallback")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"WandbCallback: mode must be 'auto', 'min' or 'max', not {mode!r}")
        # wandb's other arguments (log_gradients, training_data, output_type...): taken so the
        # tutorials run, not acted on yet (docs/notes-issue19-keras.md).
        ignored = sorted(k for k, v in unsupported.items() if v is not None and v is not False)
        if ignored:
            termwarn(f"WandbCallback: {', '.join(ignored)} not supported yet; ignored")
        self.monitor, self.verbose, self.log_best_prefix = monitor, verbose, log_best_prefix
        self.save_model, self.save_weights_only, self.log_weights = save_model, save_weights_only, log_weights
        self.save_model_as_artifact = save_model_as_artifact
        self.log_batch_frequency = log_batch_frequency
        self.labels, self.predictions = labels, predictions
        self.images = (input_type or data_type) in ("image", "images") and validation_data is not None
        self.validation_data = validation_data
        accuracy = "acc" in monitor or monitor.startswith("fmeasure")
        self.maximize = mode == "max" or (mode == "auto" and accuracy)
        self.best = -math.inf if self.maximize else math.inf
        self.best_epoch: int | None = None
        suffix = ".weights.h5" if save_weights_only else ".keras"  # Keras 3 names the format by the ending
        self.filepath = os.path.join(self._run.dir, f"model-best{suffix}")

    def _improved(self, current: float) -> bool:
        return current > self.best if self.maximize else current < self.best

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Log the epoch's metrics (and weights); on an improvement of ``monitor``, keep it
        in the summary and save the model."""
        logs = dict(logs or {})
        record: dict[str, Any] = {"epoch": epoch, **logs}
        if self.log_weights:
            record.update(self._weights())
        if self.images:
            record["examples"] = self._examples()
        self._run.log(record)
        current = logs.get(self.monitor)
        if current is None or not self._improved(float(current)):
            return
        if self.verbose > 0:
            print(f"Epoch {epoch:05d}: {self.monitor} improved from {self.best:.5f} to {float(current):.5f}")
        self.best, self.best_epoch = float(current), epoch
        if self.log_best_prefix:
            self._run.summary[f"{self.log_best_prefix}{self.monitor}"] = self.best
            self._run.summary[f"{self.log_best_prefix}epoch"] = epoch
        if self.save_model:
            self._save(epoch)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Every ``log_batch_frequency`` batches, log Keras' batch logs."""
        if self.log_batch_frequency and batch % self.log_batch_frequency == 0:
            self._run.log(dict(logs or {}))

    def _weights(self) -> dict[str, Histogram]:
        # wandb's names: a layer's first array is its weights, a second its bias.
        out: dict[str, Histogram] = {}
        for layer in self.model.layers:
            arrays = layer.get_weights()
            if len(arrays) not in (1, 2):
                continue
            for part, array in zip(("weights", "bias"), arrays):
                if np.issubdtype(np.asarray(array).dtype, np.number):
                    out[f"parameters/{layer.name}.{part}"] = Histogram(np.asarray(array))
        return out

    def _examples(self) -> list[Image]:
        # The first ``predictions`` validation images, captioned with the predicted class (wandb
        # picks them at random; the same ones each epoch show the model's progress).
        x = self.validation_data[0] if isinstance(self.validation_data, (tuple, list)) else self.validation_data
        x = np.asarray(x)[: self.predictions]
        scores = np.asarray(self.model.predict(x, verbose=0))
        if scores.shape[-1] == 1:  # one sigmoid output: class 0 or 1
            classes = (scores[..., 0] > 0.5).astype(int)
        else:
            classes = scores.reshape(len(x), -1).argmax(axis=1)
        names = [self.labels[c] if self.labels and c < len(self.labels) else str(c) for c in classes]
        return [Image(image, caption=name) for image, name in zip(x, names)]

    def _save(self, epoch: int) -> None:
        if self.save_weights_only:
            self.model.save_weights(self.filepath, overwrite=True)
        else:
            self.model.save(self.filepath, overwrite=True)
        if self.save_model_as_artifact:
            self._run.log_model(self.filepath, name=f"model-{self._run.name}", aliases=["latest", f"epoch_{epoch}"])
