"""Keras 3 callbacks (any backend), as ``wandb.integration.keras`` names them:

from wbnb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint
model.fit(x, y, callbacks=[WandbMetricsLogger(), WandbModelCheckpoint("model.keras")])
"""

from .callback import WandbCallback
from .eval_callback import WandbEvalCallback
from .metrics_logger import WandbMetricsLogger
from .model_checkpoint import WandbModelCheckpoint

__all__ = ["WandbCallback", "WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]
