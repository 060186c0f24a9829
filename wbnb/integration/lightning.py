"""PyTorch Lightning's logger for wbnb: ``Trainer(logger=WandbLogger(project="p"))``.

The arguments and calls are those of Lightning's own ``WandbLogger``
(``lightning.pytorch.loggers.wandb``); it logs to wbnb rather than importing ``wandb``.
Hyperparameters go to the run's config, metrics against ``trainer/global_step``, and with
``log_model`` the checkpoints become ``model`` artifacts (``latest``, and ``best`` on the
best one). ``finalize`` finishes only a run this logger started: a run the user opened
(``wbnb.init`` before, or ``experiment=``) is left open.
"""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

from lightning.fabric.utilities.logger import (
    _add_prefix,
    _convert_json_serializable,
    _convert_params,
    _sanitize_callable_params,
)
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers.logger import Logger
from lightning.pytorch.loggers.utilities import _scan_checkpoints
from lightning.pytorch.utilities.rank_zero import rank_zero_only, rank_zero_warn
from torch import Tensor

from ..api import Api
from ..artifacts.artifact import Artifact
from ..data import Audio, Image, Table, Video
from ..sdk import lifecycle
from ..sdk import trial as trials
from ..sdk.disabled import DisabledRun
from ..sdk.run import Run
from ..sdk.settings import Settings
from ..store.runnames import new_run_id

__all__ = ["WandbLogger", "WbnbLogger"]

STEP = "trainer/global_step"
# What a checkpoint artifact's metadata names of its ModelCheckpoint (Lightning's list).
_CALLBACK_FIELDS = ("monitor", "mode", "save_last", "save_top_k", "save_weights_only", "_every_n_train_steps")


class _OtherRank:
    """``experiment`` on a rank other than 0: every attribute, call and item is this same
    no-op, so rank-0 code such as ``logger.experiment.config.update(...)`` runs on every
    rank (Lightning's stand-in, a function per attribute, has no ``config.update``)."""

    def __getattr__(self, name: str) -> _OtherRank:
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> _OtherRank:
        return self

    def __getitem__(self, key: Any) -> _OtherRank:
        return self

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


