"""The tracker. ``wbnb.sdk.wandb_run`` (the path wandb users copy) loads on first use,
so ``wandb.sdk.wandb_run.finish()`` works as an attribute path after ``import wbnb as wandb``."""

from importlib import import_module
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "wandb_run":
        return import_module(".wandb_run", __name__)
    raise AttributeError(f"module 'wbnb.sdk' has no attribute {name!r}")
