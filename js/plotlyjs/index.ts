// plotly.js as its own bundle (wbnb/static/plotlyjs.js, ~4.7 MB), never part of a
// component's: the PlotlyLoader model (wbnb/widgets/plotly/widget.py) carries it and
// js/plotly/loader.ts imports it once per page, when a figure is first drawn.
import Plotly from "plotly.js-dist-min";

export { Plotly };