class WandbLogger(Logger):
    """Log a Lightning ``Trainer`` to a wbnb run.

    ``save_dir`` (or ``dir``) is a root as wandb's is: the store is ``<save_dir>/wbnb-runs``
    (left out: ``WBNB_DIR``, else ``./wbnb-runs``). ``version`` / ``id`` name the run to
    start or continue; other keyword arguments go to ``wbnb.init``. ``log_model=True`` logs
    the checkpoints at the end of training (each one as it is saved when ``save_top_k=-1``),
    ``"all"`` each one as it is saved.
    """

    LOGGER_JOIN_CHAR = "-"

    def __init__(
        self,
        name: str | None = None,
        save_dir: str | os.PathLike[str] | None = None,
        version: str | None = None,
        offline: bool = False,
        dir: str | os.PathLike[str] | None = None,
        id: str | None = None,
        anonymous: bool | None = None,
        project: str | None = None,
        log_model: Literal["all"] | bool = False,
        experiment: Run | DisabledRun | None = None,
        prefix: str = "",
        checkpoint_name: str | None = None,
        add_file_policy: Literal["mutable", "immutable"] = "mutable",
        **kwargs: Any,
    ) -> None:
        super().__init__()
        if log_model not in ("all", True, False) or not isinstance(log_model, (str, bool)):
            raise ValueError(f"WandbLogger: log_model must be 'all', True or False, not {log_model!r}")
        root = save_dir if save_dir is not None else dir
        self._save_dir = os.fspath(root) if root is not None else None
        self._project = project or os.environ.get("WANDB_PROJECT", "lightning_logs")
        self._name = name
        self._id = version or id
        self._log_model = log_model
        self._prefix = prefix
        self._checkpoint_name = checkpoint_name
        self.add_file_policy = add_file_policy
        self._experiment = experiment
        self._created = False  # whether this logger started the run (then finalize finishes it)
        self._logged_model_time: dict[str, float] = {}
        self._checkpoint_callbacks: dict[int, ModelCheckpoint] = {}
        self._init: dict[str, Any] = {"name": name, "project": self._project, "id": self._id, "resume": "allow"}
        if offline:
            self._init["mode"] = "offline"
        if self._save_dir is not None:  # wandb's root: the store lives under it (settings.py, root_dir)
            self._init["dir"] = Settings(root_dir=self._save_dir).dir
        self._init.update(kwargs)
        if self._id is None and self._init["resume"] in ("allow", "never", None, False) and not trials.waiting():
            # A new run's id, drawn now rather than by init() (which reads WBNB_RUN_ID /
            # WANDB_RUN_ID first): every process the Trainer starts (ddp_spawn, ddp_fork)
            # logs to the run ``version`` names, and a later trainer.test continues it. A
            # sweep's trial, or resume=True, names the run itself.
            self._id = self._init["id"] = Settings.from_env().run_id or new_run_id()
        del anonymous  # no meaning for a local store

    def __getstate__(self) -> dict[str, Any]:
        """The logger as ``ddp_spawn`` sends it to each spawned process, without its run.

        A run has one writing process, so the spawned rank 0 continues the logger's run by
        its id: a run this logger opened here is finished here first. A run the user opened
        here stays here, and rank 0 logs to the logger's own run."""
        held = self._experiment
        if held is not None and not self._created:  # the user's run: this process keeps it
            if held.state == "running":
                rank_zero_warn(
                    "WandbLogger cannot log to a wbnb run open in this process from spawned processes:"
                    " rank 0 logs to a run of its own. Use strategy='ddp' to log to the open run."
                )
            self._experiment = None
        elif held is not None and held.state == "running":
            held.finish()
        return dict(self.__dict__, _experiment=None)

    @property
    def experiment(self) -> Run | DisabledRun:
        """The wbnb run: the logger's while it is open, else the current run if one is
        open (used, never finished here), else the logger's own run, of id ``version``
        (started, or continued after ``finalize`` finished it). On ranks other than 0, a
        stand-in on which every call does nothing."""
        if getattr(rank_zero_only, "rank", 0) != 0:  # the rule of rank_zero_only, which guards log_*
            return cast(Run, _OtherRank())  # typed as the run: code written for rank 0 runs unchanged
        held = self._experiment
        if held is not None and held.state in ("running", "disabled"):
            return held
        current = lifecycle.current_run()
        if current is not None:
            rank_zero_warn(
                "A wbnb run is already in progress: WandbLogger logs to it, and leaves it open."
                " Call wbnb.finish() first for a run of its own."
            )
            self._experiment, self._created = current, False
            return current
        run = lifecycle.init(**self._init)
        self._experiment, self._created = run, True
        self._init["id"] = run.id  # what continues it (trainer.test, a spawned rank 0) when a trial or resume named it
        run.define_metric(STEP)
        run.define_metric("*", step_metric=STEP, step_sync=True)
        return run

    def watch(self, model: Any, log: str | None = "gradients", log_freq: int = 100, log_graph: bool = True) -> None:
        """Histograms of the model's gradients and/or parameters (``Run.watch``). With
        ``ddp_spawn``, call it in the module (``on_fit_start``: ``self.logger.watch(self)``):
        a model watched before ``fit`` cannot be sent to the spawned processes."""
        self.experiment.watch(model, log=log, log_freq=log_freq, log_graph=log_graph)

    @rank_zero_only
    def log_hyperparams(self, params: dict[str, Any] | Namespace) -> None:
        """The hyperparameters, into the run's config."""
        converted = _convert_json_serializable(_sanitize_callable_params(_convert_params(params)))
        self.experiment.config.update(converted, allow_val_change=True)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """One row of metrics, with ``trainer/global_step`` when Lightning gives a step."""
        row = _add_prefix(metrics, self._prefix, self.LOGGER_JOIN_CHAR)
        self.experiment.log(dict(row, **{STEP: step}) if step is not None else dict(row))

    @rank_zero_only
    def log_table(
        self,
        key: str,
        columns: list[str] | None = None,
        data: list[list[Any]] | None = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        """A ``Table`` of any cell types, under ``key``."""
        self.log_metrics({key: Table(columns=columns, data=data, dataframe=dataframe)}, step)

    @rank_zero_only
    def log_text(
        self,
        key: str,
        columns: list[str] | None = None,
        data: list[list[str]] | None = None,
        dataframe: Any = None,
        step: int | None = None,
    ) -> None:
        """Text, as a ``Table``."""
        self.log_table(key, columns, data, dataframe, step)

    @rank_zero_only
    def log_image(self, key: str, images: list[Any], step: int | None = None, **kwargs: list[Any]) -> None:
        """Images (tensors, arrays, PIL images or paths); each keyword (``caption=[...]``)
        gives one value per image."""
        self._log_media(key, Image, images, step, kwargs)

    @rank_zero_only
    def log_audio(self, key: str, audios: list[Any], step: int | None = None, **kwargs: list[Any]) -> None:
        """Audio clips (arrays with ``sample_rate=[...]``, or paths), one keyword value per clip."""
        self._log_media(key, Audio, audios, step, kwargs)

    @rank_zero_only
    def log_video(self, key: str, videos: list[Any], step: int | None = None, **kwargs: list[Any]) -> None:
        """Videos (arrays or paths), one keyword value per video."""
        self._log_media(key, Video, videos, step, kwargs)

    def _log_media(self, key: str, kind: Any, items: list[Any], step: int | None, kwargs: dict[str, list[Any]]) -> None:
        if not isinstance(items, list):
            raise TypeError(f"Expected a list of {kind.__name__} inputs under {key!r}, found {type(items)}")
        for k, v in kwargs.items():
            if len(v) != len(items):
                raise ValueError(f"Expected {len(items)} items but only found {len(v)} for {k}")
        each = [{k: v[i] for k, v in kwargs.items()} for i in range(len(items))]
        self.log_metrics({key: [kind(item, **kw) for item, kw in zip(items, each)]}, step)

    @property
    def save_dir(self) -> str | None:
        """The root given as ``save_dir`` (or ``dir``)."""
        return self._save_dir

    @property
    def name(self) -> str | None:
        """The project's name (Lightning's meaning of a logger's name)."""
        return self._project

    @property
    def version(self) -> str | None:
        """The run's id."""
        return self._experiment.id if self._experiment is not None else self._id

    def after_save_checkpoint(self, checkpoint_callback: ModelCheckpoint) -> None:
        """Log the new checkpoint now (``log_model="all"``, or ``True`` with
        ``save_top_k=-1``), else remember the callback for ``finalize``."""
        if self._log_model == "all" or (self._log_model is True and checkpoint_callback.save_top_k == -1):
            self._log_checkpoints(checkpoint_callback)
        elif self._log_model is True:
            self._checkpoint_callbacks[id(checkpoint_callback)] = checkpoint_callback

    @staticmethod
    @rank_zero_only
    def download_artifact(
        artifact: str,
        save_dir: str | os.PathLike[str] | None = None,
        artifact_type: str | None = None,
        use_artifact: bool | None = True,
    ) -> str:
        """Download an artifact into ``save_dir``; returns the folder. The current run
        records that it uses it (``use_artifact``), else it is read through ``Api``."""
        run = lifecycle.current_run()
        if run is not None and use_artifact:
            found = run.use_artifact(artifact, type=artifact_type)
        else:
            found = Api().artifact(artifact, type=artifact_type)
        return str(found.download(root=None if save_dir is None else os.fspath(save_dir)))

    def use_artifact(self, artifact: str, artifact_type: str | None = None) -> Any:
        """Record that the run uses ``artifact``; returns it."""
        return self.experiment.use_artifact(artifact, type=artifact_type)

    @rank_zero_only
    def finalize(self, status: str) -> None:
        """At the end of fit / test: log the remembered checkpoints (on success), then
        finish the run if this logger started it (``failed`` unless Lightning succeeded)."""
        if self._experiment is None:
            return
        if status == "success":
            for callback in self._checkpoint_callbacks.values():
                self._log_checkpoints(callback)
        if self._created:
            self._experiment.finish(exit_code=0 if status in ("success", "finished") else 1)

    def _log_checkpoints(self, callback: ModelCheckpoint) -> None:
        for t, path, score, _ in _scan_checkpoints(callback, self._logged_model_time):
            metadata = {
                "score": score.item() if isinstance(score, Tensor) else score,
                "original_filename": Path(path).name,
                # __class__, not type(): Lightning wraps callbacks in a proxy type.
                callback.__class__.__name__: {
                    k: getattr(callback, k) for k in _CALLBACK_FIELDS if hasattr(callback, k)
                },
            }
            if not self._checkpoint_name:
                self._checkpoint_name = f"model-{self.experiment.id}"
            artifact = Artifact(name=self._checkpoint_name, type="model", metadata=metadata)
            artifact.add_file(path, name="model.ckpt", policy=self.add_file_policy)
            aliases = ["latest", "best"] if path == callback.best_model_path else ["latest"]
            self.experiment.log_artifact(artifact, aliases=aliases)
            self._logged_model_time[path] = t


WbnbLogger = WandbLogger
