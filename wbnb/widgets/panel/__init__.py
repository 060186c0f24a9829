"""The RunPanel component: one run at a glance, laid out like a dashboard — its header,
a panel per key it logged in sections by ``prefix/`` (curves, images, tables, charts,
media: ``widgets/kinds.py`` says which component draws which kind), its system metrics —
and what a notebook shows for a run.

    from wbnb.widgets.panel import RunPanel
    RunPanel(run)                 # or "project/run_id"; live while the run logs

One anywidget over its parts' models: ``widget.py`` (the panel: its parts, the layout's
traits), ``layout.py`` (which cell goes in which section), ``contract.py`` (the layout's
shapes -> ``js/panel/contract.ts``), ``artifacts.py`` (the artifacts section),
``picture.py`` (its static picture: the parts' pictures in a grid). Its page,
``js/panel/``, mounts each part's own view class per cell (``js/panel/registry.ts``).
"""

from .widget import RunPanel

__all__ = ["RunPanel"]
