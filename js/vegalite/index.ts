// Vega-Lite, the compiler of chart templates to Vega: carried by the same VegaLoader
// model as js/vega/, imported only when a template is in neither cache of
// lib/speccache.ts (its evaluation is ~1/3 of the combined bundle's).
export * as vegaLite from "vega-lite";
