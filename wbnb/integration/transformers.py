"""Hugging Face transformers' callback for wbnb: ``Trainer(..., callbacks=[WandbCallback()])``,
or ``report_to="wbnb"`` once this module is imported (importing it registers the name).

It logs what transformers' own ``integrations.WandbCallback`` logs, to wbnb rather than
``wandb``: the training arguments, the model's config (and a PEFT config) and
``model/num_parameters`` to the run's config; each ``Trainer`` log as ``train/<key>``,
``eval/<key>`` or ``test/<key>`` against ``train/global_step`` (the charts' x-axis), the
run totals (``train_runtime``, ``train_loss``, ``total_flos``, ...) to the summary; with
``WBNB_LOG_MODEL`` / ``WANDB_LOG_MODEL`` = ``end`` or ``checkpoint`` the model as a ``model``
artifact (``base_model`` at the start, ``final_model`` at the end, each checkpoint with
``epoch_<e>`` / ``checkpoint_global_step_<n>``). ``WBNB_WATCH`` / ``WANDB_WATCH`` =
``gradients`` | ``parameters`` | ``all`` watches the model; the project is ``WBNB_PROJECT`` /
``WANDB_PROJECT``, else ``huggingface``. Only the main process logs.

A run already open (``wbnb.init`` before ``train()``) is used. Otherwise the callback starts
one. Either way the run stays open after ``train()``, as transformers' leaves it (a later
``evaluate()``, ``predict()``, ``wbnb.log`` or second ``train()`` logs to it; ``wbnb.finish()``
or the process's exit ends it); one finished meanwhile is continued (same id) by the next
log. Each trial of a hyperparameter search gets a run of its own.
Storage trouble (the store not writable, an artifact that cannot be stored) is a warning: it
never stops training.
"""

from __future__ import annotations

import copy
import numbers
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from transformers import TrainerCallback, TrainerControl, TrainerState, TrainingArguments
from transformers.integrations import integration_utils
from transformers.integrations.integration_utils import WandbLogModel, rewrite_logs, save_model_architecture_to_file

from ..artifacts.artifact import Artifact
from ..errors import Error
from ..sdk import lifecycle
from ..sdk.disabled import DisabledRun
from ..sdk.run import Run
from ..sdk.settings import Settings

__all__ = ["WandbCallback", "WbnbCallback"]

STEP = "train/global_step"
# Logs that are run totals: the summary's, not a history row's (transformers' list).
_TOTALS = frozenset(("train_runtime", "train_samples_per_second", "train_steps_per_second", "train_loss", "total_flos"))


def _env(name: str, default: str) -> str:
    """``WBNB_<name>``, else wandb's ``WANDB_<name>``, else ``default``."""
    return os.environ.get(f"WBNB_{name}") or os.environ.get(f"WANDB_{name}") or default


def _log_model_value(text: str) -> str:
    """``LOG_MODEL`` as transformers reads it, with the older ``true`` (wandb's docs and
    transformers 4 meant ``end``) taken as ``end`` rather than turned off."""
    if text.strip().lower() in ("true", "1", "yes"):
        warnings.warn(
            f"LOG_MODEL={text!r} is the older spelling of 'end' (the model at the end of training); "
            "use 'end' or 'checkpoint'",
            FutureWarning,
            stacklevel=3,
        )
        return "end"
    return text


