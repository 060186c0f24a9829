"""``wbnb.sklearn`` (wandb's ``wandb.sklearn``): the charts of ``wbnb.integration.sklearn``."""

from .integration.sklearn import *  # noqa: F403
from .integration.sklearn import __all__ as __all__
