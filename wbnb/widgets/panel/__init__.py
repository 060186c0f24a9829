"""The RunPanel component: one run at a glance — its header, its curves, a component per
kind of media it logged, its system metrics — and what a notebook shows for a run.

    from wbnb.widgets.panel import RunPanel
    RunPanel(run)                 # or "project/run_id"; live while the run logs

It has no ``contract.py`` and no ``js/panel/``: it is an ``ipywidgets.VBox`` of other
components (``RunHeader``, ``Curves``, ``Gallery``, ...), drawn by ipywidgets' own box
view; each part carries its own contract and front end. ``widget.py`` (the panel and
``media_kinds``, which parts a run's summary asks for), ``picture.py`` (its static
picture: the parts' pictures stacked).
"""

from .widget import RunPanel, media_kinds

__all__ = ["RunPanel", "media_kinds"]
