"""The RunHeader component: a run's name, project/id, state and duration, and its notable
events (cell exceptions, interrupts, alerts), kept current while the run is live.

    from wbnb.widgets.header import RunHeader
    from wbnb.widgets.runs import resolve_runs
    RunHeader(resolve_runs(run)[0])          # what a RunPanel shows on top

It has no ``contract.py`` and no ``js/header/``: it is an ``ipywidgets.HTML`` whose one
synced value is the header as escaped HTML, drawn by ipywidgets' own HTML view, so no
front end of ours and no messages of its own cross the wire. ``widget.py`` (the widget
and the thread that refreshes it while the run is live), ``text.py`` (what it says, as
HTML and as the picture's lines), ``picture.py`` (its static picture).
"""

from .widget import MAX_BACKOFF, RunHeader

__all__ = ["MAX_BACKOFF", "RunHeader"]
