// The shared charting runtime: vega and vega-embed, loaded once per page before any
// chart draws. It is not a widget: wbnb.widgets.VegaLoader carries it as state and every
// chart widget imports it through js/lib/vega.ts (a Blob URL, cached on `window`).
// Vega-Lite is a bundle of its own (js/vegalite/), imported only when a chart template
// is not compiled already (lib/speccache.ts): most first draws never evaluate it.
// vega-embed's own import of Vega-Lite reads that one (js/build.mjs, liteLater).
export * as vega from "vega";
export { default as embed } from "vega-embed";
