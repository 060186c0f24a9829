"""IPython hooks: a cell's exception or interrupt is kept with the open runs, which
stay open (a notebook run outlives its cells, failures included)."""

from __future__ import annotations

from typing import Any

_registered: set[int] = set()


def record_cell_errors(result: Any) -> None:
    """``post_run_cell`` hook: record the cell's exception (or KeyboardInterrupt) on
    every open run as an event; never raises."""
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if error is None:
        return
    from ..sdk.lifecycle import open_runs

    for run in open_runs():
        try:
            run.record_exception(error)
        except Exception:
            pass


def register(shell: Any) -> None:
    """Install the hooks (and the run display) on an IPython shell, once."""
    from .panel import register_display

    if shell is None or id(shell) in _registered:
        return
    _registered.add(id(shell))
    shell.events.register("post_run_cell", record_cell_errors)
    register_display(shell)
