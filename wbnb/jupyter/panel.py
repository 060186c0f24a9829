"""What a notebook shows for a run: its live ``RunPanel``.

The tracker never imports widgets: ``attach`` teaches IPython to display a ``Run`` (as
the last expression of a cell; a ``Lineage`` as its graph) and ``init()`` calls ``show_panel`` through it.
"""

from __future__ import annotations

from typing import Any


def show_panel(run: Any) -> None:
    """Display the run's live panel in the current cell. Like every wbnb widget, its
    output also holds a static SVG of it (what a saved notebook shows without a kernel),
    redrawn when the run finishes (``widgets.pictures.show``)."""
    from IPython.display import display

    from ..widgets import RunPanel

    display(RunPanel(run))


def show_lineage(graph: Any) -> None:
    """Display a ``Lineage`` (``Artifact.lineage()``) as its ``LineageGraph`` widget."""
    from IPython.display import display

    from ..widgets import LineageGraph

    display(LineageGraph(graph))


def register_display(shell: Any) -> None:
    """Make a ``Run`` that ends a cell display its panel, and a ``Lineage`` its graph."""
    from ..artifacts.lineage import Lineage
    from ..sdk.run import Run

    formatter = shell.display_formatter.ipython_display_formatter
    formatter.for_type(Run, show_panel)
    formatter.for_type(Lineage, show_lineage)
