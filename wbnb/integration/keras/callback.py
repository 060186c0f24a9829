"""``WandbCallback``: the classic all-in-one Keras callback the tutorials pass to ``fit``."""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import keras
import numpy as np

from wbnb.data import Histogram, Image

from . import gradients
from .current import require_open, require_run, warn
from .examples import IMAGE_TYPES, examples, guess_data_type

Mode = Literal["auto", "min", "max"]
MAX_PREDICTIONS = 100  # wandb's cap on ``predictions``


class WandbCallback(keras.callbacks.Callback):
    """Log each epoch's metrics (``epoch`` and Keras' ``logs`` at the run's next step), keep the
    best ``monitor`` value so far in the summary (``best_<monitor>``, ``best_epoch``; a resumed
    run starts from the summary's) and, with ``save_model``, save the best model to
    ``<run dir>/model-best.keras`` and log it as the model artifact ``model-<run name>``
    (aliases ``latest``, ``epoch_<epoch>``), as wandb's does.

    ``mode="auto"`` maximizes a monitor named like an accuracy (``acc``, ``fmeasure``...) and
    minimizes anything else. ``log_weights``: a histogram per layer's kernel and bias
    (``parameters/<layer>.weights`` / ``.bias``) each epoch. ``log_gradients`` with
    ``training_data=(x, y)`` (or a ``keras.utils.PyDataset``): each epoch, a histogram per
    trainable weight of its loss gradient on that data (``gradients/<layer>/<weight>.gradient``),
    summed over batches of 32 as wandb's are (PyTorch and JAX backends; on TensorFlow it warns
    and logs none). ``log_batch_frequency=N``: Keras' batch logs every N batches too.

    ``input_type`` (or ``data_type``) / ``output_type`` (``"image"``, ``"segmentation_mask"``,
    ``"label"``; ``input_type="auto"`` guesses from the model's input, and the output type is
    guessed from the model's output when not given) with ``validation_data=(x, y)`` or a
    ``generator`` of ``(x, y)`` batches: ``examples``, the first ``predictions`` (at most 100)
    validation inputs captioned with the predicted class (``labels[class]`` when given), or
    the predicted images beside the targets (masks coloured by ``class_colors``), each epoch.

    wandb's evaluation tables (``log_evaluation`` and its processors), ``save_graph`` and
    ``compute_flops`` are accepted and ignored with one warning.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        verbose: int = 0,
        mode: Mode = "auto",
        save_weights_only: bool = False,
        log_weights: bool = False,
        log_gradients: bool = False,
        save_model: bool = True,
        training_data: Any = None,
        validation_data: Any = None,
        labels: Sequence[str] | None = None,
        predictions: int = 36,
        generator: Any = None,
        input_type: str | None = None,
        output_type: str | None = None,
        log_evaluation: bool = False,
        validation_steps: int | None = None,
        class_colors: Any = None,
        log_batch_frequency: int | None = None,
        log_best_prefix: str | None = "best_",
        save_graph: bool | None = None,
        validation_indexes: Any = None,
        validation_row_processor: Callable[..., Any] | None = None,
        prediction_row_processor: Callable[..., Any] | None = None,
        infer_missing_processors: bool = True,
        log_evaluation_frequency: int = 0,
        compute_flops: bool = False,
        save_model_as_artifact: bool = True,
        data_type: str | None = None,
        **unknown: Any,
    ) -> None:
        super().__init__()
        self._run = require_run("WandbCallback")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"WandbCallback: mode must be 'auto', 'min' or 'max', not {mode!r}")
        # wandb's defaults (save_graph=True, infer_missing_processors=True...) stay silent; only
        # what a user asked for is named.
        asked = {
            "log_evaluation": log_evaluation,
            "validation_indexes": validation_indexes is not None,
            "validation_row_processor": validation_row_processor is not None,
            "prediction_row_processor": prediction_row_processor is not None,
            "infer_missing_processors": not infer_missing_processors,
            "log_evaluation_frequency": bool(log_evaluation_frequency),
            "validation_steps": validation_steps is not None,
            "save_graph": bool(save_graph),
            "compute_flops": compute_flops,
            **{name: True for name in unknown},
        }
        if log_gradients and not gradients.backend_supported():
            asked["log_gradients (PyTorch and JAX backends only)"] = True
            log_gradients = False
        ignored = [name for name, given in asked.items() if given]
        if ignored:
            warn(f"WandbCallback: {', '.join(ignored)} not supported by wbnb; ignored")
        if log_gradients:
            if training_data is None:
                raise ValueError("WandbCallback: log_gradients=True needs training_data=(x, y)")
            gradients.check_training_data(training_data)
        self.monitor, self.verbose, self.log_best_prefix = monitor, verbose, log_best_prefix
        self.save_model, self.save_weights_only = save_model, save_weights_only
        self.log_weights, self.log_gradients, self.training_data = log_weights, log_gradients, training_data
        self.save_model_as_artifact = save_model_as_artifact
        self.log_batch_frequency = log_batch_frequency
        self.labels, self.predictions = list(labels or []), min(predictions, MAX_PREDICTIONS)
        self.input_type, self.output_type = input_type or data_type, output_type
        self.class_colors = None if class_colors is None else np.asarray(class_colors, dtype=float)
        if generator is None and (
            isinstance(validation_data, keras.utils.PyDataset) or hasattr(validation_data, "__next__")
        ):
            validation_data, generator = None, validation_data  # wandb takes a generator there too
        if isinstance(generator, keras.utils.PyDataset):
            generator = _cycle(generator)
        self.validation_data, self.generator = validation_data, generator
        accuracy = "acc" in monitor or monitor.startswith("fmeasure")
        self.maximize = mode == "max" or (mode == "auto" and accuracy)
        self.best = -math.inf if self.maximize else math.inf
        previous = self._run.summary.get(f"{log_best_prefix}{monitor}") if log_best_prefix else None
        if isinstance(previous, (int, float)):  # a resumed run: beat its best, as wandb's does
            self.best = float(previous)
        self.best_epoch: int | None = None
        self._monitor_said = False
        suffix = ".weights.h5" if save_weights_only else ".keras"  # Keras 3 names the format by the ending
        self.filepath = os.path.join(self._run.dir, f"model-best{suffix}")

    def set_model(self, model: keras.Model) -> None:
        """Keep the model; guess ``input_type="auto"`` and a missing ``output_type`` from its shapes."""
        super().set_model(model)
        inputs, outputs = _symbolic(model, "inputs"), _symbolic(model, "outputs")
        if self.input_type == "auto" and len(inputs) == 1:
            self.input_type = guess_data_type(inputs[0].shape, risky=True)
        if self.input_type and self.output_type is None and len(outputs) == 1:
            self.output_type = guess_data_type(outputs[0].shape)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Before any batch: the run must still be open; say once if image examples have no data."""
        require_open(self._run, "WandbCallback")
        self._monitor_said = False
        wants_examples = self.input_type in IMAGE_TYPES or self.output_type in IMAGE_TYPES
        if wants_examples and self.validation_data is None and self.generator is None:
            # Keras 3 does not hand fit()'s validation data to callbacks (tf.keras 1 did).
            warn(
                f"WandbCallback: data_type={self.input_type!r} logs example predictions from the callback's "
                "validation_data=(x, y) or generator=, and neither was given: no examples will be logged"
            )

    def _improved(self, current: float) -> bool:
        return current > self.best if self.maximize else current < self.best

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Log the epoch's metrics (and weights, gradients, examples); on an improvement of
        ``monitor``, keep it in the summary and save the model."""
        logs = dict(logs or {})
        record: dict[str, Any] = {"epoch": epoch, **logs}
        if self.log_weights:
            record.update(self._weights())
        if self.log_gradients:
            record.update(self._gradients())
        if self.input_type in IMAGE_TYPES or self.output_type in IMAGE_TYPES:
            images = self._examples()
            if images:
                record["examples"] = images
        self._run.log(record)
        current = logs.get(self.monitor)
        if current is None and not self._monitor_said:
            self._monitor_said = True
            warn(
                f"WandbCallback: monitor {self.monitor!r} is not in this epoch's logs ({', '.join(sorted(logs))}); "
                "nothing is called best and no model is saved: pass monitor= one of those"
            )
        if current is None or not self._improved(float(current)):
            return
        if self.verbose > 0:
            print(f"Epoch {epoch:05d}: {self.monitor} improved from {self.best:.5f} to {float(current):.5f}")
        self.best, self.best_epoch = float(current), epoch
        if self.log_best_prefix:
            # one update, one write of the run's metadata
            self._run.summary.update(
                {f"{self.log_best_prefix}{self.monitor}": self.best, f"{self.log_best_prefix}epoch": epoch}
            )
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

    def _gradients(self) -> dict[str, Histogram]:
        # wandb's names were TF's ``dense/kernel:0``; Keras 3's path adds the model's name first.
        own = f"{self.model.name}/"
        out: dict[str, Histogram] = {}
        grads = gradients.summed_gradients(self.model, self.training_data)
        for variable, grad in zip(self.model.trainable_variables, grads):
            if grad is not None:
                name = variable.path.removeprefix(own)
                out[f"gradients/{name}.gradient"] = Histogram(grad)
        return out

    def _examples(self) -> list[Image]:
        # The first ``predictions`` validation examples (wandb picks them at random; the same
        # ones each epoch show the model's progress), drawn as wandb draws them.
        data = next(self.generator) if self.generator is not None else self.validation_data
        if data is None:  # said once at on_train_begin
            return []
        x, y = (np.asarray(part)[: self.predictions] for part in data[:2])
        predicted = np.asarray(self.model.predict(x, verbose=0))
        return examples(x, y, predicted, self.input_type, self.output_type, self.labels, self.class_colors)

    def _save(self, epoch: int) -> None:
        if self.save_weights_only:
            self.model.save_weights(self.filepath, overwrite=True)
        else:
            self.model.save(self.filepath, overwrite=True)
        if self.save_model_as_artifact:
            self._run.log_model(self.filepath, name=f"model-{self._run.name}", aliases=["latest", f"epoch_{epoch}"])


def _cycle(dataset: keras.utils.PyDataset) -> Iterator[Any]:
    """A dataset's batches, over and over (one a call of ``next``)."""
    return (dataset[index] for index in itertools.cycle(range(len(dataset))))


def _symbolic(model: keras.Model, which: str) -> list[Any]:
    # A functional or Sequential model knows its symbolic inputs and outputs; a subclassed one may not.
    try:
        return list(getattr(model, which) or [])
    except (AttributeError, ValueError):
        return []
