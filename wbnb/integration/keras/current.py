"""The run a Keras callback logs to: the current one, required when the callback is made
(as wandb's callbacks require ``wandb.init()`` first)."""

from __future__ import annotations

from wbnb.errors import Error
from wbnb.sdk.lifecycle import current_run
from wbnb.sdk.run import Run


def require_run(callback: str) -> Run:
    """The current run, or an error naming the callback made before ``init()``."""
    run = current_run()
    if run is None:
        raise Error(f"You must call wbnb.init() before {callback}()")
    return run
