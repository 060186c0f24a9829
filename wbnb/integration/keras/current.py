"""The run a Keras callback logs to: the current one, required when the callback is made
(as wandb's callbacks require ``wandb.init()`` first) and still open when ``fit`` starts."""

from __future__ import annotations

import warnings

from wbnb.errors import Error
from wbnb.sdk.lifecycle import current_run
from wbnb.sdk.run import Run


def require_run(callback: str) -> Run:
    """The current run, or an error naming the callback made before ``init()``."""
    run = current_run()
    if run is None:
        raise Error(f"You must call wbnb.init() before {callback}()")
    return run


def require_open(run: Run, callback: str) -> None:
    """At ``fit``'s start, before any batch: an error if the callback's run was finished since
    the callback was made (a notebook re-running ``fit`` after ``wbnb.finish()``)."""
    if run._finished:
        raise Error(
            f"{callback}: its run {run.project}/{run.id} is finished; "
            f"call wbnb.init() and make a new {callback}() before fit()"
        )


def warn(text: str) -> None:
    """A data problem said to the user as a Python warning (shown where ``fit`` was called)."""
    warnings.warn(text, RuntimeWarning, stacklevel=3)
