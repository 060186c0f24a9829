"""PlotlyView: the plotly figures runs logged, drawn by plotly.js in the cell.

    import plotly.express as px
    run.log({"val/scatter": px.scatter(df, x="a", y="b")})   # stored as the figure's JSON
    from wbnb.widgets import PlotlyView
    PlotlyView(run)                    # every figure key; a step slider per (run, key)
    PlotlyView([run_a, run_b], keys="val/*")   # runs side by side

``contract.py`` (the wire: the shared step index, the ``figure`` reply), ``widget.py``
(``PlotlyView``, and ``PlotlyLoader``: plotly.js held once per kernel, made only when a
figure is shown), ``picture.py`` (the static picture); the page is ``js/plotly/``.
"""

from .widget import PlotlyLoader, PlotlyView

__all__ = ["PlotlyLoader", "PlotlyView"]
