"""The deep import path wandb users copy (``wandb.sdk.wandb_run.Run`` in type hints,
``wandb.sdk.wandb_run.finish``), kept working for ``import wbnb as wandb``."""

from .lifecycle import finish
from .restore_hook import restore
from .run import Run

__all__ = ["Run", "finish", "restore"]
