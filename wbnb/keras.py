"""``wbnb.keras``: the Keras 3 callbacks, as ``wandb.keras`` re-exports them
(``from wbnb.keras import WandbCallback, WandbMetricsLogger``). Importing it imports Keras."""

from .integration.keras import WandbCallback, WandbEvalCallback, WandbMetricsLogger, WandbModelCheckpoint

__all__ = ["WandbCallback", "WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]
