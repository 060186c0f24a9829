"""IPython hooks: a cell's exception or interrupt is kept with the open runs, which
stay open (a notebook run outlives its cells, failures included); ``on_init`` is what
``init()`` in a notebook does here (wbnb/__init__.py registers it with ``sdk.hooks``)."""

from __future__ import annotations

from typing import Any

from ..sdk.lifecycle import open_runs
from ..sdk.metadata import ipython_shell
from ..sdk.run import Run
from ..sdk.settings import Settings
from .panel import register_display, show_panel

_registered: set[int] = set()


def record_cell_errors(result: Any) -> None:
    """``post_run_cell`` hook: record the cell's exception (or KeyboardInterrupt) on
    every open run as an event; never raises."""
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    if error is None:
        return
    for run in open_runs():
        try:
            run.record_exception(error)
        except Exception:
            pass


def register(shell: Any) -> None:
    """Install the hooks (and the run display) on an IPython shell, once."""
    if shell is None or id(shell) in _registered:
        return
    _registered.add(id(shell))
    shell.events.register("post_run_cell", record_cell_errors)
    register_display(shell)


def on_init(run: Run, settings: Settings) -> None:
    """After ``init()`` in a notebook: install the hooks, and show the run's live panel
    unless ``live_panel`` (WBNB_LIVE_PANEL) or ``silent`` says not to."""
    register(ipython_shell())
    if settings.live_panel and not settings.silent:
        show_panel(run)
