"""What a notebook shows for a run: its live ``RunPanel``.

The tracker never imports widgets: ``attach`` teaches IPython to display a ``Run`` (as
the last expression of a cell) and ``init()`` calls ``show_panel`` through it.
"""

from __future__ import annotations

from typing import Any


def show_panel(run: Any) -> None:
    """Display the run's live panel in the current cell, with a static SVG of it in the
    same output (what a saved notebook shows without a kernel), redrawn at finish()."""
    from IPython.display import display

    from ..widgets import RunPanel

    widget = RunPanel(run)
    handle = display(_bundle(widget), raw=True, display_id=True)

    def freeze(timeout: float) -> None:
        widget.flush()
        handle.update(_bundle(widget), raw=True)

    if hasattr(run, "at_finish"):  # a stored run has finished already
        run.at_finish(freeze)


def _bundle(widget: Any) -> dict[str, Any]:
    data = widget._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data  # anywidget returns (data, metadata)
    return {**data, "image/svg+xml": widget.to_svg()}


def register_display(shell: Any) -> None:
    """Make a ``Run`` that ends a cell display its panel."""
    from ..sdk.run import Run

    shell.display_formatter.ipython_display_formatter.for_type(Run, show_panel)
