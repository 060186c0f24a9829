"""``wbnb.sweeps``: hyperparameter sweeps (wandb's sweep config, search methods, agents)."""

from .config import SweepConfig, SweepConfigError, load_sweep_config, parse_sweep_config

__all__ = ["SweepConfig", "SweepConfigError", "load_sweep_config", "parse_sweep_config"]
