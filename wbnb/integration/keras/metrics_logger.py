"""``WandbMetricsLogger``: Keras' ``logs`` dict to the run, each epoch or every N batches."""

from __future__ import annotations

from typing import Any, Literal

import keras

from .current import require_open, require_run, warn

LogStrategy = Literal["epoch", "batch"]


class WandbMetricsLogger(keras.callbacks.Callback):
    """Log the metrics ``model.compile`` asked for and the learning rate, as wandb's does:
    ``epoch/<name>`` against ``epoch/epoch`` at each epoch's end, and with ``log_freq="batch"``
    or an int N, ``batch/<name>`` against ``batch/batch_step`` every N training batches.

    ``initial_global_step``: the optimizer step training resumes from (``initial_epoch``
    times the steps per epoch), so a learning-rate schedule is read at the right step.
    """

    def __init__(
        self, log_freq: LogStrategy | int = "epoch", initial_global_step: int = 0, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._run = require_run("WandbMetricsLogger")
        every = 1 if log_freq == "batch" else log_freq
        if every != "epoch" and (not isinstance(every, int) or every < 1):
            raise ValueError(f"WandbMetricsLogger: log_freq must be 'epoch', 'batch' or an int >= 1, not {log_freq!r}")
        self.logging_batch_wise = isinstance(every, int)
        self.log_freq = every if isinstance(every, int) else 0
        self.global_batch = 0  # the x of the next batch record, in batches since the callback began
        self.global_step = initial_global_step  # optimizer steps, for the schedule
        self._rate_warned = False
        if self.logging_batch_wise:
            self._run.define_metric("batch/batch_step")
            self._run.define_metric("batch/*", step_metric="batch/batch_step")
        else:
            self._run.define_metric("epoch/epoch")
            self._run.define_metric("epoch/*", step_metric="epoch/epoch")

    def _learning_rate(self) -> float | None:
        # A fixed rate is a variable; a schedule is a callable of the step.
        optimizer = getattr(self.model, "optimizer", None)
        rate = getattr(optimizer, "learning_rate", None)
        if rate is None:
            return None
        try:
            if callable(rate) and not isinstance(rate, keras.Variable):
                rate = rate(self.global_step)
            return float(rate)  # a backend scalar; 5x cheaper than keras.ops.convert_to_numpy
        except Exception as error:  # a user's schedule: a number not logged never stops training (as wandb)
            if not self._rate_warned:
                self._rate_warned = True
                warn(f"WandbMetricsLogger: unable to log the learning rate: {error}")
            return None

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Before any batch: the run must still be open."""
        require_open(self._run, "WandbMetricsLogger")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Log ``epoch/<metric>``, ``epoch/epoch`` and ``epoch/learning_rate``."""
        record = {f"epoch/{name}": value for name, value in (logs or {}).items()}
        record["epoch/epoch"] = epoch
        rate = self._learning_rate()
        if rate is not None:
            record["epoch/learning_rate"] = rate
        self._run.log(record)

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Count the optimizer step; every ``log_freq`` batches, log ``batch/<metric>``,
        ``batch/batch_step`` and ``batch/learning_rate``."""
        self.global_step += 1
        if self.logging_batch_wise and batch % self.log_freq == 0:
            record = {f"batch/{name}": value for name, value in (logs or {}).items()}
            record["batch/batch_step"] = self.global_batch
            rate = self._learning_rate()
            if rate is not None:
                record["batch/learning_rate"] = rate
            self._run.log(record)
            self.global_batch += self.log_freq

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Keras' training-batch hook: ``on_batch_end``."""
        self.on_batch_end(batch, logs)
