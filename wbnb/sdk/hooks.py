"""Where the notebook layer plugs into the tracker. ``init()`` in a notebook hands the new
run to each registered hook (IPython's cell hooks, the live panel), so the tracker never
imports ``wbnb.jupyter`` or ``wbnb.widgets``: ``wbnb/__init__.py`` registers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .run import Run
    from .settings import Settings

NotebookHook = Callable[["Run", "Settings"], None]

_notebook_hooks: list[NotebookHook] = []


def on_notebook_init(hook: NotebookHook) -> None:
    """Call ``hook(run, settings)`` after every ``init()`` in a notebook (a hook added
    twice runs once)."""
    if hook not in _notebook_hooks:
        _notebook_hooks.append(hook)


def notebook_init(run: Run, settings: Settings) -> None:
    """Run the notebook hooks for a run that ``init()`` just opened in a notebook."""
    for hook in list(_notebook_hooks):
        hook(run, settings)
