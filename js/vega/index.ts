// The shared charting bundle: vega and vega-lite, loaded once per page.
// It is not a widget: wbnb.widgets.VegaLoader carries it as state and every chart
// widget imports it through js/lib/vega.ts (a Blob URL, cached on `window`).
// vega-embed is left out: Curves makes its views itself (compiling each spec once),
// ~9 ms a chart sooner and 58 KiB smaller (benchmarks/bench_vega_embed.py).
export * as vega from "vega";
export * as vegaLite from "vega-lite";
