// The shared charting bundle: vega, vega-lite and vega-embed, loaded once per page.
// It is not a widget: wbnb.widgets.VegaLoader carries it as state and every chart
// widget imports it through js/lib/vega.ts (a Blob URL, cached on `window`).
export { default as embed } from "vega-embed";
export * as vega from "vega";
export * as vegaLite from "vega-lite";
