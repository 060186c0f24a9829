// The shared charting runtime: vega, loaded once per page before any chart draws.
// It is not a widget: wbnb.widgets.VegaLoader carries it as state and every chart
// widget imports it through js/lib/vega.ts (a Blob URL, cached on `window`).
// Vega-Lite is a bundle of its own (js/vegalite/), imported only when a chart template
// is not compiled already (lib/speccache.ts): most first draws never evaluate it.
// vega-embed is left out: Curves makes its views itself (compiling each spec once),
// ~9 ms a chart sooner and 58 KiB smaller (benchmarks/bench_vega_embed.py).
export * as vega from "vega";
