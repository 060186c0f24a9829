"""The RunHeader component: a run's name, project/id, state and duration, and its notable
events (cell exceptions, interrupts, alerts), kept current while the run is live.

    from wbnb.widgets.header import RunHeader
    from wbnb.widgets.runs import resolve_runs
    RunHeader(resolve_runs(run)[0])          # what a RunPanel shows on top

An anywidget (marimo renders nothing else) whose one trait is the header as markup built
from escaped strings; ``js/header/`` copies only its plain markup in, the rest as text.
``contract.py`` (that trait, written as ``js/header/contract.ts``), ``widget.py`` (the
widget and the thread that refreshes it while the run is live), ``text.py`` (what it
says, as markup and as the picture's lines), ``picture.py`` (its static picture).
"""

from .widget import MAX_BACKOFF, RunHeader

__all__ = ["MAX_BACKOFF", "RunHeader"]
