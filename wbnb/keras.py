"""``wbnb.keras``: the Keras 3 callbacks, as ``wandb.keras`` re-exports them
(``from wbnb.keras import WandbMetricsLogger``). Importing it imports Keras."""

from .integration.keras import WandbMetricsLogger, WandbModelCheckpoint

__all__ = ["WandbMetricsLogger", "WandbModelCheckpoint"]