class WandbCallback(TrainerCallback):
    """Log a transformers ``Trainer`` to a wbnb run (see the module's docstring).

    ``WBNB_LOG_MODEL`` / ``WANDB_LOG_MODEL`` is read when the callback is made, as
    transformers' is.
    """

    def __init__(self) -> None:
        self._log_model = WandbLogModel(_log_model_value(_env("LOG_MODEL", "false")))
        self._run: Run | DisabledRun | None = None
        self._created = False  # whether this callback started the run (a search's next trial finishes it)
        self._own_id: str | None = None  # the id of the run it started, continued by a later evaluate()
        self._broken = False  # the store failed at setup: nothing more is tried

    # --- transformers' hooks -----------------------------------------------------------

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, model: Any = None, **kwargs: Any
    ) -> None:
        """Open (or take) the run and record the configuration; each hyperparameter search
        trial gets a run of its own."""
        if state.is_hyper_param_search:
            self._end_own_run()
            self._own_id = None
            args.run_name = None  # transformers' reset: a trial is named by state.trial_name
        self._setup(args, state, model)

    def on_log(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: Any = None,
        logs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Run totals to the summary; the rest as ``train/`` / ``eval/`` / ``test/`` keys
        against ``train/global_step``."""
        run = self._setup(args, state, model)
        if run is None or not logs:
            return
        with self._guard("log"):
            totals = {k: logs[k] for k in _TOTALS.intersection(logs)}
            if totals:
                run.summary.update(totals)  # one write to the store, not one per total
            row = rewrite_logs({k: v for k, v in logs.items() if k not in _TOTALS})
            row[STEP] = state.global_step
            run.log(row)

    def on_save(self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kwargs: Any) -> None:
        """With ``LOG_MODEL=checkpoint``: the checkpoint just saved, as a ``model`` artifact."""
        run = self._run
        if self._log_model != WandbLogModel.CHECKPOINT or run is None or not state.is_world_process_zero:
            return
        folder = os.path.join(str(args.output_dir), f"checkpoint-{state.global_step}")
        metadata = {**self._numeric_summary(run), "model/num_parameters": run.config.get("model/num_parameters")}
        aliases = [f"epoch_{round(state.epoch or 0, 2)}", f"checkpoint_global_step_{state.global_step}"]
        with self._guard("log the checkpoint"):
            artifact = self._artifact(args, run, metadata)
            artifact.add_dir(folder)
            run.log_artifact(artifact, aliases=aliases)

    def on_train_end(
        self,
        args: TrainingArguments,
        state: TrainerState,
        control: TrainerControl,
        model: Any = None,
        processing_class: Any = None,
        **kwargs: Any,
    ) -> None:
        """With ``LOG_MODEL`` set: the trained model as a ``final_model`` artifact. The run
        stays open, as transformers' leaves it: ``wbnb.log`` / ``wbnb.run.summary`` after
        ``train()`` reach it, and ``wbnb.finish()`` (or the process's exit) ends it."""
        run = self._run
        if run is None or not state.is_world_process_zero:
            return
        if self._log_model.is_enabled:
            with self._guard("log the model"):
                self._log_final_model(args, state, run, model, processing_class)

    def on_predict(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, metrics: Any, **kwargs: Any
    ) -> None:
        """``predict()``'s metrics (``test/<key>`` for its default prefix)."""
        run = self._setup(args, state, kwargs.get("model"))
        if run is not None:
            with self._guard("log"):
                run.log(rewrite_logs(metrics))

    # --- the run -----------------------------------------------------------------------

    def _setup(self, args: TrainingArguments, state: TrainerState, model: Any) -> Run | DisabledRun | None:
        """The run to log to (None off the main process or after the store failed): the
        callback's while open, else the current run, else one it starts."""
        if not state.is_world_process_zero or self._broken or not self._first_for(state):
            return None
        run = self._run
        if run is not None and run.state in ("running", "disabled"):
            return run
        with self._guard("start the run"):
            return self._open(args, state, model)
        self._broken = True
        return None

    def _first_for(self, state: TrainerState) -> bool:
        """Whether this callback logs for ``state``'s Trainer: the first wbnb callback to ask
        does; another (``report_to="wbnb"`` and ``callbacks=[WandbCallback()]`` both, which
        transformers lets through with a warning) stays silent instead of logging each row
        twice. The mark is an int on the state: it neither pickles a run nor reaches JSON."""
        return state.__dict__.setdefault("_wbnb_callback", id(self)) == id(self)

    def _open(self, args: TrainingArguments, state: TrainerState, model: Any) -> Run | DisabledRun:
        continuing = self._own_id is not None
        current = lifecycle.current_run()
        run: Run | DisabledRun
        if current is not None:
            run, self._created = current, False
        else:
            init: dict[str, Any] = {"project": Settings.from_env().project or "huggingface"}
            if state.trial_name is not None:
                init.update(name=state.trial_name, group=args.run_name or args.output_dir)
            elif args.run_name is not None:
                init["name"] = args.run_name
            if continuing:
                init.update(id=self._own_id, resume="allow")
            run, self._created = lifecycle.init(**init), True
            self._own_id = run.id
        self._run = run
        run.config.update(_config(args, model), allow_val_change=True)
        run.define_metric(STEP)
        run.define_metric("*", step_metric=STEP, step_sync=True)
        watch = _env("WATCH", "false")
        if watch in ("all", "parameters", "gradients") and model is not None:
            run.watch(model, log=watch, log_freq=max(100, state.logging_steps))
        if self._log_model.is_enabled and not continuing and model is not None:
            self._log_base_model(args, run, model)
        return run

    def _end_own_run(self) -> None:
        if self._run is not None and self._created:
            with self._guard("finish the run"):
                self._run.finish()
        self._run, self._created = None, False

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Storage trouble becomes a warning: training goes on."""
        try:
            yield
        except (OSError, Error) as exc:
            warnings.warn(f"wbnb WandbCallback could not {what}: {exc}", RuntimeWarning, stacklevel=3)

    # --- model artifacts ---------------------------------------------------------------

    @staticmethod
    def _artifact(args: TrainingArguments, run: Run | DisabledRun, metadata: dict[str, Any]) -> Artifact:
        """A ``model`` artifact named as transformers names it (by the run's name when
        ``run_name`` was given, else its id)."""
        named = args.run_name is not None and args.run_name != args.output_dir
        return Artifact(name=f"model-{run.name}" if named else f"model-{run.id}", type="model", metadata=metadata)

    @staticmethod
    def _numeric_summary(run: Run | DisabledRun) -> dict[str, Any]:
        return {k: v for k, v in run.summary.items() if isinstance(v, numbers.Number) and not k.startswith("_")}

    def _log_base_model(self, args: TrainingArguments, run: Run | DisabledRun, model: Any) -> None:
        to_dict = getattr(getattr(model, "config", None), "to_dict", None)
        metadata = {
            "model_config": to_dict() if to_dict is not None else None,
            "num_parameters": run.config.get("model/num_parameters"),
            "initial_model": True,
        }
        with tempfile.TemporaryDirectory() as folder, self._guard("log the base model"):
            save_model_architecture_to_file(model, folder)
            artifact = self._artifact(args, run, metadata)
            artifact.add_dir(folder)
            run.log_artifact(artifact, aliases=["base_model"])

    def _log_final_model(
        self, args: TrainingArguments, state: TrainerState, run: Run | DisabledRun, model: Any, processing_class: Any
    ) -> None:
        # transformers' way: a Trainer with the same arguments saves the model (weights,
        # config, tokenizer, training arguments), whatever wraps it.
        from transformers import Trainer

        saving = copy.deepcopy(args)
        saving.deepspeed = saving.deepspeed_plugin = None
        saving.report_to = []  # no callback of ours (nor any other) in the saving Trainer
        saver = Trainer(args=saving, model=model, processing_class=processing_class, eval_dataset=["fake"])
        if args.load_best_model_at_end:
            metadata = {
                f"eval/{args.metric_for_best_model}": state.best_metric,
                "train/total_floss": state.total_flos,
                "model/num_parameters": run.config.get("model/num_parameters"),
            }
        else:
            metadata = self._numeric_summary(run)
        metadata["final_model"] = True
        with tempfile.TemporaryDirectory() as folder:
            saver.save_model(folder)
            save_model_architecture_to_file(model, folder)
            artifact = self._artifact(args, run, metadata)
            artifact.add_dir(folder)
            run.log_artifact(artifact, aliases=["final_model"])


def _config(args: TrainingArguments, model: Any) -> dict[str, Any]:
    """The run's config: the model's config under the training arguments (which win a
    clash, as in transformers), a PEFT config, and the number of parameters."""
    out = dict(args.to_dict())
    config = getattr(model, "config", None)
    if config is not None:
        out = {**(config if isinstance(config, dict) else config.to_dict()), **out}
    peft = getattr(model, "peft_config", None)
    if peft is not None:
        out = {"peft_config": peft, **out}
    num_parameters = getattr(model, "num_parameters", None)
    if callable(num_parameters):
        out["model/num_parameters"] = num_parameters()
    return out


WbnbCallback = WandbCallback

# report_to="wbnb": Trainer looks the name up in this map (TrainingArguments accepts any name).
integration_utils.INTEGRATION_TO_CALLBACK.setdefault("wbnb", WandbCallback)
