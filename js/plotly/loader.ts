// plotly.js for the page: the PlotlyView's `_plotly` trait references the kernel's one
// PlotlyLoader model, whose `source` (wbnb/static/plotlyjs.js) is imported through a Blob
// URL once per page and version (js/lib/vega.ts's importOnce caches it on `window`).
// Called only by a view whose kernel side has a figure (it references a loader only then):
// a page with no figure never evaluates plotly.js.
import type { AnyModel, Host } from "@anywidget/types";
import { referencedModel } from "../lib/anywidget";
import { importOnce } from "../lib/vega";
import type { PlotlyLoaderModel } from "./contract";

/** The parts of plotly.js the view calls. */
export interface Plotly {
  react(el: HTMLElement, data: unknown[], layout: Record<string, unknown>, config: Record<string, unknown>): Promise<unknown>;
  purge(el: HTMLElement): void;
  Plots: { resize(el: HTMLElement): void };
}

/** plotly.js from the loader that ``ref`` (the view's `_plotly` trait) names. */
export async function loadPlotly(ref: unknown, model: AnyModel, host?: Host): Promise<Plotly> {
  const loader = await referencedModel<PlotlyLoaderModel>(ref, model, host);
  const mod = await importOnce(`plotly/${loader.get("version") || "unversioned"}`, loader.get("source"));
  return mod.Plotly;
}
